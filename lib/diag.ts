// NETLINK_SOCK_DIAG / inet_diag (Linux): builds requests, runs them through the native layer
// (one request, raw reply bytes back) and walks the reply records. Layouts: include/uapi/linux/
// inet_diag.h and sock_diag.h; offsets are listed next to each read.
import { endianness } from 'node:os';
import { invalidArgValue, systemError } from './errors';
import { sockDiag } from './native';

export const AF_INET = 2;
export const AF_INET6 = 10;
const IPPROTO_TCP = 6;
const SOCK_DIAG_BY_FAMILY = 20;
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const NLM_F_REQUEST = 0x1;
const NLM_F_DUMP = 0x300;
const INET_DIAG_INFO = 2;
const NLMSG_HEADER = 16;
const REQUEST_SIZE = NLMSG_HEADER + 56; // nlmsghdr + inet_diag_req_v2
const MSG_SIZE = 72; // struct inet_diag_msg
const LITTLE = endianness() === 'LE';

export type TimerName = 'none' | 'retransmit' | 'keepalive' | 'time-wait' | 'zero-window-probe';
// idiag_timer: 1 retransmit family, 2 sk_timer (keepalive), 3 TIME_WAIT, 4 zero-window probe.
const TIMERS: readonly TimerName[] = ['none', 'retransmit', 'keepalive', 'time-wait', 'zero-window-probe'];

/** TCP state bits for idiag_states (1 << tcpi_state). */
export const STATE_BIT = { LISTEN: 1 << 10, TIME_WAIT: 1 << 6, NEW_SYN_RECV: 1 << 12 } as const;
/** Every state that can belong to a connected socket with an inode (no listeners, no TIME_WAIT). */
export const CONNECTION_STATES = (0xffffffff & ~(STATE_BIT.LISTEN | STATE_BIT.TIME_WAIT | STATE_BIT.NEW_SYN_RECV)) >>> 0;

/** The 4-tuple of an exact lookup. Addresses as Node prints them; IPv4 with AF_INET6 is v4-mapped. */
export interface SocketTuple {
  family: number;
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
}

/** Parses an IPv4 or IPv6 text address into 4 or 16 bytes (an IPv6 zone "%eth0" is ignored). */
export function addressBytes(address: string): Uint8Array {
  if (!address.includes(':')) return ipv4Bytes(address);
  const text = address.split('%')[0];
  const bytes = new Uint8Array(16);
  const halves = text.split('::');
  if (halves.length > 2) throw invalidArgValue('address', `is not an IPv6 address: ${address}`);
  const groups = (part: string): number[] => {
    if (part === '') return [];
    const words: number[] = [];
    for (const piece of part.split(':')) {
      if (piece.includes('.')) {
        const v4 = ipv4Bytes(piece);
        words.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(piece)) throw invalidArgValue('address', `is not an IPv6 address: ${address}`);
        words.push(parseInt(piece, 16));
      }
    }
    return words;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (head.length + tail.length > 8 || (halves.length === 1 && head.length !== 8)) {
    throw invalidArgValue('address', `is not an IPv6 address: ${address}`);
  }
  const words = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  words.forEach((word, i) => {
    bytes[2 * i] = word >> 8;
    bytes[2 * i + 1] = word & 0xff;
  });
  return bytes;
}

function ipv4Bytes(address: string): Uint8Array {
  const parts = address.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
    throw invalidArgValue('address', `is not an IPv4 address: ${address}`);
  }
  return Uint8Array.from(parts.map(Number));
}

function formatIpv4(view: DataView, offset: number): string {
  return `${view.getUint8(offset)}.${view.getUint8(offset + 1)}.${view.getUint8(offset + 2)}.${view.getUint8(offset + 3)}`;
}

// Connections share few distinct addresses: each text is made once (bounded caches).
const CACHE_LIMIT = 4096;
const ipv4Texts = new Map<number, string>();
const mappedTexts = new Map<number, string>();

