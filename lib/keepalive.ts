// setKeepAlive / getKeepAlive, the public entry points. A socket configured here keeps its
// configuration through Node's own later setKeepAlive calls (see sticky.ts).
import * as net from 'node:net';
import { invalidArgType } from './errors';
import { configure, readKeepAlive, type KeepAliveSettings } from './apply';
import { planFromOptions, type KeepAliveOptions } from './options';
import { keep } from './sticky';
import { checkTarget } from './target';

export type { KeepAliveSettings };

/**
 * Configures keepalive on a socket or listening server. All options are validated before any
 * syscall; if a syscall fails, options already written are restored and the error is thrown.
 * A socket that has no OS socket yet gets the configuration when it connects; a failure then
 * destroys it with the error (an 'error' event). On a socket, the options given are kept: Node's
 * own later `socket.setKeepAlive(true, ...)` no longer undoes them.
 */
export function setKeepAlive(socket: net.Socket | net.Server, options: KeepAliveOptions): void {
  const target = checkTarget(socket);
  configure(target, planFromOptions(options));
  if (target instanceof net.Socket) keep(target, options);
}

/** setKeepAlive for a socket, returning the socket (for chaining in connection factories). */
export function keepAliveSocket<S extends net.Socket>(socket: S, options: KeepAliveOptions): S {
  if (!(socket instanceof net.Socket)) throw invalidArgType('socket', 'an instance of net.Socket or tls.TLSSocket', socket);
  setKeepAlive(socket, options);
  return socket;
}

/** Reads what the kernel holds for the socket or listening server (system defaults if never set). */
export function getKeepAlive(socket: net.Socket | net.Server): KeepAliveSettings {
  return readKeepAlive(checkTarget(socket));
}
