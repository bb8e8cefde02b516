// The one table of the connection-info structs the decoders read: offset, size, unit and C member
// of every field, per platform. The decoders (tcp-info.ts, tcp-info-platforms.ts) take every
// offset from here; src-native/tcp_info_layout.h is generated from this table
// (test/native/tcp-info-layout.test.ts checks it is current; UPDATE_LAYOUT=1 rewrites it) and
// static_asserts each offset and size against the platform's own header wherever the addon is
// compiled (the Linux build, every cross-compiled target, the release workflow's macOS, FreeBSD
// and Windows builds).

/** One field: where it is, how wide, its unit as the kernel reports it, and its C member. */
export interface FieldLayout {
  readonly offset: number;
  readonly size: 1 | 2 | 4 | 8;
  /** 'us' fields are divided by 1000 (the API reports ms); 'raw' = no unit conversion. */
  readonly unit: 'raw' | 'ms' | 'us' | 'bytes' | 'count';
  /** The C member; null for a byte of bitfields (not addressable by offsetof). */
  readonly member: string | null;
}

export interface StructLayout<K extends string = string> {
  /** The C type as the platform header declares it, e.g. "struct tcp_info". */
  readonly type: string;
  /** The preprocessor test of the platform. */
  readonly platform: string;
  /** sizeof the struct on current headers; null where it grows with the kernel (Linux). */
  readonly size: number | null;
  /** Fields from this offset on may be missing from older headers (asserted when declared). */
  readonly optionalFrom: number | null;
  readonly fields: Readonly<Record<K, FieldLayout>>;
}

/** A frozen layout whose field names stay known to the type checker. */
function layout<K extends string>(spec: StructLayout<K>): StructLayout<K> {
  return Object.freeze({ ...spec, fields: Object.freeze({ ...spec.fields }) });
}

const f = (offset: number, size: FieldLayout['size'], unit: FieldLayout['unit'], member: string | null): FieldLayout =>
  Object.freeze({ offset, size, unit, member });