function cachedText(cache: Map<number, string>, key: number, make: () => string): string {
  let text = cache.get(key);
  if (text === undefined) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    text = make();
    cache.set(key, text);
  }
  return text;
}

/** The address at `offset` of an inet_diag_sockid (IPv4 in the first 4 bytes), as Node prints it. */
export function addressAt(view: DataView, offset: number, ipv6: boolean): string {
  if (!ipv6) return cachedText(ipv4Texts, view.getUint32(offset, false), () => formatIpv4(view, offset));
  if (view.getUint32(offset, false) === 0 && view.getUint32(offset + 4, false) === 0 && view.getUint32(offset + 8, false) === 0xffff) {
    return cachedText(mappedTexts, view.getUint32(offset + 12, false), () => formatIpv6(view, offset));
  }
  return formatIpv6(view, offset);
}

/** Formats 16 bytes the way inet_ntop (and so Node) does: longest zero run (>= 2 words) as "::". */
function formatIpv6(view: DataView, offset: number): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push(view.getUint16(offset + 2 * i, false));
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let end = i;
    while (end < 8 && words[end] === 0) end++;
    if (end - i > bestLength) [bestStart, bestLength] = [i, end - i];
    i = end;
  }
  if (bestLength < 2) bestStart = -1;
  // Embedded IPv4: v4-mapped ::ffff:a.b.c.d, and the old v4-compatible ::a.b.c.d.
  if (bestStart === 0 && (bestLength === 6 || (bestLength === 5 && words[5] === 0xffff))) {
    return (bestLength === 5 ? '::ffff:' : '::') + formatIpv4(view, offset + 12);
  }
  let text = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      text += i === 0 ? '::' : ':';
      i += bestLength - 1;
      continue;
    }
    text += words[i].toString(16) + (i < 7 ? ':' : '');
  }
  return text;
}

/** A kernel-side filter of a dump: keep sockets whose local (or remote) port is one of `ports`. */
export interface PortFilter {
  side: 'local' | 'remote';
  ports: readonly number[];
}

/** Most ports one filter holds: the kernel runs the bytecode linearly for every socket. */
export const MAX_FILTER_PORTS = 16;
const INET_DIAG_REQ_BYTECODE = 1;
const INET_DIAG_BC_S_EQ = 11; // local port == (kernel 4.16+)
const INET_DIAG_BC_D_EQ = 12; // remote port ==
const INET_DIAG_BC_S_GE = 2;
const INET_DIAG_BC_S_LE = 3;
const INET_DIAG_BC_D_GE = 4;
const INET_DIAG_BC_D_LE = 5;

/**
 * inet_diag bytecode (include/uapi/linux/inet_diag.h, run by inet_diag_bc_run): one 8-byte port
 * test per port, `struct inet_diag_bc_op { u8 code; u8 yes; u16 no; }` then a second op whose
 * `no` is the port. A match jumps to the end (accept: exactly the end); a miss goes to the next
 * test; the last miss jumps 4 bytes past the end (reject). Ports as a range when there are many.
 */
export function portBytecode(filter: PortFilter): Uint8Array {
  const local = filter.side === 'local';
  const ports = [...new Set(filter.ports)];
  const tests: Array<[number, number]> = ports.length <= MAX_FILTER_PORTS
    ? ports.map((port) => [local ? INET_DIAG_BC_S_EQ : INET_DIAG_BC_D_EQ, port])
    : [];
  const bytes = new Uint8Array(tests.length > 0 ? tests.length * 8 : 16);
  const view = new DataView(bytes.buffer);
  const op = (at: number, code: number, yes: number, no: number, port: number): void => {
    view.setUint8(at, code);
    view.setUint8(at + 1, yes);
    view.setUint16(at + 2, no, LITTLE);
    view.setUint16(at + 6, port, LITTLE); // the second op's `no`, host order
  };
  if (tests.length === 0) {
    // Range [min, max]: both tests must pass (a miss jumps past the end).
    const min = Math.min(...ports);
    const max = Math.max(...ports);
    op(0, local ? INET_DIAG_BC_S_GE : INET_DIAG_BC_D_GE, 8, 16 + 4, min);
    op(8, local ? INET_DIAG_BC_S_LE : INET_DIAG_BC_D_LE, 8, 8 + 4, max);
    return bytes;
  }
  tests.forEach(([code, port], i) => {
    const remaining = bytes.length - 8 * i;
    op(8 * i, code, remaining, i === tests.length - 1 ? 8 + 4 : 8, port);
  });
  return bytes;
}

