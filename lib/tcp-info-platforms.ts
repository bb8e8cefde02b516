// Decoders for the connection-info structs of macOS, FreeBSD and Windows, into the same TcpInfo
// shape as Linux. Only fields with the same meaning and unit are filled; the rest (keepalive
// probes, backoff, segment-counted windows, ...) stay undefined, since these kernels do not
// report them. State names use Linux's spelling.
import type { TcpInfo, TcpState } from './tcp-info';

type Fields = Record<string, unknown>;

// Both the BSDs and Windows run little-endian on every supported CPU.
const u8 = (dv: DataView, offset: number, n: number): number | undefined =>
  offset + 1 <= n ? dv.getUint8(offset) : undefined;
const u32 = (dv: DataView, offset: number, n: number, divisor = 1): number | undefined =>
  offset + 4 <= n ? dv.getUint32(offset, true) / divisor : undefined;
const u64 = (dv: DataView, offset: number, n: number): number | undefined =>
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
    sndWscale: u8(dv, 1, n),
    rcvWscale: u8(dv, 2, n),
    rto: u32(dv, 12, n), // 0 unless the retransmit timer is armed
    sndMss: u32(dv, 16, n),
    sndWnd: u32(dv, 28, n),
    rcvWnd: u32(dv, 36, n),
    rtt: u32(dv, 44, n), // tcpi_srtt
    rttVar: u32(dv, 48, n),
    segsOut: u64(dv, 56, n),
    bytesSent: u64(dv, 64, n),
    bytesRetrans: u64(dv, 72, n),
    segsIn: u64(dv, 80, n),
    bytesReceived: u64(dv, 88, n),
    totalRetrans: u64(dv, 104, n), // tcpi_txretransmitpackets
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
    rto: u32(dv, 8, n, 1000), // µs
    sndMss: u32(dv, 16, n),
    rcvMss: u32(dv, 20, n),
    lastDataReceived: u32(dv, 52, n), // ms
    rtt: u32(dv, 68, n, 1000), // µs
    rttVar: u32(dv, 72, n, 1000),
    rcvSpace: u32(dv, 96, n),
    sndWnd: u32(dv, 100, n),
    totalRetrans: u32(dv, 120, n), // tcpi_snd_rexmitpack
    rcvOoopack: u32(dv, 124, n),
  };
  return info as unknown as TcpInfo;
}

/** Windows TCP_INFO_v0 (88 bytes) / v1 (136 bytes) from SIO_TCP_INFO. */
export function decodeWindows(dv: DataView, n: number): TcpInfo {
  const info: Fields = {
    state: WINDOWS_STATES[dv.getUint32(0, true)] ?? 'UNKNOWN',
    options: optionFlags(dv.getUint8(16), true), // only TimestampsEnabled is reported
    sndMss: u32(dv, 4, n),
    rtt: u32(dv, 20, n, 1000), // RttUs
    minRtt: u32(dv, 24, n, 1000),
    sndWnd: u32(dv, 36, n),
    rcvWnd: u32(dv, 40, n),
    bytesSent: u64(dv, 48, n),
    bytesReceived: u64(dv, 56, n),
    bytesRetrans: u32(dv, 68, n),
  };
  return info as unknown as TcpInfo;
}
