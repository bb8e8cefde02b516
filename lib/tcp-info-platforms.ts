// Decoders for the connection-info structs of macOS, FreeBSD and Windows, into the same TcpInfo
// shape as Linux. Only fields with the same meaning and unit are filled; the rest (keepalive
// probes, backoff, segment-counted windows, ...) stay undefined, since these kernels do not
// report them. State names use Linux's spelling.
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

/** macOS struct tcp_connection_info (netinet/tcp.h; 112 bytes). Times there are ms already. */
export function decodeDarwin(dv: DataView, n: number): TcpInfo {
  const info: Fields = {
    state: BSD_STATES[dv.getUint8(0)] ?? 'UNKNOWN',
    options: optionFlags(dv.getUint32(4, true)),
    sndWscale: u8(dv, n, 1),
    rcvWscale: u8(dv, n, 2),
    rto: u32(dv, n, 12), // 0 unless the retransmit timer is armed
    sndMss: u32(dv, n, 16),
    sndWnd: u32(dv, n, 28),
    rcvWnd: u32(dv, n, 36),
    rtt: u32(dv, n, 44), // tcpi_srtt
    rttVar: u32(dv, n, 48),
    segsOut: u64(dv, n, 56),
    bytesSent: u64(dv, n, 64),
    bytesRetrans: u64(dv, n, 72),
    segsIn: u64(dv, n, 80),
    bytesReceived: u64(dv, n, 88),
    totalRetrans: u64(dv, n, 104), // tcpi_txretransmitpackets
  };
  return info as unknown as TcpInfo;
}

/** FreeBSD struct tcp_info (netinet/tcp.h; 236 bytes): Linux offsets up to byte 99, then its own. */
export function decodeFreebsd(dv: DataView, n: number): TcpInfo {
  const wscale = dv.getUint8(6);
  const info: Fields = {
    state: BSD_STATES[dv.getUint8(0)] ?? 'UNKNOWN',
    options: optionFlags(dv.getUint8(5)),
    sndWscale: wscale & 0x0f,
    rcvWscale: wscale >> 4,
    rto: u32(dv, n, 8, 1000), // µs
    sndMss: u32(dv, n, 16),
    rcvMss: u32(dv, n, 20),
    lastDataReceived: u32(dv, n, 52), // ms
    rtt: u32(dv, n, 68, 1000), // µs
    rttVar: u32(dv, n, 72, 1000),
    rcvSpace: u32(dv, n, 96),
    sndWnd: u32(dv, n, 100),
    totalRetrans: u32(dv, n, 120), // tcpi_snd_rexmitpack
    rcvOoopack: u32(dv, n, 124),
  };
  return info as unknown as TcpInfo;
}

/** Windows TCP_INFO_v0 (88 bytes) / v1 (136 bytes) from SIO_TCP_INFO. */
export function decodeWindows(dv: DataView, n: number): TcpInfo {
  const info: Fields = {
    state: WINDOWS_STATES[dv.getUint32(0, true)] ?? 'UNKNOWN',
    options: optionFlags(dv.getUint8(16), true), // only TimestampsEnabled is reported
    sndMss: u32(dv, n, 4),
    rtt: u32(dv, n, 20, 1000), // RttUs
    minRtt: u32(dv, n, 24, 1000),
    sndWnd: u32(dv, n, 36),
    rcvWnd: u32(dv, n, 40),
    bytesSent: u64(dv, n, 48),
    bytesReceived: u64(dv, n, 56),
    bytesRetrans: u32(dv, n, 68),
  };
  return info as unknown as TcpInfo;
}