/** Linux struct tcp_info (include/uapi/linux/tcp.h): grew from 104 to 248 bytes over kernels. */
export const LINUX_TCP_INFO = layout({
  type: 'struct tcp_info',
  platform: 'defined(__linux__)',
  size: null,
  optionalFrom: 104,
  fields: {
    state: f(0, 1, 'raw', 'tcpi_state'),
    caState: f(1, 1, 'raw', 'tcpi_ca_state'),
    retransmits: f(2, 1, 'count', 'tcpi_retransmits'),
    probes: f(3, 1, 'count', 'tcpi_probes'),
    backoff: f(4, 1, 'count', 'tcpi_backoff'),
    options: f(5, 1, 'raw', 'tcpi_options'),
    wscale: f(6, 1, 'raw', null), // tcpi_snd_wscale : 4, tcpi_rcv_wscale : 4
    rto: f(8, 4, 'us', 'tcpi_rto'),
    ato: f(12, 4, 'us', 'tcpi_ato'),
    sndMss: f(16, 4, 'bytes', 'tcpi_snd_mss'),
    rcvMss: f(20, 4, 'bytes', 'tcpi_rcv_mss'),
    unacked: f(24, 4, 'count', 'tcpi_unacked'),
    sacked: f(28, 4, 'count', 'tcpi_sacked'),
    lost: f(32, 4, 'count', 'tcpi_lost'),
    retrans: f(36, 4, 'count', 'tcpi_retrans'),
    lastDataSent: f(44, 4, 'ms', 'tcpi_last_data_sent'),
    lastDataReceived: f(52, 4, 'ms', 'tcpi_last_data_recv'),
    lastAckReceived: f(56, 4, 'ms', 'tcpi_last_ack_recv'),
    pmtu: f(60, 4, 'bytes', 'tcpi_pmtu'),
    rcvSsthresh: f(64, 4, 'bytes', 'tcpi_rcv_ssthresh'),
    rtt: f(68, 4, 'us', 'tcpi_rtt'),
    rttVar: f(72, 4, 'us', 'tcpi_rttvar'),
    sndSsthresh: f(76, 4, 'count', 'tcpi_snd_ssthresh'),
    sndCwnd: f(80, 4, 'count', 'tcpi_snd_cwnd'),
    advMss: f(84, 4, 'bytes', 'tcpi_advmss'),
    reordering: f(88, 4, 'count', 'tcpi_reordering'),
    rcvRtt: f(92, 4, 'us', 'tcpi_rcv_rtt'),
    rcvSpace: f(96, 4, 'bytes', 'tcpi_rcv_space'),
    totalRetrans: f(100, 4, 'count', 'tcpi_total_retrans'),
    pacingRate: f(104, 8, 'bytes', 'tcpi_pacing_rate'),
    maxPacingRate: f(112, 8, 'bytes', 'tcpi_max_pacing_rate'),
    bytesAcked: f(120, 8, 'bytes', 'tcpi_bytes_acked'),
    bytesReceived: f(128, 8, 'bytes', 'tcpi_bytes_received'),
    segsOut: f(136, 4, 'count', 'tcpi_segs_out'),
    segsIn: f(140, 4, 'count', 'tcpi_segs_in'),
    notsentBytes: f(144, 4, 'bytes', 'tcpi_notsent_bytes'),
    minRtt: f(148, 4, 'us', 'tcpi_min_rtt'),
    dataSegsIn: f(152, 4, 'count', 'tcpi_data_segs_in'),
    dataSegsOut: f(156, 4, 'count', 'tcpi_data_segs_out'),
    deliveryRate: f(160, 8, 'bytes', 'tcpi_delivery_rate'),
    busyTime: f(168, 8, 'us', 'tcpi_busy_time'),
    rwndLimited: f(176, 8, 'us', 'tcpi_rwnd_limited'),
    sndbufLimited: f(184, 8, 'us', 'tcpi_sndbuf_limited'),
    delivered: f(192, 4, 'count', 'tcpi_delivered'),
    deliveredCe: f(196, 4, 'count', 'tcpi_delivered_ce'),
    bytesSent: f(200, 8, 'bytes', 'tcpi_bytes_sent'),
    bytesRetrans: f(208, 8, 'bytes', 'tcpi_bytes_retrans'),
    dsackDups: f(216, 4, 'count', 'tcpi_dsack_dups'),
    reordSeen: f(220, 4, 'count', 'tcpi_reord_seen'),
    rcvOoopack: f(224, 4, 'count', 'tcpi_rcv_ooopack'),
    sndWnd: f(228, 4, 'bytes', 'tcpi_snd_wnd'),
    rcvWnd: f(232, 4, 'bytes', 'tcpi_rcv_wnd'),
    rehash: f(236, 4, 'count', 'tcpi_rehash'),
    totalRto: f(240, 2, 'count', 'tcpi_total_rto'),
    totalRtoRecoveries: f(242, 2, 'count', 'tcpi_total_rto_recoveries'),
    totalRtoTime: f(244, 4, 'ms', 'tcpi_total_rto_time'),
  },
});

/**
 * FreeBSD struct tcp_info (sys/netinet/tcp.h; 240 bytes): Linux's offsets up to byte 99, then its
 * own tail. tcpi_last_data_recv is in µs there; tcpi_rcv_space is the advertised receive window.
 */
export const FREEBSD_TCP_INFO = layout({
  type: 'struct tcp_info',
  platform: 'defined(__FreeBSD__)',
  size: 240,
  optionalFrom: null,
  fields: {
    state: f(0, 1, 'raw', 'tcpi_state'),
    options: f(5, 1, 'raw', 'tcpi_options'),
    wscale: f(6, 1, 'raw', null), // tcpi_snd_wscale : 4, tcpi_rcv_wscale : 4
    rto: f(8, 4, 'us', 'tcpi_rto'),
    sndMss: f(16, 4, 'bytes', 'tcpi_snd_mss'),
    rcvMss: f(20, 4, 'bytes', 'tcpi_rcv_mss'),
    lastDataReceived: f(52, 4, 'us', 'tcpi_last_data_recv'),
    rtt: f(68, 4, 'us', 'tcpi_rtt'),
    rttVar: f(72, 4, 'us', 'tcpi_rttvar'),
    rcvWnd: f(96, 4, 'bytes', 'tcpi_rcv_space'),
    sndWnd: f(100, 4, 'bytes', 'tcpi_snd_wnd'),
    totalRetrans: f(120, 4, 'count', 'tcpi_snd_rexmitpack'),
    rcvOoopack: f(124, 4, 'count', 'tcpi_rcv_ooopack'),
  },
});

