// GENERATED from lib/tcp-info-layout.ts by test/native/layout-header.ts: do not edit; run
// `npm run layout:header` after changing the table (test/native/tcp-info-layout.test.ts fails
// while this file is stale).
//
// Compile-time proof that the offsets and sizes the TypeScript decoders read are the platform's:
// included after the platform's own declaration of the struct by the one file per OS that reads
// it (diag_linux.cc after <linux/tcp.h>, sockopt_posix.cc on macOS/FreeBSD, sockopt_win.cc).
#pragma once

#include <cstddef>

// static_asserts offsetof(type, member) == offset where the header declares the member; older
// headers that lack a newer field are not an error (the decoder reads it only if filled).
// clang-format off
#define TCPKA_OFFSET_IF_DECLARED(type, member, offset)                                          \
  template <typename T>                                                                         \
  constexpr auto tcpka_offset_##member(int) -> decltype(&T::member, std::size_t()) {            \
    return offsetof(T, member);                                                                 \
  }                                                                                             \
  template <typename T>                                                                         \
  constexpr std::size_t tcpka_offset_##member(long) {                                           \
    return offset;                                                                              \
  }                                                                                             \
  static_assert(tcpka_offset_##member<type>(0) == offset, #member " is not at " #offset " (lib/tcp-info-layout.ts)");

#if defined(__linux__)
// linux: struct tcp_info
static_assert(offsetof(struct tcp_info, tcpi_state) == 0, "tcpi_state is not at 0 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_info, tcpi_ca_state) == 1, "tcpi_ca_state is not at 1 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_info, tcpi_retransmits) == 2, "tcpi_retransmits is not at 2 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_info, tcpi_probes) == 3, "tcpi_probes is not at 3 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_info, tcpi_backoff) == 4, "tcpi_backoff is not at 4 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_info, tcpi_options) == 5, "tcpi_options is not at 5 (lib/tcp-info-layout.ts)");
// wscale @6: a byte of bitfields, not checkable with offsetof
static_assert(offsetof(struct tcp_info, tcpi_rto) == 8, "tcpi_rto is not at 8 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_info, tcpi_ato) == 12, "tcpi_ato is not at 12 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_info, tcpi_snd_mss) == 16, "tcpi_snd_mss is not at 16 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_info, tcpi_rcv_mss) == 20, "tcpi_rcv_mss is not at 20 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_info, tcpi_unacked) == 24, "tcpi_unacked is not at 24 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_info, tcpi_sacked) == 28, "tcpi_sacked is not at 28 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_info, tcpi_lost) == 32, "tcpi_lost is not at 32 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_info, tcpi_retrans) == 36, "tcpi_retrans is not at 36 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_info, tcpi_last_data_sent) == 44, "tcpi_last_data_sent is not at 44 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_info, tcpi_last_data_recv) == 52, "tcpi_last_data_recv is not at 52 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_info, tcpi_last_ack_recv) == 56, "tcpi_last_ack_recv is not at 56 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_info, tcpi_pmtu) == 60, "tcpi_pmtu is not at 60 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_info, tcpi_rcv_ssthresh) == 64, "tcpi_rcv_ssthresh is not at 64 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_info, tcpi_rtt) == 68, "tcpi_rtt is not at 68 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_info, tcpi_rttvar) == 72, "tcpi_rttvar is not at 72 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_info, tcpi_snd_ssthresh) == 76, "tcpi_snd_ssthresh is not at 76 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_info, tcpi_snd_cwnd) == 80, "tcpi_snd_cwnd is not at 80 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_info, tcpi_advmss) == 84, "tcpi_advmss is not at 84 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_info, tcpi_reordering) == 88, "tcpi_reordering is not at 88 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_info, tcpi_rcv_rtt) == 92, "tcpi_rcv_rtt is not at 92 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_info, tcpi_rcv_space) == 96, "tcpi_rcv_space is not at 96 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_info, tcpi_total_retrans) == 100, "tcpi_total_retrans is not at 100 (lib/tcp-info-layout.ts)");
TCPKA_OFFSET_IF_DECLARED(struct tcp_info, tcpi_pacing_rate, 104)
TCPKA_OFFSET_IF_DECLARED(struct tcp_info, tcpi_max_pacing_rate, 112)
TCPKA_OFFSET_IF_DECLARED(struct tcp_info, tcpi_bytes_acked, 120)
TCPKA_OFFSET_IF_DECLARED(struct tcp_info, tcpi_bytes_received, 128)
TCPKA_OFFSET_IF_DECLARED(struct tcp_info, tcpi_segs_out, 136)
TCPKA_OFFSET_IF_DECLARED(struct tcp_info, tcpi_segs_in, 140)
TCPKA_OFFSET_IF_DECLARED(struct tcp_info, tcpi_notsent_bytes, 144)
TCPKA_OFFSET_IF_DECLARED(struct tcp_info, tcpi_min_rtt, 148)
TCPKA_OFFSET_IF_DECLARED(struct tcp_info, tcpi_data_segs_in, 152)
TCPKA_OFFSET_IF_DECLARED(struct tcp_info, tcpi_data_segs_out, 156)
TCPKA_OFFSET_IF_DECLARED(struct tcp_info, tcpi_delivery_rate, 160)
TCPKA_OFFSET_IF_DECLARED(struct tcp_info, tcpi_busy_time, 168)
TCPKA_OFFSET_IF_DECLARED(struct tcp_info, tcpi_rwnd_limited, 176)
TCPKA_OFFSET_IF_DECLARED(struct tcp_info, tcpi_sndbuf_limited, 184)
TCPKA_OFFSET_IF_DECLARED(struct tcp_info, tcpi_delivered, 192)
TCPKA_OFFSET_IF_DECLARED(struct tcp_info, tcpi_delivered_ce, 196)
TCPKA_OFFSET_IF_DECLARED(struct tcp_info, tcpi_bytes_sent, 200)
TCPKA_OFFSET_IF_DECLARED(struct tcp_info, tcpi_bytes_retrans, 208)
TCPKA_OFFSET_IF_DECLARED(struct tcp_info, tcpi_dsack_dups, 216)
TCPKA_OFFSET_IF_DECLARED(struct tcp_info, tcpi_reord_seen, 220)
TCPKA_OFFSET_IF_DECLARED(struct tcp_info, tcpi_rcv_ooopack, 224)
TCPKA_OFFSET_IF_DECLARED(struct tcp_info, tcpi_snd_wnd, 228)
TCPKA_OFFSET_IF_DECLARED(struct tcp_info, tcpi_rcv_wnd, 232)
TCPKA_OFFSET_IF_DECLARED(struct tcp_info, tcpi_rehash, 236)
TCPKA_OFFSET_IF_DECLARED(struct tcp_info, tcpi_total_rto, 240)
TCPKA_OFFSET_IF_DECLARED(struct tcp_info, tcpi_total_rto_recoveries, 242)
TCPKA_OFFSET_IF_DECLARED(struct tcp_info, tcpi_total_rto_time, 244)
#elif defined(__FreeBSD__)
// freebsd: struct tcp_info
static_assert(sizeof(struct tcp_info) == 240, "sizeof(struct tcp_info) is not 240 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_info, tcpi_state) == 0, "tcpi_state is not at 0 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_info, tcpi_options) == 5, "tcpi_options is not at 5 (lib/tcp-info-layout.ts)");
// wscale @6: a byte of bitfields, not checkable with offsetof
static_assert(offsetof(struct tcp_info, tcpi_rto) == 8, "tcpi_rto is not at 8 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_info, tcpi_snd_mss) == 16, "tcpi_snd_mss is not at 16 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_info, tcpi_rcv_mss) == 20, "tcpi_rcv_mss is not at 20 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_info, tcpi_last_data_recv) == 52, "tcpi_last_data_recv is not at 52 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_info, tcpi_rtt) == 68, "tcpi_rtt is not at 68 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_info, tcpi_rttvar) == 72, "tcpi_rttvar is not at 72 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_info, tcpi_rcv_space) == 96, "tcpi_rcv_space is not at 96 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_info, tcpi_snd_wnd) == 100, "tcpi_snd_wnd is not at 100 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_info, tcpi_snd_rexmitpack) == 120, "tcpi_snd_rexmitpack is not at 120 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_info, tcpi_rcv_ooopack) == 124, "tcpi_rcv_ooopack is not at 124 (lib/tcp-info-layout.ts)");
#elif defined(__APPLE__)
// darwin: struct tcp_connection_info
static_assert(sizeof(struct tcp_connection_info) == 112, "sizeof(struct tcp_connection_info) is not 112 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_connection_info, tcpi_state) == 0, "tcpi_state is not at 0 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_connection_info, tcpi_snd_wscale) == 1, "tcpi_snd_wscale is not at 1 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_connection_info, tcpi_rcv_wscale) == 2, "tcpi_rcv_wscale is not at 2 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_connection_info, tcpi_options) == 4, "tcpi_options is not at 4 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_connection_info, tcpi_rto) == 12, "tcpi_rto is not at 12 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_connection_info, tcpi_maxseg) == 16, "tcpi_maxseg is not at 16 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_connection_info, tcpi_snd_wnd) == 28, "tcpi_snd_wnd is not at 28 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_connection_info, tcpi_rcv_wnd) == 36, "tcpi_rcv_wnd is not at 36 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_connection_info, tcpi_srtt) == 44, "tcpi_srtt is not at 44 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_connection_info, tcpi_rttvar) == 48, "tcpi_rttvar is not at 48 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_connection_info, tcpi_txpackets) == 56, "tcpi_txpackets is not at 56 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_connection_info, tcpi_txbytes) == 64, "tcpi_txbytes is not at 64 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_connection_info, tcpi_txretransmitbytes) == 72, "tcpi_txretransmitbytes is not at 72 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_connection_info, tcpi_rxpackets) == 80, "tcpi_rxpackets is not at 80 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_connection_info, tcpi_rxbytes) == 88, "tcpi_rxbytes is not at 88 (lib/tcp-info-layout.ts)");
static_assert(offsetof(struct tcp_connection_info, tcpi_txretransmitpackets) == 104, "tcpi_txretransmitpackets is not at 104 (lib/tcp-info-layout.ts)");
#elif defined(_WIN32)
// windowsV0: TCP_INFO_v0
static_assert(sizeof(TCP_INFO_v0) == 88, "sizeof(TCP_INFO_v0) is not 88 (lib/tcp-info-layout.ts)");
static_assert(offsetof(TCP_INFO_v0, State) == 0, "State is not at 0 (lib/tcp-info-layout.ts)");
static_assert(offsetof(TCP_INFO_v0, Mss) == 4, "Mss is not at 4 (lib/tcp-info-layout.ts)");
static_assert(offsetof(TCP_INFO_v0, TimestampsEnabled) == 16, "TimestampsEnabled is not at 16 (lib/tcp-info-layout.ts)");
static_assert(offsetof(TCP_INFO_v0, RttUs) == 20, "RttUs is not at 20 (lib/tcp-info-layout.ts)");
static_assert(offsetof(TCP_INFO_v0, MinRttUs) == 24, "MinRttUs is not at 24 (lib/tcp-info-layout.ts)");
static_assert(offsetof(TCP_INFO_v0, SndWnd) == 36, "SndWnd is not at 36 (lib/tcp-info-layout.ts)");
static_assert(offsetof(TCP_INFO_v0, RcvWnd) == 40, "RcvWnd is not at 40 (lib/tcp-info-layout.ts)");
static_assert(offsetof(TCP_INFO_v0, BytesOut) == 48, "BytesOut is not at 48 (lib/tcp-info-layout.ts)");
static_assert(offsetof(TCP_INFO_v0, BytesIn) == 56, "BytesIn is not at 56 (lib/tcp-info-layout.ts)");
static_assert(offsetof(TCP_INFO_v0, BytesRetrans) == 68, "BytesRetrans is not at 68 (lib/tcp-info-layout.ts)");
// windowsV1: TCP_INFO_v1
static_assert(sizeof(TCP_INFO_v1) == 136, "sizeof(TCP_INFO_v1) is not 136 (lib/tcp-info-layout.ts)");
static_assert(offsetof(TCP_INFO_v1, State) == 0, "State is not at 0 (lib/tcp-info-layout.ts)");
static_assert(offsetof(TCP_INFO_v1, Mss) == 4, "Mss is not at 4 (lib/tcp-info-layout.ts)");
static_assert(offsetof(TCP_INFO_v1, TimestampsEnabled) == 16, "TimestampsEnabled is not at 16 (lib/tcp-info-layout.ts)");
static_assert(offsetof(TCP_INFO_v1, RttUs) == 20, "RttUs is not at 20 (lib/tcp-info-layout.ts)");
static_assert(offsetof(TCP_INFO_v1, MinRttUs) == 24, "MinRttUs is not at 24 (lib/tcp-info-layout.ts)");
static_assert(offsetof(TCP_INFO_v1, SndWnd) == 36, "SndWnd is not at 36 (lib/tcp-info-layout.ts)");
static_assert(offsetof(TCP_INFO_v1, RcvWnd) == 40, "RcvWnd is not at 40 (lib/tcp-info-layout.ts)");
static_assert(offsetof(TCP_INFO_v1, BytesOut) == 48, "BytesOut is not at 48 (lib/tcp-info-layout.ts)");
static_assert(offsetof(TCP_INFO_v1, BytesIn) == 56, "BytesIn is not at 56 (lib/tcp-info-layout.ts)");
static_assert(offsetof(TCP_INFO_v1, BytesRetrans) == 68, "BytesRetrans is not at 68 (lib/tcp-info-layout.ts)");
#endif
// clang-format on
