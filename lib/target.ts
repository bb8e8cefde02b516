// Finds the OS socket behind a net.Socket / tls.TLSSocket / net.Server, and guards against
// acting on a descriptor number that now belongs to another socket.
import * as net from 'node:net';
import { constants } from 'node:os';
import { getSystemErrorMap } from 'node:util';
import { invalidArgType, socketClosed, socketNotConnected, systemError } from './errors';
import { native, STATE_SLOTS, type NativeFailure } from './binding';
import { locateSocket } from './target-lookup';

export type Target = net.Socket | net.Server;

interface HandleLike {
  fd?: unknown;
}

/** A resolved OS socket, valid for the current synchronous call only. */
export interface Resolved {
  fd: number;
  handle: object;
}

// Errno values as the native layer reports them (positive): errno on POSIX, libuv's codes on
// Windows (where os.constants.errno holds the C runtime's numbers instead, and no ESTALE).
function errnoNamed(name: 'ESTALE' | 'ENOTSOCK' | 'EBADF'): number {
  if (process.platform !== 'win32') return constants.errno[name];
  for (const [value, [known]] of getSystemErrorMap()) if (known === name) return -value;
  return Number.NaN;
}
const ESTALE = errnoNamed('ESTALE');
const ENOTSOCK = errnoNamed('ENOTSOCK');
const EBADF = errnoNamed('EBADF');

// Identity (inode) of each libuv handle's socket, learned at first use. Keyed by the handle so a
// reconnected net.Socket (new handle) starts over, and the entry goes with the handle.
const identities = new WeakMap<object, number>();

// Scratch state shared by all native calls: calls are synchronous, so one array suffices.
export const state = new Float64Array(STATE_SLOTS);

function describeTarget(target: Target): string {
  return target instanceof net.Server ? 'The server' : 'The socket';
}

/** Classifies the argument; throws ERR_INVALID_ARG_TYPE for anything that is not a TCP endpoint. */
export function checkTarget(target: unknown, name = 'socket'): Target {
  if (target instanceof net.Socket || target instanceof net.Server) return target;
  throw invalidArgType(name, 'an instance of net.Socket, tls.TLSSocket or net.Server', target);
}

/**
 * The descriptor of `target` now, or null when a socket has none yet (not connected / resolving).
 * Throws ERR_SOCKET_CLOSED for destroyed sockets and servers that are not listening.
 */
export function resolve(target: Target): Resolved | null {
  if (target instanceof net.Server) {
    const handle = (target as unknown as { _handle: HandleLike | null })._handle;
    if (!handle || !target.listening) throw socketClosed(describeTarget(target));
    if (typeof handle.fd !== 'number') {
      throw invalidArgType('server', 'a server with its own listening socket (cluster workers have none)', target);
    }
    const fd = handle.fd >= 0 ? handle.fd : locateSocket(target, handle);
    if (fd === null) throw socketClosed(describeTarget(target));
    return { fd, handle };
  }
  if (target.destroyed) throw socketClosed(describeTarget(target));
  const handle = (target as unknown as { _handle: HandleLike | null })._handle;
  if (!handle) return null;
  if (typeof handle.fd !== 'number') throw invalidArgType('socket', 'a TCP socket', target);
  const fd = handle.fd >= 0 ? handle.fd : locateSocket(target, handle);
  return fd === null ? null : { fd, handle };
}

/** Like resolve(), but a socket without a descriptor is an error. */
export function resolveNow(target: Target): Resolved {
  const resolved = resolve(target);
  if (!resolved) throw socketNotConnected();
  return resolved;
}

/** Sets state[0] to the handle's known identity before a native call. */
export function prepare(resolved: Resolved): void {
  state[0] = identities.get(resolved.handle) ?? 0;
}

/** After a native call: remember the identity, or turn the failure into a typed error. */
export function conclude(target: Target, resolved: Resolved, failure: NativeFailure | undefined): void {
  if (!failure) {
    if (!identities.has(resolved.handle)) identities.set(resolved.handle, state[0]);
    return;
  }
  if (failure.errno === ESTALE || failure.errno === EBADF) throw socketClosed(describeTarget(target));
  if (failure.errno === ENOTSOCK) {
    throw invalidArgType(target instanceof net.Server ? 'server' : 'socket', 'a TCP socket (not IPC, UDP or a pipe)', target);
  }
  throw systemError(failure.errno, failure.syscall, failure.option || undefined);
}

export { native };
