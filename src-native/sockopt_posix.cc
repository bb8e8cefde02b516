// Keepalive options through setsockopt/getsockopt (Linux, and the BSDs where the names match).
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

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
    {IPPROTO_TCP, TCP_KEEPIDLE, "TCP_KEEPIDLE"},
    {IPPROTO_TCP, TCP_KEEPINTVL, "TCP_KEEPINTVL"},
    {IPPROTO_TCP, TCP_KEEPCNT, "TCP_KEEPCNT"},
    {IPPROTO_TCP, TCP_USER_TIMEOUT, "TCP_USER_TIMEOUT"},
};

bool GetOption(SocketHandle sock, int index, int32_t* value, Failure* failure) {
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
    if (!GetOption(sock, i, &out->value[i], failure)) return false;
  }
  return true;
}

bool ApplyKeepAlive(SocketHandle sock, uint32_t mask, const KeepAliveValues& values,
                    Failure* failure) {
  // Read what will be overwritten first, so a failure part-way can be undone.
  KeepAliveValues before{};
  for (int i = 0; i < kFieldCount; i++) {
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

}  // namespace tcpka
