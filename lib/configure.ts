// Applying a configuration, in one place: now when the OS socket exists, or recorded and applied
// when the socket connects; and kept: written again at every (re)connect of the socket object and
// after each of Node's own `socket.setKeepAlive` calls (which on Linux also force interval 1 s and
// count 10). Only fields the user gave are kept; Node's `setKeepAlive(false)` is an explicit "off"
// and releases the socket.
import * as net from 'node:net';
import type { CodedError } from './errors';
import { invalidArgValue } from './errors';
import { applyValues, nativeConstants, readValues, type KernelValues, type OsSocket } from './native';
import { lostItsHandle, onEveryConnect, unwrapSetKeepAlive, wrapSetKeepAlive } from './node-internals';
import { configFromKernel, fieldBit, mergeConfigs, readOptions, type KeepAliveConfig } from './options';
import { rules } from './platform';
import { resolve, resolveNow, type Target } from './target';
import { settingsFromUnits, type KeepAliveSettings, type WrittenTimes } from './units';

// ---- the write-only path (Windows without TCP_KEEPIDLE: SIO_KEEPALIVE_VALS) ------------------

const KEEPALIVE_BITS = fieldBit('enable') | fieldBit('idle') | fieldBit('interval');
const VALIDATED = nativeConstants.validated;
const written = new WeakMap<object, WrittenTimes>();

/** The mask and values as the native layer needs them for this handle. */
export function forPlatform(os: OsSocket, config: KeepAliveConfig): { mask: number; values: Readonly<KernelValues> } {
  if (!rules.keepAliveVals || (config.mask & KEEPALIVE_BITS) === 0) {
    // Every config is validated (readOptions) or read back from the kernel (configFromKernel).
    return rules.exactRanges ? { mask: config.mask | VALIDATED, values: config.values } : config;
  }
  // The ioctl always takes enable, idle and interval: fill in what was last written.
  const last = written.get(os.handle) ?? rules.defaults;
  const values: KernelValues = [...config.values];
  if (!(config.mask & fieldBit('idle'))) values[1] = last.idle;
  if (!(config.mask & fieldBit('interval'))) values[2] = last.interval;
  return { mask: config.mask | KEEPALIVE_BITS | nativeConstants.viaKeepAliveVals, values };
}

function applyNow(os: OsSocket, config: KeepAliveConfig): void {
  const { mask, values } = forPlatform(os, config);
  applyValues(os, mask, values);
  if (mask & nativeConstants.viaKeepAliveVals) written.set(os.handle, { idle: values[1], interval: values[2] });
}

/** What the kernel holds for the target now, in ms. */
export function readSettings(target: Target): KeepAliveSettings {
  const os = resolveNow(target);
  return settingsFromUnits(readValues(os), written.get(os.handle));
}

// ---- per socket: what waits for 'connect', what is kept ----------------------------------------

interface SocketRecord {
  /** Configurations given before the socket had an OS socket, merged (later values win). */
  queued: KeepAliveConfig | undefined;
  /** The configuration kept on the socket (merged), undefined when not kept. */
  kept: KeepAliveConfig | undefined;
  /** Process-wide mode: a socket that turns out not to be TCP (a Unix socket) is left alone. */
  onlyTcp: boolean;
}

const records = new WeakMap<net.Socket, SocketRecord>();

// At every 'connect' (Node has just written its own connect-time keepalive): the kept
// configuration, or what was queued for a socket that is not kept. Throwing destroys the socket.
function atConnect(socket: net.Socket): void {
  const record = records.get(socket);
  const config = record?.kept ?? record?.queued;
  if (!record || !config) return;
  record.queued = undefined;
  try {
    applyNow(resolveNow(socket), config);
  } catch (error) {
    // Not a TCP socket (a Unix socket; known only now), refused before any write: left alone.
    if (!record.onlyTcp || (error as CodedError).code !== 'ERR_INVALID_ARG_TYPE') throw error;
    release(socket);
  }
}

/** Node's (enable, delay, ...) and, on Node 24.19+ / 26.4+, ({ enable, ... }). */
function nodeEnables(args: unknown[]): boolean {
  const first = args[0];
  if (first !== null && typeof first === 'object') return Boolean((first as { enable?: unknown }).enable);
  return Boolean(first);
}

