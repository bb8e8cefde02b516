// Decoders for the connection-info structs of macOS, FreeBSD and Windows, into the same TcpInfo
// shape as Linux. Only fields with the same meaning and unit are filled; the rest (keepalive
// probes, backoff, segment-counted windows, ...) stay undefined, since these kernels do not
// report them. State names use Linux's spelling.
import { DARWIN_TCP_CONNECTION_INFO, FREEBSD_TCP_INFO, WINDOWS_TCP_INFO_V0 } from './tcp-info-layout';
import type { TcpInfo, TcpState } from './tcp-info-shape';

type Fields = Record<string, unknown>;

// Both the BSDs and Windows run little-endian on every supported CPU.
// Same shape as tcp-info.ts's readers: (view, length filled, offset[, divisor]).
const u8 = (dv: DataView, n: number, offset: number): number | undefined =>
  offset + 1 <= n ? dv.getUint8(offset) : undefined;
const u32 = (dv: DataView, n: number, offset: number, divisor = 1): number | undefined =>
  offset + 4 <= n ? dv.getUint32(offset, true) / divisor : undefined;
const u64 = (dv: DataView, n: number, offset: number): number | undefined =>
  offset + 8 <= n ? dv.getUint32(offset + 4, true) * 2 ** 32 + dv.getUint32(offset, true) : undefined;

// BSD numbering (netinet/tcp_fsm.h), shared by macOS and FreeBSD.
const BSD_STATES: readonly TcpState[] = [
  'CLOSE', 'LISTEN', 'SYN_SENT', 'SYN_RECV', 'ESTABLISHED', 'CLOSE_WAIT', 'FIN_WAIT1', 'CLOSING',
  'LAST_ACK', 'FIN_WAIT2', 'TIME_WAIT',
];
// Windows TCPSTATE (mstcpip.h).
const WINDOWS_STATES: readonly TcpState[] = [
  'CLOSE', 'LISTEN', 'SYN_SENT', 'SYN_RECV', 'ESTABLISHED', 'FIN_WAIT1', 'FIN_WAIT2', 'CLOSE_WAIT',
  'CLOSING', 'LAST_ACK', 'TIME_WAIT',
];

function optionFlags(bits: number, timestampsOnly = false): TcpInfo['options'] {
  return {
    timestamps: (bits & 1) !== 0,
    sack: !timestampsOnly && (bits & 2) !== 0,
    windowScale: !timestampsOnly && (bits & 4) !== 0,
    ecn: !timestampsOnly && (bits & 8) !== 0,
    ecnSeen: false,
    synData: false,
  };
}

// Every offset from the one layout table (src-native/tcp_info_layout.h asserts it at compile time).
const D = DARWIN_TCP_CONNECTION_INFO.fields;
const F = FREEBSD_TCP_INFO.fields;
const W = WINDOWS_TCP_INFO_V0.fields; // v1 only appends fields not read here
const US = 1000; // µs → ms

/** macOS struct tcp_connection_info (netinet/tcp.h; 112 bytes). Times there are ms already. */
export function decodeDarwin(dv: DataView, n: number): TcpInfo {
  const info: Fields = {
    state: BSD_STATES[dv.getUint8(D.state.offset)] ?? 'UNKNOWN',
    options: optionFlags(dv.getUint32(D.options.offset, true)),
    sndWscale: u8(dv, n, D.sndWscale.offset),
    rcvWscale: u8(dv, n, D.rcvWscale.offset),
    rto: u32(dv, n, D.rto.offset), // 0 unless the retransmit timer is armed
    sndMss: u32(dv, n, D.sndMss.offset),
    sndWnd: u32(dv, n, D.sndWnd.offset),
    rcvWnd: u32(dv, n, D.rcvWnd.offset),
    rtt: u32(dv, n, D.rtt.offset), // tcpi_srtt
    rttVar: u32(dv, n, D.rttVar.offset),
    segsOut: u64(dv, n, D.segsOut.offset),
    bytesSent: u64(dv, n, D.bytesSent.offset),
    bytesRetrans: u64(dv, n, D.bytesRetrans.offset),
    segsIn: u64(dv, n, D.segsIn.offset),
    bytesReceived: u64(dv, n, D.bytesReceived.offset),
    totalRetrans: u64(dv, n, D.totalRetrans.offset), // tcpi_txretransmitpackets
  };
  return info as unknown as TcpInfo;
}

/**
 * FreeBSD struct tcp_info (netinet/tcp.h; 240 bytes): Linux offsets up to byte 99, then its own.
 * tcpi_last_data_recv is in µs there; tcpi_rcv_space is the advertised receive window (rcvWnd).
 */
export function decodeFreebsd(dv: DataView, n: number): TcpInfo {
  const wscale = dv.getUint8(F.wscale.offset);
  const info: Fields = {
    state: BSD_STATES[dv.getUint8(F.state.offset)] ?? 'UNKNOWN',
    options: optionFlags(dv.getUint8(F.options.offset)),
    sndWscale: wscale & 0x0f,
    rcvWscale: wscale >> 4,
    rto: u32(dv, n, F.rto.offset, US),
    sndMss: u32(dv, n, F.sndMss.offset),
    rcvMss: u32(dv, n, F.rcvMss.offset),
    lastDataReceived: u32(dv, n, F.lastDataReceived.offset, US),
    rtt: u32(dv, n, F.rtt.offset, US),
    rttVar: u32(dv, n, F.rttVar.offset, US),
    rcvWnd: u32(dv, n, F.rcvWnd.offset), // tcpi_rcv_space
    sndWnd: u32(dv, n, F.sndWnd.offset),
    totalRetrans: u32(dv, n, F.totalRetrans.offset), // tcpi_snd_rexmitpack
    rcvOoopack: u32(dv, n, F.rcvOoopack.offset),
  };
  return info as unknown as TcpInfo;
}

/** Windows TCP_INFO_v0 (88 bytes) / v1 (136 bytes) from SIO_TCP_INFO. */
export function decodeWindows(dv: DataView, n: number): TcpInfo {
  const info: Fields = {
    state: WINDOWS_STATES[dv.getUint32(W.state.offset, true)] ?? 'UNKNOWN',
    options: optionFlags(dv.getUint8(W.options.offset), true), // only TimestampsEnabled is reported
    sndMss: u32(dv, n, W.sndMss.offset),
    rtt: u32(dv, n, W.rtt.offset, US), // RttUs
    minRtt: u32(dv, n, W.minRtt.offset, US),
    sndWnd: u32(dv, n, W.sndWnd.offset),
    rcvWnd: u32(dv, n, W.rcvWnd.offset),
    bytesSent: u64(dv, n, W.bytesSent.offset),
    bytesReceived: u64(dv, n, W.bytesReceived.offset),
    bytesRetrans: u32(dv, n, W.bytesRetrans.offset),
  };
  return info as unknown as TcpInfo;
}
