// Live connection state from inet_diag: the exact lookup of one socket (getKeepAliveTimer) and
// one dump per address family for many (snapshot), matched to sockets by inode.
import * as net from 'node:net';
import { endianness } from 'node:os';
import { invalidArgType, readArgument, socketNotConnected } from './errors';
import { identify, sockDiagMatch, socketInodes } from './native';
import { handleOf, isProxy } from './node-internals';
import { checkSocket, readThrough, resolve, resolveNow } from './target';
import { TCP_STATES, decodeTcpInfo, type TcpInfo, type TcpState } from './tcp-info';
import {
  AF_INET, AF_INET6, CONNECTION_STATES, MAX_FILTER_PORTS, addressAt, buildRequest, exchange, forEachMatch, forEachRecord,
  inodeAt, readFields, type DiagRecord, type PortFilter, type TimerName,
} from './diag';

export type { TimerName } from './diag';

/** The live timer of one connection (from the kernel's sock_diag). */
export interface KeepAliveTimer {
  /** Which timer is pending. 'keepalive' is the socket timer (keepalive, also FIN_WAIT2). */
  timer: TimerName;
  /** ms until that timer fires (0 when none). A wake-up, not necessarily a probe. */
  expiresIn: number;
  /** Keepalive (or zero-window) probes sent and not answered yet. */
  probesOut: number;
}

/** One connection as the kernel sees it at the moment of the dump. */
export interface ConnectionState extends KeepAliveTimer {
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  family: 'IPv4' | 'IPv6';
  state: TcpState;
  /** The socket's inode (= fstat(fd).st_ino), how records are matched to sockets. */
  inode: number;
  /** TCP_INFO carried in the same record (INET_DIAG_INFO), decoded like getTcpInfo(). */
  tcpInfo: TcpInfo | undefined;
}


const NO_TIMER: KeepAliveTimer = Object.freeze({ timer: 'none', expiresIn: 0, probesOut: 0 });

/** The inode of a socket's OS socket, or undefined when it has none (pending, destroyed). */
export function inodeOf(socket: net.Socket): number | undefined {
  if (socket.destroyed) return undefined;
  const os = resolve(socket);
  return os ? identify(os) : undefined;
}

/** What a dump needs to know of a socket, learned once per libuv handle. */
export interface DumpKey {
  handle: object;
  inode: number;
  family: number;
  localPort: number;
  remotePort: number;
}
const dumpKeys = new WeakMap<net.Socket, DumpKey>();

/**
 * The inode, family and ports of a connected socket (cached per handle: the profile of a
 * 10,000-socket snapshot showed the per-socket lookups as a third of its JavaScript); undefined
 * when it has no OS socket (pending, destroyed).
 */
export function dumpKeyOf(socket: net.Socket): DumpKey | undefined {
  const cached = dumpKeys.get(socket);
  if (cached !== undefined && !socket.destroyed && handleOf(socket) === cached.handle) return cached;
  if (socket.destroyed) return undefined;
  const os = resolve(socket);
  if (!os) return undefined;
  const key = { handle: os.handle, inode: identify(os), family: familyOf(socket), localPort: socket.localPort ?? 0, remotePort: socket.remotePort ?? 0 };
  // Not for a proxy: the fast path reads it without going through readThrough.
  if (key.localPort !== 0 && key.remotePort !== 0 && !isProxy(socket)) dumpKeys.set(socket, key);
  return key;
}

/** The cached key of a socket checked before (never a proxy), still on the same handle. */
function knownKey(socket: unknown): DumpKey | undefined {
  const cached = dumpKeys.get(socket as net.Socket);
  if (cached === undefined) return undefined;
  const known = socket as net.Socket;
  return !known.destroyed && handleOf(known) === cached.handle ? cached : undefined;
}

/** Distinct ports, counted up to MAX_FILTER_PORTS + 1 (past that no port filter can be used). */
class FewPorts {
  readonly list: number[] = [];
  add(port: number): void {
    const list = this.list;
    if (list.length > MAX_FILTER_PORTS || list.includes(port)) return;
    list.push(port);
  }
  get size(): number {
    return this.list.length;
  }
  keys(): Iterable<number> {
    return this.list;
  }
}

/** The address family to dump for a socket (a v4-mapped dual-stack socket is AF_INET6). */
export function familyOf(socket: net.Socket): number {
  return (socket.localAddress ?? '').includes(':') ? AF_INET6 : AF_INET;
}

/**
 * A ConnectionState read from a reply: the inet_diag fields are own properties, TCP_INFO is
 * decoded from the reply's bytes at the first read of `tcpInfo` (decoding 56 fields was most of
 * what a snapshot cost). JSON.stringify includes it (toJSON); a spread copies the own fields only.
 */
class DiagState implements ConnectionState {
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  family: 'IPv4' | 'IPv6';
  state: TcpState;
  timer: TimerName;
  expiresIn: number;
  probesOut: number;
  inode: number;
  #view: DataView | null;
  #info: number;
  #length: number;
  #decoded: TcpInfo | undefined = undefined;