/** Writes from inside Node's call: a socket that is gone is left alone, other failures destroy it. */
function writeQuietly(socket: net.Socket, config: KeepAliveConfig): void {
  try {
    const os = resolve(socket);
    if (os) applyNow(os, config);
  } catch (error) {
    if ((error as CodedError).code !== 'ERR_SOCKET_CLOSED') socket.destroy(error as Error);
  }
}

/** The kept fields (and enable) as the kernel holds them now, or undefined without a descriptor. */
function keptFieldsNow(socket: net.Socket, kept: KeepAliveConfig): KeepAliveConfig | undefined {
  try {
    const os = resolve(socket);
    if (!os) return undefined;
    const values = readValues(os);
    // Values the platform cannot read back are the ones last written there.
    const held = settingsFromUnits(values, written.get(os.handle));
    if (values[1] === nativeConstants.unreadable) values[1] = held.idle / rules.idleUnitMs;
    if (values[2] === nativeConstants.unreadable) values[2] = held.interval / rules.intervalUnitMs;
    return configFromKernel(kept.mask | fieldBit('enable'), values);
  } catch {
    return undefined;
  }
}

// In place of Node's socket.setKeepAlive on a kept socket: Node's call, then the kept fields
// again at the values the kernel held just before, so a later setKeepAlive of ours survives too.
function followNodeSetKeepAlive(socket: net.Socket, next: (...args: unknown[]) => net.Socket, args: unknown[]): net.Socket {
  const kept = records.get(socket)?.kept;
  const enables = nodeEnables(args);
  const before = kept && enables ? keptFieldsNow(socket, kept) : undefined;
  const result = Reflect.apply(next, socket, args) as net.Socket;
  if (!enables) {
    release(socket);
    // Node skips the call when its cache says "already off" although we turned keepalive on.
    writeQuietly(socket, readOptions({ enable: false }));
  } else if (before) {
    writeQuietly(socket, before);
  } else if (kept) {
    writeQuietly(socket, kept);
  }
  return result;
}

/** Installs the connect hook and the setKeepAlive wrapper; a socket that cannot take them is refused. */
function prepareKeeping(socket: net.Socket): SocketRecord {
  let record = records.get(socket);
  if (record) return record;
  if (!Object.isExtensible(socket)) {
    throw invalidArgValue('socket', 'is frozen or sealed: its configuration could not be kept through reconnects and Node\'s own setKeepAlive');
  }
  onEveryConnect(socket, atConnect);
  record = { queued: undefined, kept: undefined, onlyTcp: false };
  records.set(socket, record);
  return record;
}

function release(socket: net.Socket): void {
  const record = records.get(socket);
  if (record) record.kept = undefined;
  unwrapSetKeepAlive(socket);
}

/**
 * Applies `config` to the target now, or when a socket connects if it has no OS socket yet; on
 * a socket the given fields are kept from then on (`enable: false` too: keepalive stays off).
 */
export function configure(target: Target, config: KeepAliveConfig, onlyTcp = false): void {
  if (target instanceof net.Server) {
    applyNow(resolveNow(target), config);
    return;
  }
  const os = resolve(target); // every check before the first write
  const record = prepareKeeping(target);
  if (onlyTcp) record.onlyTcp = true;
  if (os) applyNow(os, config);
  else record.queued = record.queued ? mergeConfigs(record.queued, config) : config;
  keep(target, record, config);
}

function keep(socket: net.Socket, record: SocketRecord, config: KeepAliveConfig): void {
  record.kept = record.kept ? mergeConfigs(record.kept, config) : config;
  wrapSetKeepAlive(socket, followNodeSetKeepAlive);
}

/**
 * Keeps `config` on a socket that already holds it (accepted from a configured listener) without
 * writing the kernel. Calling it again merges (later values win).
 */
export function adoptKeepAlive(socket: net.Socket, config: KeepAliveConfig): void {
  keep(socket, prepareKeeping(socket), config);
}

/** Stops keeping the configuration on `socket` (the kernel keeps its current values). */
export function releaseKeepAlive(socket: net.Socket): void {
  release(socket);
}

/** The options kept on `socket` (as given, in ms), or undefined when it keeps none. */
export function keptOptions(socket: net.Socket): KeepAliveConfig | undefined {
  const record = records.get(socket);
  if (!record?.kept) return undefined;
  if (lostItsHandle(socket)) {
    release(socket); // sent to another process: nothing here holds the options any more
    return undefined;
  }
  return record.kept;
}
