// setKeepAlive / getKeepAlive: one native call each; sockets without a descriptor yet get the
// plan applied the moment they connect, before user 'connect' listeners run.
import type * as net from 'node:net';
import { limits } from './platform';
import { planFromOptions, mergePlans, type Plan } from './options';
import { native, prepare, conclude, resolve, resolveNow, state, checkTarget, type Target, type Resolved } from './target';

/** What the kernel holds for a socket, in ms (count in probes). */
export interface KeepAliveSettings {
  enable: boolean;
  idle: number;
  interval: number;
  count: number;
  /** TCP_USER_TIMEOUT in ms; 0 = the kernel default (tcp_retries2). */
  userTimeout: number;
}

// Plans waiting for a socket to connect (merged, so later calls win as if applied in order).
const pending = new WeakMap<net.Socket, Plan>();

function applyPlan(target: Target, resolved: Resolved, plan: Plan): void {
  const [enable, idle, interval, count, userTimeout] = plan.values;
  prepare(resolved);
  conclude(target, resolved, native.apply(resolved.fd, state, plan.mask, enable, idle, interval, count, userTimeout));
}

// Runs the queued plan when the socket emits 'connect', before any 'connect' listener. If it
// fails, the socket is destroyed with the error and 'connect' is not emitted at all.
function applyOnConnect(socket: net.Socket, plan: Plan): void {
  const earlier = pending.get(socket);
  pending.set(socket, earlier ? mergePlans(earlier, plan) : plan);
  if (earlier) return;
  const hadOwnEmit = Object.prototype.hasOwnProperty.call(socket, 'emit');
  const originalEmit = socket.emit;
  socket.emit = function emitAfterConfiguring(this: net.Socket, event: string | symbol, ...args: unknown[]): boolean {
    if (event !== 'connect' && event !== 'close') return originalEmit.call(this, event, ...args);
    if (hadOwnEmit) socket.emit = originalEmit;
    else delete (socket as { emit?: unknown }).emit;
    const queued = pending.get(socket);
    pending.delete(socket);
    if (event === 'connect' && queued) {
      try {
        applyPlan(socket, resolveNow(socket), queued);
      } catch (error) {
        socket.destroy(error as Error);
        return false;
      }
    }
    return originalEmit.call(this, event, ...args);
  } as typeof socket.emit;
}

/**
 * Configures keepalive on a socket or listening server. All options are validated before any
 * syscall; if a syscall fails, options already written are restored and the error is thrown.
 * A socket that has no OS socket yet gets the configuration when it connects; a failure then
 * destroys it with the error (an 'error' event).
 */
export function setKeepAlive(socket: net.Socket | net.Server, options: import('./options').KeepAliveOptions): void {
  const target = checkTarget(socket);
  const plan = planFromOptions(options);
  const resolved = resolve(target);
  if (resolved) applyPlan(target, resolved, plan);
  else applyOnConnect(target as net.Socket, plan);
}

/** Reads what the kernel holds for the socket or listening server (system defaults if never set). */
export function getKeepAlive(socket: net.Socket | net.Server): KeepAliveSettings {
  const target = checkTarget(socket);
  const resolved = resolveNow(target);
  prepare(resolved);
  conclude(target, resolved, native.read(resolved.fd, state));
  return {
    enable: state[1] !== 0,
    idle: state[2] * limits.idleUnitMs,
    interval: state[3] * limits.intervalUnitMs,
    count: state[4],
    userTimeout: state[5] * limits.userTimeoutUnitMs,
  };
}
