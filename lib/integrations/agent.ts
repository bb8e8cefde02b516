// keepAliveAgent: an http/https connection pool (keepAlive on) whose sockets carry the keepalive
// configuration from connect through every reuse. Node's pool calls
// `socket.setKeepAlive(true, keepAliveMsecs)` each time a socket goes back to the pool, and its
// connect path writes idle/1 s/10 right before 'connect'; both are followed by our options.
import * as http from 'node:http';
import * as https from 'node:https';
import type * as net from 'node:net';
import { invalidArgType, optionsUnreadable, readArgument } from '../errors';
import { readOptions, type KeepAliveOptions } from '../options';
import { keepAliveSocketWith } from '../keepalive';

export interface KeepAliveAgentSettings<A> {
  /** Build an `https.Agent` instead of an `http.Agent`. */
  https?: boolean;
  /** Options for the agent itself (`keepAlive` is always on). */
  agent?: A;
}

type CreateConnection = (this: http.Agent, options: object, callback?: unknown) => net.Socket | undefined;

/** An `http.Agent` (keepAlive on) whose sockets keep the keepalive configuration across reuse. */
export function keepAliveAgent(
  options: KeepAliveOptions,
  settings?: KeepAliveAgentSettings<http.AgentOptions> & { https?: false },
): http.Agent;
/** An `https.Agent` (keepAlive on) whose sockets keep the keepalive configuration across reuse. */
export function keepAliveAgent(
  options: KeepAliveOptions,
  settings: KeepAliveAgentSettings<https.AgentOptions> & { https: true },
): https.Agent;
export function keepAliveAgent(
  options: KeepAliveOptions,
  settings: KeepAliveAgentSettings<https.AgentOptions> = {},
): http.Agent | https.Agent {
  const config = readOptions(options);
  if (typeof settings !== 'object' || settings === null) {
    throw invalidArgType('settings', 'of type object', settings);
  }
  let secure: unknown;
  let ownOptions: unknown;
  try {
    secure = settings.https;
    ownOptions = settings.agent;
  } catch (error) {
    throw optionsUnreadable('settings', error);
  }
  if (ownOptions !== undefined && (typeof ownOptions !== 'object' || ownOptions === null)) {
    throw invalidArgType('settings.agent', 'of type object', ownOptions);
  }
  const agentOptions = {
    // Node's own idle then matches ours; its interval/count are overwritten either way.
    ...(config.given.idle !== undefined ? { keepAliveMsecs: config.given.idle } : {}),
    ...readArgument('settings.agent', () => ({ ...(ownOptions as http.AgentOptions | undefined) })),
    keepAlive: true,
  };
  const agent = secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  const pooled = agent as unknown as { createConnection: CreateConnection };
  const create = pooled.createConnection;
  pooled.createConnection = function createKeptConnection(this: http.Agent, connectOptions, callback) {
    const socket = Reflect.apply(create, this, [connectOptions, callback]) as net.Socket | undefined;
    // Not yet connected: configured right before its 'connect' listeners run. Never throws into
    // Node's pool: a socket that cannot be configured is destroyed with the error.
    if (socket) {
      try {
        keepAliveSocketWith(socket, config);
      } catch (error) {
        socket.destroy(error as Error);
      }
    }
    return socket;
  };
  return agent;
}
