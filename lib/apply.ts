// The core operations: apply a validated plan to a target (now, or when it connects) and read
// back what the kernel holds. One native call each.
import type * as net from 'node:net';
import { platformPlan, rememberPlan, settingsFrom } from './remembered';
import { mergePlans, type Plan } from './options';
import { native, prepare, conclude, resolve, resolveNow, state, type Target, type Resolved } from './target';

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

function applyPlan(target: Target, resolved: Resolved, requested: Plan): void {
  const plan = platformPlan(resolved.handle, requested);
  const [enable, idle, interval, count, userTimeout] = plan.values;
  prepare(resolved);
  conclude(target, resolved, native.apply(resolved.fd, state, plan.mask, enable, idle, interval, count, userTimeout));
  rememberPlan(resolved.handle, plan);
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
    if (event !== 'connect' && event !== 'close') return Reflect.apply(originalEmit, this, [event, ...args]) as boolean;
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
    return Reflect.apply(originalEmit, this, [event, ...args]) as boolean;
  } as typeof socket.emit;
}

/** Applies `plan` now, or when the socket connects if it has no OS socket yet. */
export function configure(target: Target, plan: Plan): void {
  const resolved = resolve(target);
  if (resolved) applyPlan(target, resolved, plan);
  else applyOnConnect(target as net.Socket, plan);
}

/** What the kernel holds for the target now. */
export function readKeepAlive(target: Target): KeepAliveSettings {
  const resolved = resolveNow(target);
  prepare(resolved);
  conclude(target, resolved, native.read(resolved.fd, state));
  return settingsFrom(resolved.handle, state);
}
