// setKeepAlive / getKeepAlive and the keeping calls: the public entry points of the core.
import type * as net from 'node:net';
import { adoptKeepAlive, configure, keptOptions, readSettings, releaseKeepAlive as release } from './configure';
import { readOptions, type KeepAliveConfig, type KeepAliveOptions } from './options';
import { checkSocket, checkTarget, readThrough } from './target';
import type { KeepAliveSettings } from './units';

export type { KeepAliveSettings };

/**
 * Configures keepalive on a socket or listening server. All options are read once and validated
 * before any syscall; if a syscall fails, options already written are restored and the error is
 * thrown. A socket that has no OS socket yet gets the configuration when it connects; a failure
 * then destroys it with the error (an 'error' event, no 'connect'). On a socket, the options given
 * are kept: through Node's own later `socket.setKeepAlive(true, ...)` and on every reconnect of the
 * same socket object.
 */
export function setKeepAlive(socket: net.Socket | net.Server, options: KeepAliveOptions): void {
  const target = checkTarget(socket);
  configure(target, readOptions(options));
}

/** setKeepAlive for a socket, returning the socket (for chaining in connection factories). */
export function keepAliveSocket<S extends net.Socket>(socket: S, options: KeepAliveOptions): S {
  configure(checkSocket(socket), readOptions(options));
  return socket;
}

/**
 * keepAliveSocket with options already read (integrations read them once, when created).
 * `onlyTcp`: a socket that turns out at 'connect' not to be TCP (a Unix socket, which cannot be
 * told before) is left alone instead of destroyed (the process-wide policy).
 */
export function keepAliveSocketWith<S extends net.Socket>(socket: S, config: KeepAliveConfig, onlyTcp = false): S {
  configure(checkSocket(socket), config, onlyTcp);
  return socket;
}

/** Keeps options on a socket that already holds them (inherited from its listener). */
export function adoptKeepAliveWith(socket: net.Socket, config: KeepAliveConfig): void {
  adoptKeepAlive(checkSocket(socket), config);
}

/** Reads what the kernel holds for the socket or listening server (system defaults if never set). */
export function getKeepAlive(socket: net.Socket | net.Server): KeepAliveSettings {
  return readThrough(socket, 'socket', () => readSettings(checkTarget(socket, 'socket', true)));
}

/** Stops keeping the configuration on `socket` (the kernel keeps its current values). */
export function releaseKeepAlive(socket: net.Socket): void {
  release(checkSocket(socket));
}

/** The options kept on `socket` (a copy, in ms as given), or undefined when it is not kept. */
export function keptKeepAlive(socket: net.Socket): Readonly<KeepAliveOptions> | undefined {
  const kept = readThrough(socket, 'socket', () => keptOptions(checkSocket(socket, 'socket', true)));
  return kept ? { ...kept.given } : undefined;
}
