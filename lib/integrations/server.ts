// keepAliveServer: every connection accepted by a net/http/https/tls/http2 server gets the
// configuration. On Linux the listening socket is configured once and accepted sockets inherit it
// in the kernel (no syscall per connection). Each accepted socket is configured itself where that
// does not hold: Node's own `keepAlive` server option re-applies idle/1 s/10 per connection, a
// cluster worker has no listening socket of its own, or the platform has no inheritance.
import * as net from 'node:net';
import * as tls from 'node:tls';
import { configure } from '../configure';
import { invalidArgType } from '../errors';
import { adoptKeepAliveWith, keepAliveSocketWith } from '../keepalive';
import { serverAppliesNodeKeepAlive } from '../node-internals';
import { readOptions, type KeepAliveConfig, type KeepAliveOptions } from '../options';
import { listenerPassesOn } from '../platform';
import { checkTarget } from '../target';

interface ServerState {
  config: KeepAliveConfig;
  /** The listening socket holds the options and the kernel copies them to accepted sockets. */
  inherited: boolean;
}

const servers = new WeakMap<net.Server, ServerState>();

function configureListener(server: net.Server, state: ServerState): void {
  state.inherited = false;
  if (!listenerPassesOn(state.config.mask)) return; // e.g. FreeBSD: userTimeout is not inherited
  try {
    configure(server, state.config);
    state.inherited = true;
  } catch {
    // No listening socket of its own (cluster worker) or it went away: configure per connection.
  }
}

function onConnection(server: net.Server, state: ServerState, socket: net.Socket): void {
  // Node's `keepAlive` server option has just written idle, 1 s, 10 on this socket.
  const nodeOverwrote = serverAppliesNodeKeepAlive(server);
  try {
    if (state.inherited && !nodeOverwrote) adoptKeepAliveWith(socket, state.config);
    else keepAliveSocketWith(socket, state.config);
  } catch (error) {
    // Thrown from inside Node's accept path: report it on the socket instead.
    socket.destroy(error as Error);
  }
}

/**
 * Gives every connection accepted by `server` (net, http, https, tls, http2) this keepalive
 * configuration, kept through Node's own `setKeepAlive` calls. Call it before or after `listen()`;
 * connections accepted before the call are not touched. Calling it again replaces the options for
 * later connections. Options are validated now: bad options throw here.
 */
export function keepAliveServer<S extends net.Server>(server: S, options: KeepAliveOptions): S {
  const target = checkTarget(server, 'server');
  if (!(target instanceof net.Server)) {
    throw invalidArgType('server', 'an instance of net.Server (http, https, tls and http2 servers are)', server);
  }
  const config = readOptions(options);
  const known = servers.get(server);
  if (known) {
    known.config = config;
    if (server.listening) configureListener(server, known);
    return server;
  }
  const state: ServerState = { config, inherited: false };
  servers.set(server, state);
  if (server.listening) configureListener(server, state);
  server.prependListener('listening', () => configureListener(server, state));
  // Prepended: the server's own handlers (http, tls) and the user's see a configured socket.
  server.prependListener('connection', (socket: net.Socket) => onConnection(server, state, socket));
  if (server instanceof tls.Server) {
    // The TLS socket shares the descriptor of the raw one: keep the configuration on it too.
    server.prependListener('secureConnection', (socket: tls.TLSSocket) => {
      try {
        adoptKeepAliveWith(socket, state.config);
      } catch (error) {
        socket.destroy(error as Error);
      }
    });
  }
  return server;
}