  constructor(view: DataView, msg: number, info: number, infoLength: number) {
    const ipv6 = view.getUint8(msg) === AF_INET6; // idiag_family
    const timerNumber = view.getUint8(msg + 2); // idiag_timer
    const timer = TIMER_NAMES[timerNumber] ?? 'none';
    this.localAddress = addressAt(view, msg + 8, ipv6);
    this.localPort = view.getUint16(msg + 4, false);
    this.remoteAddress = addressAt(view, msg + 24, ipv6);
    this.remotePort = view.getUint16(msg + 6, false);
    this.family = ipv6 ? 'IPv6' : 'IPv4';
    this.state = TCP_STATES[view.getUint8(msg + 1)] ?? 'UNKNOWN';
    this.timer = timer;
    this.expiresIn = timer === 'none' ? 0 : view.getUint32(msg + 52, LITTLE);
    // idiag_retrans: probes out for the keepalive (2) and zero-window probe (4) timers
    this.probesOut = timerNumber === 2 || timerNumber === 4 ? view.getUint8(msg + 3) : 0;
    this.inode = inodeAt(view, msg);
    this.#view = infoLength > 0 ? view : null;
    this.#info = info;
    this.#length = infoLength;
  }

  /** TCP_INFO carried in the same record (INET_DIAG_INFO), decoded like getTcpInfo(). */
  get tcpInfo(): TcpInfo | undefined {
    const view = this.#view;
    if (view) {
      this.#view = null;
      this.#decoded = decodeTcpInfo(new DataView(view.buffer, view.byteOffset + this.#info, this.#length), this.#length);
    }
    return this.#decoded;
  }

  toJSON(): ConnectionState {
    return { ...this, tcpInfo: this.tcpInfo };
  }
}

const TIMER_NAMES: readonly TimerName[] = ['none', 'retransmit', 'keepalive', 'time-wait', 'zero-window-probe'];
const LITTLE = endianness() === 'LE';

function toState(record: DiagRecord): ConnectionState {
  return new DiagState(record.view, record.offset, record.infoOffset, record.infoLength);
}

// A kernel before 4.16 has no port-equality bytecode and rejects the filter (EINVAL): dump
// unfiltered from then on.
let portFiltersWork = true;

/** One dump of `family` (connection states, with TCP_INFO), matched in C++ against `inodes`. */
export function matchDump(family: number, inodes: Uint32Array, filter?: PortFilter, summary?: Uint32Array, all = false): DataView {
  const filtered = portFiltersWork ? filter : undefined;
  try {
    return sockDiagMatch(buildRequest(family, CONNECTION_STATES, true, undefined, filtered), inodes, summary, all);
  } catch (error) {
    if (!filtered || (error as { code?: string }).code !== 'EINVAL') throw error;
    portFiltersWork = false;
    return matchDump(family, inodes, undefined, summary, all);
  }
}

/** Calls `visit(slot, state)` for each record of a `matchDump` reply. */
export function forEachState(reply: DataView, visit: (slot: number, state: ConnectionState) => void): void {
  forEachMatch(reply, (slot, msg, info, infoLength) => visit(slot, new DiagState(reply, msg, info, infoLength)));
}

/** The kernel-side filter that keeps every socket with these ports: the side with fewer distinct ports. */
export function portFilter(localPorts: { size: number; keys(): Iterable<number> }, remotePorts: { size: number; keys(): Iterable<number> }): PortFilter | undefined {
  const side = localPorts.size <= remotePorts.size ? 'local' : 'remote';
  const ports = side === 'local' ? localPorts : remotePorts;
  if (ports.size === 0 || ports.size > MAX_FILTER_PORTS) return undefined;
  return { side, ports: [...ports.keys()] };
}

/**
 * Reads the live timer of one connected socket with one exact inet_diag lookup of its 4-tuple,
 * confirmed by inode (if the lookup misses, one dump of that family by inode). A socket the kernel
 * has already taken out of its tables (aborted, not yet noticed by Node) has no timer:
 * `{ timer: 'none', expiresIn: 0, probesOut: 0 }`.
 */
export function getKeepAliveTimer(socket: net.Socket): KeepAliveTimer {
  return readThrough(socket, 'socket', () => timerOf(socket));
}