/**
 * Builds one SOCK_DIAG_BY_FAMILY request: a dump of `states`, or an exact lookup of `tuple`;
 * a dump may carry a kernel-side port filter.
 */
export function buildRequest(family: number, states: number, withInfo: boolean, tuple?: SocketTuple, filter?: PortFilter): Uint8Array {
  const bytecode = filter && !tuple ? portBytecode(filter) : undefined;
  const size = REQUEST_SIZE + (bytecode ? 4 + bytecode.length : 0);
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  if (bytecode) {
    view.setUint16(REQUEST_SIZE, 4 + bytecode.length, LITTLE); // nla_len
    view.setUint16(REQUEST_SIZE + 2, INET_DIAG_REQ_BYTECODE, LITTLE); // nla_type
    bytes.set(bytecode, REQUEST_SIZE + 4);
  }
  view.setUint32(0, size, LITTLE); // nlmsg_len
  view.setUint16(4, SOCK_DIAG_BY_FAMILY, LITTLE); // nlmsg_type
  view.setUint16(6, NLM_F_REQUEST | (tuple ? 0 : NLM_F_DUMP), LITTLE); // nlmsg_flags
  const r = NLMSG_HEADER;
  view.setUint8(r, family); // sdiag_family
  view.setUint8(r + 1, IPPROTO_TCP); // sdiag_protocol
  view.setUint8(r + 2, withInfo ? 1 << (INET_DIAG_INFO - 1) : 0); // idiag_ext
  view.setUint32(r + 4, states, LITTLE); // idiag_states
  view.setUint32(r + 48, 0xffffffff, LITTLE); // cookie: INET_DIAG_NOCOOKIE
  view.setUint32(r + 52, 0xffffffff, LITTLE);
  if (tuple) {
    view.setUint16(r + 8, tuple.localPort, false); // sport, big-endian
    view.setUint16(r + 10, tuple.remotePort, false); // dport
    bytes.set(addressBytes(tuple.localAddress), r + 12); // src (IPv4 in src[0])
    bytes.set(addressBytes(tuple.remoteAddress), r + 28); // dst
  }
  return bytes;
}

/** Sends one request and returns the raw reply (all datagrams of a dump, concatenated). */
export function exchange(request: Uint8Array, dump: boolean): DataView {
  return sockDiag(request, dump);
}

/** One inet_diag_msg record inside a reply: where it is, and the fields read eagerly. */
export interface DiagRecord {
  view: DataView;
  /** Offset of the inet_diag_msg. */
  offset: number;
  /** Offset and length of the INET_DIAG_INFO payload (struct tcp_info), length 0 if absent. */
  infoOffset: number;
  infoLength: number;
  inode: number;
}

/**
 * Calls `visit` for every socket record in `reply`. An NLMSG_ERROR reply throws the errno as a
 * system error (ENOENT for an exact lookup that found nothing).
 */
