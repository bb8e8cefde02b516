// Keepalive options on Windows. Idle/interval/count use TCP_KEEPIDLE/TCP_KEEPINTVL/TCP_KEEPCNT
// (seconds, readable; Windows 10 1709+). Where the running Windows lacks them the TS layer sets
// kViaKeepAliveVals and this file sends SIO_KEEPALIVE_VALS (ms, write-only) instead.
// userTimeout is TCP_MAXRTMS (ms).
#include "keepalive.h"
#include "platform_win.h"

namespace tcpka {
namespace {

struct Option {
  int level;
  int name;
  const char* label;
};

// Indexed like Field bits; this order is also the order of the writes.
const Option kOptions[kFieldCount] = {
    {SOL_SOCKET, SO_KEEPALIVE, "SO_KEEPALIVE"},    {IPPROTO_TCP, TCP_KEEPIDLE, "TCP_KEEPIDLE"},
    {IPPROTO_TCP, TCP_KEEPINTVL, "TCP_KEEPINTVL"}, {IPPROTO_TCP, TCP_KEEPCNT, "TCP_KEEPCNT"},
    {IPPROTO_TCP, TCP_MAXRTMS, "TCP_MAXRTMS"},
};

bool GetOption(SocketHandle sock, int index, int32_t* value, Failure* failure) {
  DWORD v = 0;  // zeroed: SO_KEEPALIVE may come back as a one-byte BOOLEAN
  int len = sizeof(v);
  if (getsockopt(sock, kOptions[index].level, kOptions[index].name, reinterpret_cast<char*>(&v),
                 &len) != 0) {
    *failure = {LastSocketError(), "getsockopt", kOptions[index].label};
    return false;
  }
  *value = static_cast<int32_t>(v);
  return true;
}

bool SetOption(SocketHandle sock, int index, int32_t value, Failure* failure) {
  DWORD v = static_cast<DWORD>(value);
  if (setsockopt(sock, kOptions[index].level, kOptions[index].name,
                 reinterpret_cast<const char*>(&v), sizeof(v)) != 0) {
    *failure = {LastSocketError(), "setsockopt", kOptions[index].label};
    return false;
  }
  return true;
}

bool SetKeepAliveVals(SocketHandle sock, const KeepAliveValues& values, Failure* failure) {
  KeepAliveVals in = {values.value[0] != 0 ? 1u : 0u, static_cast<ULONG>(values.value[1]),
                      static_cast<ULONG>(values.value[2])};
  DWORD bytes = 0;
  if (WSAIoctl(sock, SIO_KEEPALIVE_VALS, &in, sizeof(in), nullptr, 0, &bytes, nullptr, nullptr) !=
      0) {
    *failure = {LastSocketError(), "WSAIoctl", "SIO_KEEPALIVE_VALS"};
    return false;
  }
  return true;
}

// Builds without the option report WSAENOPROTOOPT; WSAEINVAL is also documented for them.
bool IsMissingOption(int error) {
  return error == TranslateSocketError(WSAENOPROTOOPT) || error == TranslateSocketError(WSAEINVAL);
}

}  // namespace

bool ReadKeepAlive(SocketHandle sock, KeepAliveValues* out, Failure* failure) {
  for (int i = 0; i < kFieldCount; i++) {
    if (GetOption(sock, i, &out->value[i], failure)) continue;
    if (i == 0 || !IsMissingOption(failure->error)) return false;
    out->value[i] = kUnreadable;
  }
  return true;
}

bool ApplyKeepAlive(SocketHandle sock, uint32_t mask, const KeepAliveValues& values,
                    Failure* failure) {
  const bool via_ioctl = (mask & kViaKeepAliveVals) != 0;
  auto by_option = [&](int i) { return (mask & (1u << i)) && !(via_ioctl && i <= 2); };
  KeepAliveValues before{};
  for (int i = 0; i < kFieldCount; i++) {
    if (by_option(i) && !GetOption(sock, i, &before.value[i], failure)) return false;
  }
  auto restore = [&](int upto) {
    Failure ignored;
    for (int j = 0; j < upto; j++) {
      if (by_option(j)) SetOption(sock, j, before.value[j], &ignored);
    }
  };
  for (int i = 0; i < kFieldCount; i++) {
    if (!by_option(i) || SetOption(sock, i, values.value[i], failure)) continue;
    restore(i);
    return false;
  }
  if (via_ioctl && !SetKeepAliveVals(sock, values, failure)) {
    restore(kFieldCount);
    return false;
  }
  return true;
}

}  // namespace tcpka