function timerOf(socket: net.Socket): KeepAliveTimer {
  const target = checkSocket(socket, 'socket', true);
  const inode = identify(resolveNow(target));
  const { localAddress, localPort, remoteAddress, remotePort } = target;
  if (!localAddress || !localPort || !remoteAddress || !remotePort) throw socketNotConnected();
  const tuple = { family: familyOf(target), localAddress, localPort, remoteAddress, remotePort };
  let timer: KeepAliveTimer = NO_TIMER;
  try {
    // The lookup falls back to a listener on the local port: only our inode counts.
    forEachRecord(exchange(buildRequest(tuple.family, 0xffffffff, false, tuple), false), (record) => {
      if (record.inode !== inode) return;
      const { timer: name, expiresIn, probesOut } = readFields(record);
      timer = { timer: name, expiresIn, probesOut };
    });
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT') throw error;
  }
  if (timer !== NO_TIMER) return timer;
  // Not found by 4-tuple (e.g. a link-local address whose zone the lookup lacks): one dump of
  // the family by inode settles it; absent there too means out of the tables, so no timer.
  const found = dumpByInode([tuple.family], (candidate) => candidate === inode).get(inode);
  return found ? { timer: found.timer, expiresIn: found.expiresIn, probesOut: found.probesOut } : { ...NO_TIMER };
}

/**
 * Inodes of the sockets a process holds open (inode -> fd), from its /proc/PID/fd links
 * "socket:[INODE]": one native call that lists and reads them all.
 */
export function processSocketInodes(pid: number | 'self' = 'self'): Map<number, number> {
  const inodes = new Map<number, number>();
  const pairs = socketInodes(pid === 'self' ? 0 : pid);
  for (let i = 0; i < pairs.length; i += 2) inodes.set(pairs[i], pairs[i + 1]);
  return inodes;
}

/**
 * One dump per family in `families` (connection states only); returns the records whose inode
 * `wanted` accepts, keyed by inode. Cost: the dump plus one tcp_info decode per match.
 */
export function dumpByInode(families: Iterable<number>, wanted: (inode: number) => boolean): Map<number, ConnectionState> {
  const found = new Map<number, ConnectionState>();
  for (const family of families) {
    const reply = exchange(buildRequest(family, CONNECTION_STATES, true), true);
    forEachRecord(reply, (record) => {
      if (record.inode !== 0 && wanted(record.inode)) found.set(record.inode, toState(record));
    });
  }
  return found;
}

/**
 * The kernel's view of many connections with ONE netlink dump per address family needed,
 * filtered by port in the kernel and matched by inode in C++.
 * - `snapshot()` — every TCP connection this process holds open (listeners excluded).
 * - `snapshot(sockets)` — those sockets, in the given order; a socket without a live OS socket
 *   in the kernel's tables (pending, destroyed, already aborted) is left out.
 */
export function snapshot(sockets?: ReadonlyArray<net.Socket>): ConnectionState[] {
  if (sockets === undefined) {
    const inodes = Uint32Array.from(processSocketInodes().keys());
    const result: ConnectionState[] = [];
    for (const family of [AF_INET, AF_INET6]) forEachState(matchDump(family, inodes), (_slot, state) => result.push(state));
    return result;
  }
  if (!readArgument('sockets', () => Array.isArray(sockets))) throw invalidArgType('sockets', 'an array of net.Socket or tls.TLSSocket', sockets);
  // A proxy of an array is read once, here, so that its traps cannot throw later.
  const list = isProxy(sockets) ? readArgument('sockets', () => Array.from(sockets)) : sockets;
  const count = list.length;
  const inodes = new Uint32Array(count);
  const localPorts = new FewPorts();
  const remotePorts = new FewPorts();
  let v4 = false;
  let v6 = false;
  let asked = 0;
  let unknownPorts = false;
  for (let i = 0; i < count; i++) {
    const socket = list[i];
    // A socket seen before on the same handle skips the checks (the profile: a third of the loop).
    const key = knownKey(socket) ?? readThrough(socket, `sockets[${i}]`, () => dumpKeyOf(checkSocket(socket, `sockets[${i}]`, true)));
    if (key === undefined) continue;
    inodes[i] = key.inode;
    asked++;
    if (key.family === AF_INET6) v6 = true;
    else v4 = true;
    if (key.localPort === 0 || key.remotePort === 0) unknownPorts = true;
    localPorts.add(key.localPort);
    remotePorts.add(key.remotePort);
  }
  if (asked === 0) return [];
  const filter = unknownPorts ? undefined : portFilter(localPorts, remotePorts);
  const bySlot: Array<ConnectionState | undefined> = new Array(count);
  const families = v4 && v6 ? [AF_INET, AF_INET6] : [v6 ? AF_INET6 : AF_INET];
  for (const family of families) forEachState(matchDump(family, inodes, filter), (slot, state) => (bySlot[slot] = state));
  const result: ConnectionState[] = [];
  let byInode: Map<number, ConnectionState> | undefined;
  for (let i = 0; i < count; i++) {
    let entry = bySlot[i];
    if (entry === undefined && inodes[i] !== 0) {
      // The same socket given twice (the first slot holds it), or gone from the kernel's tables.
      byInode ??= new Map(bySlot.filter((s): s is ConnectionState => s !== undefined).map((s) => [s.inode, s]));
      entry = byInode.get(inodes[i]);
    }
    if (entry) result.push(entry);
  }
  return result;
}
