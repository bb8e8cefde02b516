// Decodes the kernel's struct tcp_info (Linux, include/uapi/linux/tcp.h) from the bytes the kernel
// filled. A field beyond the returned length is undefined: that kernel does not have it.
import { endianness } from 'node:os';
import { native, prepare, conclude, resolveNow, state, checkTarget } from './target';

const TCP_STATES = [
  'UNKNOWN', 'ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT',
  'CLOSE', 'CLOSE_WAIT', 'LAST_ACK', 'LISTEN', 'CLOSING', 'NEW_SYN_RECV', 'BOUND_INACTIVE',
] as const;
const CA_STATES = ['Open', 'Disorder', 'CWR', 'Recovery', 'Loss'] as const;

export type TcpState = (typeof TCP_STATES)[number];

/**
 * Per-connection state from TCP_INFO. Times are milliseconds (rtt/rttVar/minRtt fractional);
 * `last*` fields are "ms ago". A field the running kernel does not fill is undefined.
 */
export interface TcpInfo {
  state: TcpState;
  caState: string;
  /** Consecutive RTO retransmissions of the oldest unacknowledged segment. */
  retransmits: number;
  /** Unanswered keepalive (or zero-window) probes outstanding. */
  probes: number;
  /** RTO backoff exponent. */
  backoff: number;
  options: { timestamps: boolean; sack: boolean; windowScale: boolean; ecn: boolean; ecnSeen: boolean; synData: boolean };
  sndWscale: number;
  rcvWscale: number;
  rto: number;
  ato: number;
  sndMss: number;
  rcvMss: number;
  /** Segments in flight (on a listener: the accept queue length). */
  unacked: number;
  sacked: number;
  lost: number;
  retrans: number;
  lastDataSent: number;
  lastDataReceived: number;
  lastAckReceived: number;
  pmtu: number;
  rcvSsthresh: number;
  rtt: number;
  rttVar: number;
  sndSsthresh: number;
  sndCwnd: number;
  advMss: number;
  reordering: number;
  rcvRtt: number;
  rcvSpace: number;
  totalRetrans: number;
  pacingRate?: number;
  maxPacingRate?: number;
  bytesAcked?: number;
  bytesReceived?: number;
  segsOut?: number;
  segsIn?: number;
  notsentBytes?: number;
  minRtt?: number;
  dataSegsIn?: number;
  dataSegsOut?: number;
  deliveryRate?: number;
  busyTime?: number;
  rwndLimited?: number;
  sndbufLimited?: number;
  delivered?: number;
  deliveredCe?: number;
  bytesSent?: number;
  bytesRetrans?: number;
  dsackDups?: number;
  reordSeen?: number;
  rcvOoopack?: number;
  sndWnd?: number;
  rcvWnd?: number;
  rehash?: number;
  totalRto?: number;
  totalRtoRecoveries?: number;
  totalRtoTime?: number;
}

type Kind = 'u8' | 'u16' | 'u32' | 'u64';
type NumericKey = { [K in keyof TcpInfo]-?: TcpInfo[K] extends number | undefined ? K : never }[keyof TcpInfo];
/** [field, byte offset, kind, divisor to reach the documented unit] */
type Layout = readonly [NumericKey, number, Kind, number];

const SIZE: Record<Kind, number> = { u8: 1, u16: 2, u32: 4, u64: 8 };
const US = 1000; // µs → ms

