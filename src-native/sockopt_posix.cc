// Keepalive options through setsockopt/getsockopt: Linux, macOS and FreeBSD (option names differ).
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "keepalive.h"

namespace tcpka {
namespace {

struct Option {
  int level;
  int name;
  const char* label;
};

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
  if (kOptions[index].name < 0) {
    *failure = {ENOPROTOOPT, "getsockopt", kOptions[index].label};
    return false;
  }
  int v = 0;
  socklen_t len = sizeof(v);
  if (getsockopt(sock, kOptions[index].level, kOptions[index].name, &v, &len) != 0) {
    *failure = {errno, "getsockopt", kOptions[index].label};
    return false;
  }
  *value = v;
  return true;
}

bool SetOption(SocketHandle sock, int index, int32_t value, Failure* failure) {
  if (kOptions[index].name < 0) {
    *failure = {ENOPROTOOPT, "setsockopt", kOptions[index].label};
    return false;
  }
  int v = value;
  if (setsockopt(sock, kOptions[index].level, kOptions[index].name, &v, sizeof(v)) != 0) {
    *failure = {errno, "setsockopt", kOptions[index].label};
    return false;
  }
  return true;
}

}  // namespace

bool ReadKeepAlive(SocketHandle sock, KeepAliveValues* out, Failure* failure) {
  for (int i = 0; i < kFieldCount; i++) {
    if (GetOption(sock, i, &out->value[i], failure)) continue;
    // An option this kernel lacks (e.g. TCP_MAXUNACKTIME before FreeBSD 14) reads as unreadable.
    if (i == 0 || failure->error != ENOPROTOOPT) return false;
    out->value[i] = kUnreadable;
  }
  return true;
}

bool ApplyKeepAlive(SocketHandle sock, uint32_t mask, const KeepAliveValues& values,
                    Failure* failure) {
  // Read what will be overwritten first, so a failure part-way can be undone. The last field
  // written is not read: nothing after it can fail, and a rejected write leaves it unchanged.
  int last = -1;
  for (int i = 0; i < kFieldCount; i++) {
    if (mask & (1u << i)) last = i;
  }
  KeepAliveValues before{};
  for (int i = 0; i < last; i++) {
    if ((mask & (1u << i)) && !GetOption(sock, i, &before.value[i], failure)) return false;
  }
  for (int i = 0; i < kFieldCount; i++) {
    if (!(mask & (1u << i))) continue;
    if (SetOption(sock, i, values.value[i], failure)) continue;
    Failure ignored;
    for (int j = 0; j < i; j++) {
      if (mask & (1u << j)) SetOption(sock, j, before.value[j], &ignored);
    }
    return false;
  }
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
