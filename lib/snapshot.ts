// Live connection state from inet_diag: the exact lookup of one socket (getKeepAliveTimer) and
// one dump per address family for many (snapshot), matched to sockets by inode.
import * as net from 'node:net';
import { invalidArgType, socketNotConnected } from './errors';
import { identify, socketInodes } from './native';
import { checkSocket, resolve, resolveNow } from './target';
import { TCP_STATES, decodeTcpInfo, type TcpInfo, type TcpState } from './tcp-info';
import {
  AF_INET, AF_INET6, CONNECTION_STATES, buildRequest, exchange, forEachRecord, readFields,
  type DiagRecord, type TimerName,
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

/** The address family to dump for a socket (a v4-mapped dual-stack socket is AF_INET6). */
export function familyOf(socket: net.Socket): number {
  return (socket.localAddress ?? '').includes(':') ? AF_INET6 : AF_INET;
}

function toState(record: DiagRecord): ConnectionState {
  const fields = readFields(record);
  const tcpInfo = record.infoLength > 0
    ? decodeTcpInfo(new DataView(record.view.buffer, record.infoOffset, record.infoLength), record.infoLength)
    : undefined;
  return {
    localAddress: fields.localAddress,
    localPort: fields.localPort,
    remoteAddress: fields.remoteAddress,
    remotePort: fields.remotePort,
    family: fields.family,
    state: TCP_STATES[fields.stateNumber] ?? 'UNKNOWN',
    timer: fields.timer,
    expiresIn: fields.expiresIn,
    probesOut: fields.probesOut,
    inode: record.inode,
    tcpInfo,
  };
}

/**
 * Reads the live timer of one connected socket with one exact inet_diag lookup of its 4-tuple,
 * confirmed by inode (if the lookup misses, one dump of that family by inode). A socket the kernel
 * has already taken out of its tables (aborted, not yet noticed by Node) has no timer:
 * `{ timer: 'none', expiresIn: 0, probesOut: 0 }`.
 */
export function getKeepAliveTimer(socket: net.Socket): KeepAliveTimer {
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
 * The kernel's view of many connections with ONE netlink dump per address family needed.
 * - `snapshot()` — every TCP connection this process holds open (listeners excluded).
 * - `snapshot(sockets)` — those sockets, in the given order; a socket without a live OS socket
 *   in the kernel's tables (pending, destroyed, already aborted) is left out.
 */
export function snapshot(sockets?: ReadonlyArray<net.Socket>): ConnectionState[] {
  if (sockets === undefined) {
    const own = processSocketInodes();
    return [...dumpByInode([AF_INET, AF_INET6], (inode) => own.has(inode)).values()];
  }
  if (!Array.isArray(sockets)) throw invalidArgType('sockets', 'an array of net.Socket or tls.TLSSocket', sockets);
  const inodes: Array<number | undefined> = new Array(sockets.length);
  const wanted = new Set<number>();
  const families = new Set<number>();
  sockets.forEach((socket, i) => {
    const inode = inodeOf(checkSocket(socket, `sockets[${i}]`, true));
    inodes[i] = inode;
    if (inode === undefined) return;
    wanted.add(inode);
    families.add(familyOf(socket));
  });
  if (wanted.size === 0) return [];
  const found = dumpByInode(families, (inode) => wanted.has(inode));
  const result: ConnectionState[] = [];
  for (const inode of inodes) {
    const entry = inode === undefined ? undefined : found.get(inode);
    if (entry) result.push(entry);
  }
  return result;
}
