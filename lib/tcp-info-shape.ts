// The shape of getTcpInfo()'s answer, shared by the Linux decoder and the other platforms' ones.

/** Linux TCP state names, indexed by the kernel's state number (tcpi_state, idiag_state). */
export const TCP_STATES = [
  'UNKNOWN', 'ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT',
  'CLOSE', 'CLOSE_WAIT', 'LAST_ACK', 'LISTEN', 'CLOSING', 'NEW_SYN_RECV', 'BOUND_INACTIVE',
] as const;

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