const LAYOUT: readonly Layout[] = [
  ['retransmits', 2, 'u8', 1], ['probes', 3, 'u8', 1], ['backoff', 4, 'u8', 1],
  ['rto', 8, 'u32', US], ['ato', 12, 'u32', US], ['sndMss', 16, 'u32', 1], ['rcvMss', 20, 'u32', 1],
  ['unacked', 24, 'u32', 1], ['sacked', 28, 'u32', 1], ['lost', 32, 'u32', 1], ['retrans', 36, 'u32', 1],
  ['lastDataSent', 44, 'u32', 1], ['lastDataReceived', 52, 'u32', 1], ['lastAckReceived', 56, 'u32', 1],
  ['pmtu', 60, 'u32', 1], ['rcvSsthresh', 64, 'u32', 1], ['rtt', 68, 'u32', US], ['rttVar', 72, 'u32', US],
  ['sndSsthresh', 76, 'u32', 1], ['sndCwnd', 80, 'u32', 1], ['advMss', 84, 'u32', 1],
  ['reordering', 88, 'u32', 1], ['rcvRtt', 92, 'u32', US], ['rcvSpace', 96, 'u32', 1],
  ['totalRetrans', 100, 'u32', 1],
  ['pacingRate', 104, 'u64', 1], ['maxPacingRate', 112, 'u64', 1], ['bytesAcked', 120, 'u64', 1],
  ['bytesReceived', 128, 'u64', 1], ['segsOut', 136, 'u32', 1], ['segsIn', 140, 'u32', 1],
  ['notsentBytes', 144, 'u32', 1], ['minRtt', 148, 'u32', US], ['dataSegsIn', 152, 'u32', 1],
  ['dataSegsOut', 156, 'u32', 1], ['deliveryRate', 160, 'u64', 1], ['busyTime', 168, 'u64', US],
  ['rwndLimited', 176, 'u64', US], ['sndbufLimited', 184, 'u64', US], ['delivered', 192, 'u32', 1],
  ['deliveredCe', 196, 'u32', 1], ['bytesSent', 200, 'u64', 1], ['bytesRetrans', 208, 'u64', 1],
  ['dsackDups', 216, 'u32', 1], ['reordSeen', 220, 'u32', 1], ['rcvOoopack', 224, 'u32', 1],
  ['sndWnd', 228, 'u32', 1], ['rcvWnd', 232, 'u32', 1], ['rehash', 236, 'u32', 1],
  ['totalRto', 240, 'u16', 1], ['totalRtoRecoveries', 242, 'u16', 1], ['totalRtoTime', 244, 'u32', 1],
];

const LITTLE = endianness() === 'LE';

// Large enough for every tcp_info so far (280 bytes on 6.18) with room to grow.
export const TCP_INFO_BUFFER_SIZE = 512;
const buffer = new Uint8Array(TCP_INFO_BUFFER_SIZE);
const view = new DataView(buffer.buffer);

function readField(dv: DataView, offset: number, kind: Kind): number {
  switch (kind) {
    case 'u8': return dv.getUint8(offset);
    case 'u16': return dv.getUint16(offset, LITTLE);
    case 'u32': return dv.getUint32(offset, LITTLE);
    case 'u64': return Number(dv.getBigUint64(offset, LITTLE));
  }
}

/** Decodes `length` bytes of a tcp_info held in `dv` (also used for inet_diag's INET_DIAG_INFO). */
export function decodeTcpInfo(dv: DataView, length: number): TcpInfo {
  const options = dv.getUint8(5);
  const wscale = dv.getUint8(6);
  const info = {
    state: TCP_STATES[dv.getUint8(0)] ?? 'UNKNOWN',
    caState: CA_STATES[dv.getUint8(1)] ?? String(dv.getUint8(1)),
    options: {
      timestamps: (options & 1) !== 0,
      sack: (options & 2) !== 0,
      windowScale: (options & 4) !== 0,
      ecn: (options & 8) !== 0,
      ecnSeen: (options & 16) !== 0,
      synData: (options & 32) !== 0,
    },
    sndWscale: wscale & 0x0f,
    rcvWscale: wscale >> 4,
  } as Record<string, unknown>;
  for (const [name, offset, kind, divisor] of LAYOUT) {
    info[name] = offset + SIZE[kind] <= length ? readField(dv, offset, kind) / divisor : undefined;
  }
  return info as unknown as TcpInfo;
}

/** Reads TCP_INFO of a connected socket or a listening server. */
export function getTcpInfo(socket: unknown): TcpInfo {
  const target = checkTarget(socket);
  const resolved = resolveNow(target);
  prepare(resolved);
  conclude(target, resolved, native.tcpInfo(resolved.fd, state, buffer));
  return decodeTcpInfo(view, state[1]);
}
