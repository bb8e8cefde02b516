// Decodes the kernel's struct tcp_info (Linux, include/uapi/linux/tcp.h) from the bytes the kernel
// filled. A field beyond the returned length is undefined: that kernel does not have it.
import { endianness } from 'node:os';
import { readTcpInfo } from './native';
import { checkTarget, resolveNow } from './target';
import { decodeDarwin, decodeFreebsd, decodeWindows } from './tcp-info-platforms';
import { TCP_STATES, type TcpInfo } from './tcp-info-shape';

export { TCP_STATES, type TcpInfo, type TcpState } from './tcp-info-shape';

const CA_STATES = ['Open', 'Disorder', 'CWR', 'Recovery', 'Loss'] as const;

const US = 1000; // µs → ms
const LITTLE = endianness() === 'LE';

// Field readers: undefined when the field lies beyond what the kernel filled. The decoder below
// is one object literal so every TcpInfo has the same shape (a loop of keyed stores made V8 fall
// back to a dictionary object, 15x slower).
function u8(dv: DataView, length: number, offset: number): number | undefined {
  return offset + 1 <= length ? dv.getUint8(offset) : undefined;
}
function u16(dv: DataView, length: number, offset: number): number | undefined {
  return offset + 2 <= length ? dv.getUint16(offset, LITTLE) : undefined;
}
function u32(dv: DataView, length: number, offset: number, divisor = 1): number | undefined {
  return offset + 4 <= length ? dv.getUint32(offset, LITTLE) / divisor : undefined;
}
// Two 32-bit halves instead of getBigUint64: no BigInt allocation, same (correctly rounded) value.
function u64(dv: DataView, length: number, offset: number, divisor = 1): number | undefined {
  if (offset + 8 > length) return undefined;
  const low = dv.getUint32(offset + (LITTLE ? 0 : 4), LITTLE);
  const high = dv.getUint32(offset + (LITTLE ? 4 : 0), LITTLE);
  return (high * 2 ** 32 + low) / divisor;
}

/** Decodes `length` bytes of a tcp_info held in `dv` (also used for inet_diag's INET_DIAG_INFO). */
export function decodeTcpInfo(dv: DataView, length: number): TcpInfo {
  const options = dv.getUint8(5);
  const wscale = dv.getUint8(6);
  const n = length;
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
    retransmits: u8(dv, n, 2),
    probes: u8(dv, n, 3),
    backoff: u8(dv, n, 4),
    rto: u32(dv, n, 8, US),
    ato: u32(dv, n, 12, US),
    sndMss: u32(dv, n, 16),
    rcvMss: u32(dv, n, 20),
    unacked: u32(dv, n, 24),
    sacked: u32(dv, n, 28),
    lost: u32(dv, n, 32),
    retrans: u32(dv, n, 36),
    lastDataSent: u32(dv, n, 44),
    lastDataReceived: u32(dv, n, 52),
    lastAckReceived: u32(dv, n, 56),
    pmtu: u32(dv, n, 60),
    rcvSsthresh: u32(dv, n, 64),
    rtt: u32(dv, n, 68, US),
    rttVar: u32(dv, n, 72, US),
    sndSsthresh: u32(dv, n, 76),
    sndCwnd: u32(dv, n, 80),
    advMss: u32(dv, n, 84),
    reordering: u32(dv, n, 88),
    rcvRtt: u32(dv, n, 92, US),
    rcvSpace: u32(dv, n, 96),
    totalRetrans: u32(dv, n, 100),
    pacingRate: u64(dv, n, 104),
    maxPacingRate: u64(dv, n, 112),
    bytesAcked: u64(dv, n, 120),
    bytesReceived: u64(dv, n, 128),
    segsOut: u32(dv, n, 136),
    segsIn: u32(dv, n, 140),
    notsentBytes: u32(dv, n, 144),
    minRtt: u32(dv, n, 148, US),
    dataSegsIn: u32(dv, n, 152),
    dataSegsOut: u32(dv, n, 156),
    deliveryRate: u64(dv, n, 160),
    busyTime: u64(dv, n, 168, US),
    rwndLimited: u64(dv, n, 176, US),
    sndbufLimited: u64(dv, n, 184, US),
    delivered: u32(dv, n, 192),
    deliveredCe: u32(dv, n, 196),
    bytesSent: u64(dv, n, 200),
    bytesRetrans: u64(dv, n, 208),
    dsackDups: u32(dv, n, 216),
    reordSeen: u32(dv, n, 220),
    rcvOoopack: u32(dv, n, 224),
    sndWnd: u32(dv, n, 228),
    rcvWnd: u32(dv, n, 232),
    rehash: u32(dv, n, 236),
    totalRto: u16(dv, n, 240),
    totalRtoRecoveries: u16(dv, n, 242),
    totalRtoTime: u32(dv, n, 244),
  };
  // The first 104 bytes exist on every kernel that has TCP_INFO; the type says so.
  return info as TcpInfo;
}

/** Reads TCP_INFO of a connected socket or a listening server. */
export function getTcpInfo(socket: unknown): TcpInfo {
  const { view, length } = readTcpInfo(resolveNow(checkTarget(socket, 'socket', true)));
  return decodeForPlatform(view, length);
}

// Each kernel has its own struct (same offsets would mean different fields): one decoder each.
// On macOS, FreeBSD and Windows the fields those kernels lack are undefined.
export const decodeForPlatform: (dv: DataView, length: number) => TcpInfo =
  { darwin: decodeDarwin, freebsd: decodeFreebsd, win32: decodeWindows }[process.platform as string] ?? decodeTcpInfo;
