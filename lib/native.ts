// The one native boundary: loads the addon, owns the scratch-state protocol of its calls and the
// socket identity they check, and returns typed results; a native failure becomes a typed error
// here. Nothing else in lib/ calls the addon.
import { join } from 'node:path';
import { constants as osConstants } from 'node:os';
import { getSystemErrorMap } from 'node:util';
import { notATcpSocket, socketClosed, systemError } from './errors';

/** What the native layer reports when a syscall failed (errno is positive). */
interface NativeFailure {
  errno: number;
  syscall: string;
  option: string;
}

/** Constants the C++ core defines once (src-native/keepalive.h) and exports. */
export interface NativeConstants {
  stateSlots: number;
  /** Option fields in mask-bit order, which is also the order of the writes. */
  fields: readonly ['enable', 'idle', 'interval', 'count', 'userTimeout'];
  /** The running OS's option behind each field. */
  optionNames: Readonly<Record<'enable' | 'idle' | 'interval' | 'count' | 'userTimeout', string>>;
  /** Bits of probe(): which options the running OS accepts. */
  features: Readonly<Record<'keepIdle' | 'keepIntvl' | 'keepCnt' | 'userTimeout' | 'keepAliveVals' | 'tcpInfo', number>>;
  /** Mask flag (Windows): write enable/idle/interval with the write-only SIO_KEEPALIVE_VALS. */
  viaKeepAliveVals: number;
  /** Mask flag: the values were validated against exact kernel ranges; no rollback reads. */
  validated: number;
  /** What read() reports for a value the platform cannot read back. */
  unreadable: number;
  /** The identity of a TCP socket whose OS has no inode (macOS, FreeBSD): type checked once. */
  checkedWithoutInode: number;
}

// Each call takes (socket, state, ...): state[0] carries the socket's identity in (0 = unknown)
// and out; later slots carry results. A call returns undefined on success.
interface Addon {
  constants: NativeConstants;
  apply(
    socket: number, state: Float64Array, mask: number,
    enable: number, idle: number, interval: number, count: number, userTimeout: number,
  ): NativeFailure | undefined;
  read(socket: number, state: Float64Array): NativeFailure | undefined;
  tcpInfo(socket: number, state: Float64Array, buffer: Uint8Array): NativeFailure | undefined;
  locate(localAddress: string, localPort: number, peerAddress: string | null, peerPort: number, state: Float64Array): boolean;
  probe(): number;
  identify?(socket: number, state: Float64Array): NativeFailure | undefined;
  sockDiag?(request: Uint8Array, dump: boolean): ArrayBuffer | NativeFailure;
  sockDiagMatch?(request: Uint8Array, inodes: Uint32Array, summary: Uint32Array, all: boolean): ArrayBuffer | NativeFailure;
  foreignKeepAlive?(pid: number, fd: number, state: Float64Array): NativeFailure | undefined;
  socketInodes?(pid: number): Float64Array | NativeFailure;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = require('node-gyp-build') as (dir: string) => unknown;
const addon = load(join(__dirname, '..')) as Addon;

export const nativeConstants: NativeConstants = addon.constants;

/** The OS socket of a target, valid for the current synchronous call only. */
export interface OsSocket {
  /** Descriptor (POSIX) or SOCKET value (Windows). */
  fd: number;
  /** The libuv handle it was read from: the key of its identity. */
  handle: object;
  /** How errors name the target. */
  kind: 'socket' | 'server';
}

/** Raw option values in kernel units, indexed like `fields` (`unreadable` where unknown). */
export type KernelValues = [number, number, number, number, number];

// Errno values as the native layer reports them (positive): errno on POSIX, libuv's codes on
// Windows (where os.constants.errno holds the C runtime's numbers instead, and no ESTALE).
function errnoNamed(name: 'ESTALE' | 'ENOTSOCK' | 'EBADF' | 'ENOSYS'): number {
  if (process.platform !== 'win32') return osConstants.errno[name];
  for (const [value, [known]] of getSystemErrorMap()) if (known === name) return -value;
  return Number.NaN;
}
const ESTALE = errnoNamed('ESTALE');
const ENOTSOCK = errnoNamed('ENOTSOCK');
const EBADF = errnoNamed('EBADF');
const ENOSYS = errnoNamed('ENOSYS');

// Identity (inode) of each handle's socket, learned at its first native call. Keyed by the
// handle, so a reconnected net.Socket (new handle) starts over and the entry goes with the handle.
const identities = new WeakMap<object, number>();
// What the native layer learns for a socket that has no inode (macOS, FreeBSD): its type was
// checked once; the call skips that check from then on and reports "no identity" (0) to lib/.
const WITHOUT_INODE = addon.constants.checkedWithoutInode;

// Calls are synchronous: one scratch array serves them all.
const state = new Float64Array(addon.constants.stateSlots);
const TCP_INFO_BUFFER_SIZE = 512; // every struct tcp_info so far (280 bytes on 6.18), with room
const infoBuffer = new Uint8Array(TCP_INFO_BUFFER_SIZE);
const infoView = new DataView(infoBuffer.buffer);

/** The identity learned for a handle: undefined before its first call; 0 where the OS has none. */
export function knownIdentity(handle: object): number | undefined {
  const identity = identities.get(handle);
  return identity === WITHOUT_INODE ? 0 : identity; // no inode: target.ts compares addresses
}

function failed(os: OsSocket, failure: NativeFailure): Error {
  if (failure.errno === ESTALE || failure.errno === EBADF) {
    return socketClosed(os.kind === 'server' ? 'The server' : 'The socket');
  }
  if (failure.errno === ENOTSOCK) return notATcpSocket(os.kind);
  return systemError(failure.errno, failure.syscall, failure.option || undefined);
}

/** Runs one identity-checked native call; throws the typed error of a failure. */
function call(os: OsSocket, invoke: () => NativeFailure | undefined): void {
  state[0] = identities.get(os.handle) ?? 0;
  const failure = invoke();
  if (failure) throw failed(os, failure);
  if (!identities.has(os.handle)) identities.set(os.handle, state[0]);
}

/** Writes the fields of `mask` (kernel units) in field order; all or nothing. */
export function applyValues(os: OsSocket, mask: number, values: Readonly<KernelValues>): void {
  call(os, () => addon.apply(os.fd, state, mask, values[0], values[1], values[2], values[3], values[4]));
}

/** Reads every option (kernel units; `unreadable` where the platform cannot read one back). */
export function readValues(os: OsSocket): KernelValues {
  call(os, () => addon.read(os.fd, state));
  return [state[1], state[2], state[3], state[4], state[5]];
}

/**
 * Reads the kernel's connection-info struct into `buffer` (default: a shared buffer, valid until
 * the next call); `length` is what the kernel filled.
 */
export function readTcpInfo(os: OsSocket, buffer = infoBuffer): { view: DataView; length: number } {
  call(os, () => addon.tcpInfo(os.fd, state, buffer));
  return { view: buffer === infoBuffer ? infoView : new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength), length: state[1] };
}

