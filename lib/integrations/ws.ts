// ws integration. Servers: the http server under a WebSocketServer gets keepAliveServer (every
// connection, upgraded or not); a `noServer` WebSocketServer configures each upgraded socket.
// Clients: a keepAliveAgent for the ws:// or wss:// URL; ws hands the agent the connection and the
// upgraded socket leaves the pool carrying the configuration. ws itself is never loaded here.
import type * as http from 'node:http';
import * as net from 'node:net';
import { invalidArgType, optionsUnreadable, readArgument } from '../errors';
import { keepAliveSocketWith } from '../keepalive';
import { webSocketHttpServer } from '../node-internals';
import { readOptions, type KeepAliveOptions } from '../options';
import { keepAliveAgent } from './agent';
import { keepAliveServer } from './server';

/** The part of ws's `WebSocketServer` used here. */
export interface WebSocketServerLike {
  on(event: 'connection', listener: (socket: unknown, request: http.IncomingMessage) => void): unknown;
}

/**
 * Gives every connection of a ws `WebSocketServer` the keepalive configuration. With `port` or
 * `server` options the underlying http server is configured (listener inheritance); with
 * `noServer` each socket is configured when it is upgraded — configure your own http server with
 * keepAliveServer instead to cover it from accept.
 */
export function keepAliveWebSocketServer<W extends WebSocketServerLike>(wss: W, options: KeepAliveOptions): W {
  let listens = false;
  try {
    listens = typeof wss === 'object' && wss !== null && typeof wss.on === 'function';
  } catch (error) {
    throw optionsUnreadable('wss', error);
  }
  if (!listens) throw invalidArgType('wss', 'a ws WebSocketServer', wss);
  const config = readOptions(options);
  const server = webSocketHttpServer(wss);
  if (server instanceof net.Server) {
    keepAliveServer(server, config.given);
    return wss;
  }
  const onConnection = (_socket: unknown, request: http.IncomingMessage): void => {
    try {
      keepAliveSocketWith(request.socket, config);
    } catch (error) {
      request.socket.destroy(error as Error);
    }
  };
  try {
    wss.on('connection', onConnection);
  } catch (error) {
    throw optionsUnreadable('wss', error); // e.g. a frozen server: no listener could be added
  }
  return wss;
}

/**
 * ws client options carrying the configuration: `new WebSocket(url, keepAliveWebSocketClient(url,
 * options))`. Returns `{ agent }` (an http or https agent chosen by the URL's scheme); spread it
 * into your other ws options.
 */
export function keepAliveWebSocketClient(
  url: string | URL,
  options: KeepAliveOptions,
  agentOptions?: http.AgentOptions,
): { agent: http.Agent } {
  if (typeof url !== 'string' && !readArgument('url', () => url instanceof URL)) {
    throw invalidArgType('url', 'of type string or an instance of URL', url);
  }
  const protocol = readArgument('url', () => new URL(url).protocol);
  const secure = protocol === 'wss:' || protocol === 'https:';
  const agent = secure
    ? keepAliveAgent(options, { https: true, agent: agentOptions })
    : keepAliveAgent(options, { agent: agentOptions });
  return { agent };
}