/** macOS struct tcp_connection_info (netinet/tcp.h; 112 bytes, times in ms). */
export const DARWIN_TCP_CONNECTION_INFO = layout({
  type: 'struct tcp_connection_info',
  platform: 'defined(__APPLE__)',
  size: 112,
  optionalFrom: null,
  fields: {
    state: f(0, 1, 'raw', 'tcpi_state'),
    sndWscale: f(1, 1, 'raw', 'tcpi_snd_wscale'),
    rcvWscale: f(2, 1, 'raw', 'tcpi_rcv_wscale'),
    options: f(4, 4, 'raw', 'tcpi_options'),
    rto: f(12, 4, 'ms', 'tcpi_rto'),
    sndMss: f(16, 4, 'bytes', 'tcpi_maxseg'),
    sndWnd: f(28, 4, 'bytes', 'tcpi_snd_wnd'),
    rcvWnd: f(36, 4, 'bytes', 'tcpi_rcv_wnd'),
    rtt: f(44, 4, 'ms', 'tcpi_srtt'),
    rttVar: f(48, 4, 'ms', 'tcpi_rttvar'),
    segsOut: f(56, 8, 'count', 'tcpi_txpackets'),
    bytesSent: f(64, 8, 'bytes', 'tcpi_txbytes'),
    bytesRetrans: f(72, 8, 'bytes', 'tcpi_txretransmitbytes'),
    segsIn: f(80, 8, 'count', 'tcpi_rxpackets'),
    bytesReceived: f(88, 8, 'bytes', 'tcpi_rxbytes'),
    totalRetrans: f(104, 8, 'count', 'tcpi_txretransmitpackets'),
  },
});

const windowsFields = {
  state: f(0, 4, 'raw', 'State'),
  sndMss: f(4, 4, 'bytes', 'Mss'),
  options: f(16, 1, 'raw', 'TimestampsEnabled'),
  rtt: f(20, 4, 'us', 'RttUs'),
  minRtt: f(24, 4, 'us', 'MinRttUs'),
  sndWnd: f(36, 4, 'bytes', 'SndWnd'),
  rcvWnd: f(40, 4, 'bytes', 'RcvWnd'),
  bytesSent: f(48, 8, 'bytes', 'BytesOut'),
  bytesReceived: f(56, 8, 'bytes', 'BytesIn'),
  bytesRetrans: f(68, 4, 'bytes', 'BytesRetrans'),
};

/** Windows TCP_INFO_v0 (mstcpip.h; 88 bytes) from SIO_TCP_INFO, Windows 10 1703+. */
export const WINDOWS_TCP_INFO_V0 = layout({
  type: 'TCP_INFO_v0',
  platform: 'defined(_WIN32)',
  size: 88,
  optionalFrom: null,
  fields: windowsFields,
});

/** Windows TCP_INFO_v1 (136 bytes, 1809+): v0 and send-limit counters the decoder does not read. */
export const WINDOWS_TCP_INFO_V1 = layout({ ...WINDOWS_TCP_INFO_V0, type: 'TCP_INFO_v1', size: 136 });

/** Every layout, in the order of the generated header. */
export const LAYOUTS = Object.freeze({
  linux: LINUX_TCP_INFO,
  freebsd: FREEBSD_TCP_INFO,
  darwin: DARWIN_TCP_CONNECTION_INFO,
  windowsV0: WINDOWS_TCP_INFO_V0,
  windowsV1: WINDOWS_TCP_INFO_V1,
});