/** The socket's identity (its inode, = inet_diag's idiag_inode); checks it is a TCP socket. */
export function identify(os: OsSocket): number {
  const known = identities.get(os.handle);
  if (known !== undefined && known !== 0 && known !== WITHOUT_INODE) return known;
  const identifyNative = addon.identify;
  if (!identifyNative) throw systemError(ENOSYS, 'fstat');
  call(os, () => identifyNative(os.fd, state));
  return state[0] === WITHOUT_INODE ? 0 : state[0];
}

/**
 * The options and TCP_INFO of a socket that is being destroyed (descriptor still open), without
 * throwing: null for whatever could not be read.
 */
export function readAtClose(os: OsSocket): { values: KernelValues | null; info: { view: DataView; length: number } | null } {
  let info: { view: DataView; length: number } | null = null;
  let values: KernelValues | null = null;
  try {
    info = readTcpInfo(os);
  } catch {
    info = null;
  }
  try {
    values = readValues(os);
  } catch {
    values = null;
  }
  return { values, info };
}

/**
 * The options of descriptor `fd` of process `pid` (this process: 'self'), checked to still be
 * the socket with `inode`; null when they cannot be read (no rights, or the descriptor changed).
 */
export function readValuesOf(pid: number | 'self', fd: number, inode: number): KernelValues | null {
  state.fill(0);
  state[0] = inode;
  let failure: NativeFailure | undefined;
  if (pid === 'self' || pid === process.pid) failure = addon.read(fd, state);
  else if (addon.foreignKeepAlive) failure = addon.foreignKeepAlive(pid, fd, state);
  else return null;
  return failure ? null : [state[1], state[2], state[3], state[4], state[5]];
}

/** Sends one NETLINK_SOCK_DIAG request and returns the raw reply (a dump's datagrams, concatenated). */
export function sockDiag(request: Uint8Array, dump: boolean): DataView {
  if (!addon.sockDiag) throw systemError(ENOSYS, 'socket', 'NETLINK_SOCK_DIAG');
  const reply = addon.sockDiag(request, dump);
  if ('errno' in reply) throw systemError(reply.errno, reply.syscall, reply.option || undefined);
  return new DataView(reply);
}

const NO_SUMMARY = new Uint32Array(0);

/**
 * Runs one NETLINK_SOCK_DIAG dump and returns, packed, only the records whose inode is in
 * `inodes` (each: u32 slot = index in `inodes`, u16 tcp_info length, u16 0, the 72-byte
 * inet_diag_msg, the tcp_info padded to 4). With `summary` (one u32 per slot, kept by the caller),
 * only the records whose state, timer, probe count or unacknowledged data changed (every match
 * with `all`); summary[slot] = 0 forces the next report of that slot.
 */
export function sockDiagMatch(request: Uint8Array, inodes: Uint32Array, summary: Uint32Array = NO_SUMMARY, all = false): DataView {
  if (!addon.sockDiagMatch) throw systemError(ENOSYS, 'socket', 'NETLINK_SOCK_DIAG');
  const reply = addon.sockDiagMatch(request, inodes, summary, all);
  if ('errno' in reply) throw systemError(reply.errno, reply.syscall, reply.option || undefined);
  return new DataView(reply);
}

/** Pairs (inode, fd) of the sockets process `pid` holds open (0 = this process), from /proc/PID/fd. */
export function socketInodes(pid: number): Float64Array {
  if (!addon.socketInodes) throw systemError(ENOSYS, 'opendir');
  const pairs = addon.socketInodes(pid);
  if (ArrayBuffer.isView(pairs)) return pairs; // (not instanceof: test runners may use another realm)
  const error = systemError(pairs.errno, pairs.syscall);
  error.message = `${error.message}: /proc/${pid === 0 ? 'self' : pid}/fd`;
  throw error;
}

const located = new Float64Array(addon.constants.stateSlots);

/**
 * Walks this thread's libuv loop for the TCP handle bound to `local` and connected to `peer`
 * (null: a listener); its OS socket, or undefined when no handle matches.
 */
export function locate(localAddress: string, localPort: number, peerAddress: string | null, peerPort: number): number | undefined {
  return addon.locate(localAddress, localPort, peerAddress, peerPort, located) ? located[1] : undefined;
}

/** Bits of `nativeConstants.features`: which options the running OS accepts. */
export function probeFeatures(): number {
  return addon.probe();
}
