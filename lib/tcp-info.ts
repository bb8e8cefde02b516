// Decodes the kernel's struct tcp_info (Linux, include/uapi/linux/tcp.h) from the bytes the kernel
// filled. A field beyond the returned length is undefined: that kernel does not have it.
import { endianness } from 'node:os';
import { readTcpInfo } from './native';
import { checkTarget, readThrough, resolveNow } from './target';
import { LINUX_TCP_INFO } from './tcp-info-layout';
import { decodeDarwin, decodeFreebsd, decodeWindows } from './tcp-info-platforms';
import { TCP_STATES, type TcpInfo } from './tcp-info-shape';

export { TCP_STATES, type TcpInfo, type TcpState } from './tcp-info-shape';

const CA_STATES = ['Open', 'Disorder', 'CWR', 'Recovery', 'Loss'] as const;

const US = 1000; // µs → ms
// Every offset from the one layout table (src-native/tcp_info_layout.h asserts it at compile time).
const L = LINUX_TCP_INFO.fields;
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
  const options = dv.getUint8(L.options.offset);
  const wscale = dv.getUint8(L.wscale.offset);
  const n = length;
  const info = {
    state: TCP_STATES[dv.getUint8(L.state.offset)] ?? 'UNKNOWN',
    caState: CA_STATES[dv.getUint8(L.caState.offset)] ?? String(dv.getUint8(L.caState.offset)),
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
    retransmits: u8(dv, n, L.retransmits.offset),
    probes: u8(dv, n, L.probes.offset),
    backoff: u8(dv, n, L.backoff.offset),
    rto: u32(dv, n, L.rto.offset, US),
    ato: u32(dv, n, L.ato.offset, US),
    sndMss: u32(dv, n, L.sndMss.offset),
    rcvMss: u32(dv, n, L.rcvMss.offset),
    unacked: u32(dv, n, L.unacked.offset),
    sacked: u32(dv, n, L.sacked.offset),
    lost: u32(dv, n, L.lost.offset),
    retrans: u32(dv, n, L.retrans.offset),
    lastDataSent: u32(dv, n, L.lastDataSent.offset),
    lastDataReceived: u32(dv, n, L.lastDataReceived.offset),
    lastAckReceived: u32(dv, n, L.lastAckReceived.offset),
    pmtu: u32(dv, n, L.pmtu.offset),
    rcvSsthresh: u32(dv, n, L.rcvSsthresh.offset),
    rtt: u32(dv, n, L.rtt.offset, US),
    rttVar: u32(dv, n, L.rttVar.offset, US),
    sndSsthresh: u32(dv, n, L.sndSsthresh.offset),
    sndCwnd: u32(dv, n, L.sndCwnd.offset),
    advMss: u32(dv, n, L.advMss.offset),
    reordering: u32(dv, n, L.reordering.offset),
    rcvRtt: u32(dv, n, L.rcvRtt.offset, US),
    rcvSpace: u32(dv, n, L.rcvSpace.offset),
    totalRetrans: u32(dv, n, L.totalRetrans.offset),
    pacingRate: u64(dv, n, L.pacingRate.offset),
    maxPacingRate: u64(dv, n, L.maxPacingRate.offset),
    bytesAcked: u64(dv, n, L.bytesAcked.offset),
    bytesReceived: u64(dv, n, L.bytesReceived.offset),
    segsOut: u32(dv, n, L.segsOut.offset),
    segsIn: u32(dv, n, L.segsIn.offset),
    notsentBytes: u32(dv, n, L.notsentBytes.offset),
    minRtt: u32(dv, n, L.minRtt.offset, US),
    dataSegsIn: u32(dv, n, L.dataSegsIn.offset),
    dataSegsOut: u32(dv, n, L.dataSegsOut.offset),
    deliveryRate: u64(dv, n, L.deliveryRate.offset),
    busyTime: u64(dv, n, L.busyTime.offset, US),
    rwndLimited: u64(dv, n, L.rwndLimited.offset, US),
    sndbufLimited: u64(dv, n, L.sndbufLimited.offset, US),
    delivered: u32(dv, n, L.delivered.offset),
    deliveredCe: u32(dv, n, L.deliveredCe.offset),
    bytesSent: u64(dv, n, L.bytesSent.offset),
    bytesRetrans: u64(dv, n, L.bytesRetrans.offset),
    dsackDups: u32(dv, n, L.dsackDups.offset),
    reordSeen: u32(dv, n, L.reordSeen.offset),
    rcvOoopack: u32(dv, n, L.rcvOoopack.offset),
    sndWnd: u32(dv, n, L.sndWnd.offset),
    rcvWnd: u32(dv, n, L.rcvWnd.offset),
    rehash: u32(dv, n, L.rehash.offset),
    totalRto: u16(dv, n, L.totalRto.offset),
    totalRtoRecoveries: u16(dv, n, L.totalRtoRecoveries.offset),
    totalRtoTime: u32(dv, n, L.totalRtoTime.offset),
  };
  // The first 104 bytes exist on every kernel that has TCP_INFO; the type says so.
  return info as TcpInfo;
}

/** Reads TCP_INFO of a connected socket or a listening server. */
export function getTcpInfo(socket: unknown): TcpInfo {
  const { view, length } = readThrough(socket, 'socket', () => readTcpInfo(resolveNow(checkTarget(socket, 'socket', true))));
  return decodeForPlatform(view, length);
}

// Each kernel has its own struct (same offsets would mean different fields): one decoder each.
// On macOS, FreeBSD and Windows the fields those kernels lack are undefined.
export const decodeForPlatform: (dv: DataView, length: number) => TcpInfo =
  { darwin: decodeDarwin, freebsd: decodeFreebsd, win32: decodeWindows }[process.platform as string] ?? decodeTcpInfo;