export function forEachRecord(reply: DataView, visit: (record: DiagRecord) => void): void {
  let offset = 0;
  const total = reply.byteLength;
  while (offset + NLMSG_HEADER <= total) {
    const length = reply.getUint32(offset, LITTLE);
    const type = reply.getUint16(offset + 4, LITTLE);
    if (length < NLMSG_HEADER || offset + length > total) break;
    if (type === NLMSG_DONE) return;
    if (type === NLMSG_ERROR) {
      const error = -reply.getInt32(offset + NLMSG_HEADER, LITTLE);
      if (error === 0) return;
      throw systemError(error, 'recv', 'NETLINK_SOCK_DIAG');
    }
    if (type === SOCK_DIAG_BY_FAMILY && length >= NLMSG_HEADER + MSG_SIZE) {
      const msg = offset + NLMSG_HEADER;
      let infoOffset = 0;
      let infoLength = 0;
      // Attributes: u16 nla_len, u16 nla_type, payload; each padded to 4 bytes.
      for (let attr = msg + MSG_SIZE; attr + 4 <= offset + length; ) {
        const attrLength = reply.getUint16(attr, LITTLE);
        if (attrLength < 4) break;
        if ((reply.getUint16(attr + 2, LITTLE) & 0x3fff) === INET_DIAG_INFO) {
          infoOffset = attr + 4;
          infoLength = attrLength - 4;
        }
        attr += (attrLength + 3) & ~3;
      }
      visit({ view: reply, offset: msg, infoOffset, infoLength, inode: reply.getUint32(msg + 68, LITTLE) });
    }
    offset += (length + 3) & ~3;
  }
}

/** Bytes before the inet_diag_msg of a packed record of sockDiagMatch: u32 slot, u16 info length, u16 0. */
const MATCH_HEADER = 8;

/**
 * Walks the packed records of `sockDiagMatch`: `visit(slot, offset of the inet_diag_msg, offset
 * of the tcp_info, its length (0: none))` for each, in dump order.
 */
export function forEachMatch(reply: DataView, visit: (slot: number, msg: number, info: number, infoLength: number) => void): void {
  const total = reply.byteLength;
  for (let offset = 0; offset + MATCH_HEADER + MSG_SIZE <= total; ) {
    const infoLength = reply.getUint16(offset + 4, LITTLE);
    visit(reply.getUint32(offset, LITTLE), offset + MATCH_HEADER, offset + MATCH_HEADER + MSG_SIZE, infoLength);
    offset += MATCH_HEADER + MSG_SIZE + ((infoLength + 3) & ~3);
  }
}

/** The inode of the inet_diag_msg at `msg`. */
export function inodeAt(view: DataView, msg: number): number {
  return view.getUint32(msg + 68, LITTLE);
}

/** The fields of an inet_diag_msg this package reports. */
export interface DiagFields {
  family: 'IPv4' | 'IPv6';
  /** tcpi_state number (1 ESTABLISHED ... 11 CLOSING). */
  stateNumber: number;
  timer: TimerName;
  /** ms until the timer fires; 0 when there is none. */
  expiresIn: number;
  /** Unanswered keepalive or zero-window probes; 0 for the other timers. */
  probesOut: number;
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
}

export function readFields(record: Pick<DiagRecord, 'view' | 'offset'>): DiagFields {
  const { view, offset } = record;
  const ipv6 = view.getUint8(offset) === AF_INET6; // idiag_family
  const timerNumber = view.getUint8(offset + 2); // idiag_timer
  const timer = TIMERS[timerNumber] ?? 'none';
  const retrans = view.getUint8(offset + 3); // idiag_retrans: probes out for timers 2 and 4
  return {
    family: ipv6 ? 'IPv6' : 'IPv4',
    stateNumber: view.getUint8(offset + 1),
    timer,
    expiresIn: timer === 'none' ? 0 : view.getUint32(offset + 52, LITTLE),
    probesOut: timer === 'keepalive' || timer === 'zero-window-probe' ? retrans : 0,
    localPort: view.getUint16(offset + 4, false),
    remotePort: view.getUint16(offset + 6, false),
    localAddress: addressAt(view, offset + 8, ipv6),
    remoteAddress: addressAt(view, offset + 24, ipv6),
  };
}
