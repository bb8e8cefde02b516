// System calls of Linux, macOS and FreeBSD: the keepalive option table, get/set of one option,
// the kernel's connection-info struct, and the feature probe. The algorithm around them is in
// keepalive_core.cc.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "keepalive.h"
// macOS and FreeBSD: the struct ReadTcpInfo returns against the layout table (Linux checks the
// kernel's own <linux/tcp.h> in diag_linux.cc; libc's copy here is shorter).
#if !defined(__linux__)
#include "tcp_info_layout.h"
#endif

namespace tcpka {

int LastSocketError() {
  return errno;
}

// Indexed like Field bits; this order is also the order of the writes.
const Option kOptions[kFieldCount] = {
    {SOL_SOCKET, SO_KEEPALIVE, "SO_KEEPALIVE"},
#if defined(__APPLE__)
    // macOS names the idle time TCP_KEEPALIVE (s); its user-timeout analogue for unacknowledged
    // data is TCP_RXT_CONNDROPTIME (s).
    {IPPROTO_TCP, TCP_KEEPALIVE, "TCP_KEEPALIVE"},
    {IPPROTO_TCP, TCP_KEEPINTVL, "TCP_KEEPINTVL"},
    {IPPROTO_TCP, TCP_KEEPCNT, "TCP_KEEPCNT"},
    {IPPROTO_TCP, TCP_RXT_CONNDROPTIME, "TCP_RXT_CONNDROPTIME"},
#else
    {IPPROTO_TCP, TCP_KEEPIDLE, "TCP_KEEPIDLE"},
    {IPPROTO_TCP, TCP_KEEPINTVL, "TCP_KEEPINTVL"},
    {IPPROTO_TCP, TCP_KEEPCNT, "TCP_KEEPCNT"},
#if defined(TCP_USER_TIMEOUT)
    {IPPROTO_TCP, TCP_USER_TIMEOUT, "TCP_USER_TIMEOUT"},
#elif defined(TCP_MAXUNACKTIME)
    // FreeBSD 14+: drop when nothing is acknowledged for this long (s).
    {IPPROTO_TCP, TCP_MAXUNACKTIME, "TCP_MAXUNACKTIME"},
#else
    {IPPROTO_TCP, -1, "TCP_MAXUNACKTIME"},  // FreeBSD before 14: no equivalent
#endif
#endif
};

bool GetOption(SocketHandle sock, int index, int32_t* value, Failure* failure) {
  const Option& option = kOptions[index];
  if (option.name < 0) return Failed(failure, ENOPROTOOPT, "getsockopt", option.label);
  int v = 0;
  socklen_t len = sizeof(v);
  if (getsockopt(sock, option.level, option.name, &v, &len) != 0) {
    return SyscallFailed(failure, "getsockopt", option.label);
  }
  *value = v;
  return true;
}

bool SetOption(SocketHandle sock, int index, int32_t value, Failure* failure) {
  const Option& option = kOptions[index];
  if (option.name < 0) return Failed(failure, ENOPROTOOPT, "setsockopt", option.label);
  int v = value;
  if (setsockopt(sock, option.level, option.name, &v, sizeof(v)) != 0) {
    return SyscallFailed(failure, "setsockopt", option.label);
  }
  return true;
}

bool IsMissingOption(int error) {
  return error == ENOPROTOOPT;
}

bool SetKeepAliveVals(SocketHandle, const KeepAliveValues&, Failure* failure) {
  return Failed(failure, EOPNOTSUPP, "WSAIoctl", "SIO_KEEPALIVE_VALS");  // Windows only
}

// Linux: TCP_INFO, whose struct grew from 104 to 280 bytes over kernel versions, so the buffer is
// filled as far as the running kernel goes and its length is passed back. FreeBSD reads its own
// (240-byte) struct tcp_info the same way. macOS: TCP_CONNECTION_INFO, the public struct
// tcp_connection_info (112 bytes; TCP_INFO's struct is private there). lib/ decodes each.
#if defined(__APPLE__)
constexpr int kTcpInfo = TCP_CONNECTION_INFO;
constexpr const char* kTcpInfoLabel = "TCP_CONNECTION_INFO";
#else
constexpr int kTcpInfo = TCP_INFO;
constexpr const char* kTcpInfoLabel = "TCP_INFO";
#endif

bool ReadTcpInfo(SocketHandle sock, uint8_t* buf, size_t* len, Failure* failure) {
  std::memset(buf, 0, *len);
  socklen_t got = static_cast<socklen_t>(*len);
  if (getsockopt(sock, IPPROTO_TCP, kTcpInfo, buf, &got) != 0) {
    return SyscallFailed(failure, "getsockopt", kTcpInfoLabel);
  }
  *len = got;
  return true;
}

uint32_t ProbeFeatures() {
  int sock = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  if (sock < 0) return 0;
  const uint32_t bits[kFieldCount] = {0, kHasKeepIdle, kHasKeepIntvl, kHasKeepCnt, kHasUserTimeout};
  uint32_t features = kHasTcpInfo;
  for (int i = 1; i < kFieldCount; i++) {
    int32_t value = 0;
    Failure ignored;
    if (GetOption(sock, i, &value, &ignored)) features |= bits[i];
  }
  close(sock);
  return features;
}

}  // namespace tcpka
