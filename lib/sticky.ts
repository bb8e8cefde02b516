// Keeps a configuration on a socket although Node re-applies its own keepalive (used by
// setKeepAlive for every socket it configures, and by the integrations).
//
// Node calls `socket.setKeepAlive(true, delay)` on its own (http.Agent when it pools a socket,
// user libraries, ...), and on Linux every such call also forces interval 1 s and count 10. A
// socket configured here gets an own `setKeepAlive` that calls Node's method, then writes this
// package's fields again: only the fields the user gave (plus enable), at the value the kernel
// held just before Node's call, so a later setKeepAlive(socket, ...) of ours survives too. A field
// left out keeps whatever Node's call set. `setKeepAlive(false)` through Node is an explicit
// "off": keepalive goes off and the socket is released (Node's behaviour from then on). Node's
// other path, the handle call made right before 'connect' for `keepAlive: true` sockets, is
// covered by configuring at 'connect'.
import * as net from 'node:net';
import { invalidArgType, type CodedError } from './errors';
import { configure, readKeepAlive, type KeepAliveSettings } from './apply';
import { FIELDS, planFromOptions, type KeepAliveOptions } from './options';
import { resolve } from './target';

type NodeSetKeepAlive = (this: net.Socket, ...args: unknown[]) => net.Socket;

interface Sticky {
  options: KeepAliveOptions;
  /** What `socket.setKeepAlive` was before we wrapped it, and whether it was an own property. */
  original: NodeSetKeepAlive;
  hadOwn: boolean;
}

const sticky = new WeakMap<net.Socket, Sticky>();

/** Node's (enable, delay, interval, count) and, on Node 24.19+ / 26.4+, ({ enable, ... }). */
function nodeEnables(args: unknown[]): boolean {
  const first = args[0];
  if (first !== null && typeof first === 'object') return Boolean((first as { enable?: unknown }).enable);
  return Boolean(first);
}

/** Writes options from inside Node's call: a socket that is gone is left alone, other failures destroy it. */
function write(socket: net.Socket, options: KeepAliveOptions): void {
  if (socket.destroyed) return;
  try {
    configure(socket, planFromOptions(options));
  } catch (error) {
    if ((error as CodedError).code !== 'ERR_SOCKET_CLOSED') socket.destroy(error as Error);
  }
}

function reapply(socket: net.Socket): void {
  const entry = sticky.get(socket);
  if (entry) write(socket, entry.options);
}

/**
 * The kept fields as the kernel holds them now, so that a later setKeepAlive(socket, ...) made
 * with this package is what survives Node's call; undefined when there is no descriptor yet.
 */
function keptFieldsNow(socket: net.Socket, kept: KeepAliveOptions): KeepAliveOptions | undefined {
  let now: KeepAliveSettings;
  try {
    now = readKeepAlive(socket);
  } catch {
    return undefined;
  }
  // enable too: Node's call turns keepalive on, a socket we had turned off must go off again.
  const fields: Record<string, unknown> = { enable: now.enable };
  for (const key of Object.keys(kept) as Array<keyof KeepAliveOptions>) fields[key] = now[key];
  return fields as KeepAliveOptions;
}

function stickySetKeepAlive(this: net.Socket, ...args: unknown[]): net.Socket {
  const entry = sticky.get(this);
  const original = entry ? entry.original : (net.Socket.prototype.setKeepAlive as unknown as NodeSetKeepAlive);
  const enables = nodeEnables(args);
  const before = entry && enables ? keptFieldsNow(this, entry.options) : undefined;
  const result = Reflect.apply(original, this, args) as net.Socket;
  if (enables) {
    if (before) write(this, before);
    else reapply(this);
  } else {
    releaseKeepAlive(this);
    // Node skips the call when its cache says "already off" although we turned keepalive on.
    write(this, { enable: false });
  }
  return result;
}

function checkSocket(socket: unknown): net.Socket {
  if (socket instanceof net.Socket) return socket;
  throw invalidArgType('socket', 'an instance of net.Socket or tls.TLSSocket', socket);
}

/** The fields the caller gave (undefined means "not given", so not kept). */
function givenFields(options: KeepAliveOptions, into: KeepAliveOptions): KeepAliveOptions {
  const record = options as Record<string, unknown>;
  const target = into as Record<string, unknown>;
  for (const field of FIELDS) if (record[field] !== undefined) target[field] = record[field];
  return into;
}

/**
 * Records `options` for the socket and wraps its `setKeepAlive` without touching the kernel:
 * for sockets that already hold the configuration (accepted from a configured listener).
 * `options` must have been validated by the caller. Calling it again merges (later values win).
 */
export function adoptKeepAlive(socket: net.Socket, options: KeepAliveOptions): void {
  const entry = sticky.get(socket);
  if (entry) {
    givenFields(options, entry.options);
    return;
  }
  const hadOwn = Object.prototype.hasOwnProperty.call(socket, 'setKeepAlive');
  const original = socket.setKeepAlive as unknown as NodeSetKeepAlive;
  sticky.set(socket, { options: givenFields(options, {}), original, hadOwn });
  Object.defineProperty(socket, 'setKeepAlive', {
    value: stickySetKeepAlive,
    writable: true,
    configurable: true,
    enumerable: false,
  });
}

/**
 * Keeps `options`, just applied by setKeepAlive, on the socket. A socket whose descriptor exists
 * while connecting was configured at once, but Node's handle call for `keepAlive: true` comes
 * right before 'connect': the options are written again then.
 */
export function keep(socket: net.Socket, options: KeepAliveOptions): void {
  const first = !sticky.has(socket);
  adoptKeepAlive(socket, options);
  if (first && socket.connecting && resolve(socket)) socket.prependOnceListener('connect', () => reapply(socket));
}

/** Stops keeping the configuration on `socket` (the kernel keeps its current values). */
export function releaseKeepAlive(socket: net.Socket): void {
  checkSocket(socket);
  const entry = sticky.get(socket);
  if (!entry) return;
  sticky.delete(socket);
  if (entry.hadOwn) {
    Object.defineProperty(socket, 'setKeepAlive', { value: entry.original, writable: true, configurable: true });
  } else {
    delete (socket as { setKeepAlive?: unknown }).setKeepAlive;
  }
}

/** The options kept on `socket`, or undefined when it is not kept. */
export function keptKeepAlive(socket: net.Socket): Readonly<KeepAliveOptions> | undefined {
  const entry = sticky.get(socket);
  return entry ? { ...entry.options } : undefined;
}
