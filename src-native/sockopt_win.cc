// System calls of Windows: the keepalive option table, get/set of one option, the write-only
// SIO_KEEPALIVE_VALS ioctl, SIO_TCP_INFO, and the feature probe. The algorithm around them is in
// keepalive_core.cc. Idle/interval/count use TCP_KEEPIDLE/TCP_KEEPINTVL/TCP_KEEPCNT (seconds,
// readable; Windows 10 1709+); where the running Windows lacks them the TS layer sets
// kViaKeepAliveVals and SIO_KEEPALIVE_VALS (ms) is sent instead. userTimeout is TCP_MAXRTMS (ms).
#include <cstring>
#include <initializer_list>

#include "keepalive.h"
#include "platform_win.h"
// TCP_INFO_v0/v1 (mstcpip.h) against the layout table the decoder reads.
#include "tcp_info_layout.h"

namespace tcpka {

int LastSocketError() {
  return TranslateSocketError(WSAGetLastError());
}

// Indexed like Field bits; this order is also the order of the writes.
const Option kOptions[kFieldCount] = {
    {SOL_SOCKET, SO_KEEPALIVE, "SO_KEEPALIVE"},    {IPPROTO_TCP, TCP_KEEPIDLE, "TCP_KEEPIDLE"},
    {IPPROTO_TCP, TCP_KEEPINTVL, "TCP_KEEPINTVL"}, {IPPROTO_TCP, TCP_KEEPCNT, "TCP_KEEPCNT"},
    {IPPROTO_TCP, TCP_MAXRTMS, "TCP_MAXRTMS"},
};

bool GetOption(SocketHandle sock, int index, int32_t* value, Failure* failure) {
  const Option& option = kOptions[index];
  DWORD v = 0;  // zeroed: SO_KEEPALIVE may come back as a one-byte BOOLEAN
  int len = sizeof(v);
  if (getsockopt(sock, option.level, option.name, reinterpret_cast<char*>(&v), &len) != 0) {
    return SyscallFailed(failure, "getsockopt", option.label);
  }
  *value = static_cast<int32_t>(v);
  return true;
}

bool SetOption(SocketHandle sock, int index, int32_t value, Failure* failure) {
  const Option& option = kOptions[index];
  DWORD v = static_cast<DWORD>(value);
  if (setsockopt(sock, option.level, option.name, reinterpret_cast<const char*>(&v), sizeof(v)) !=
      0) {
    return SyscallFailed(failure, "setsockopt", option.label);
  }
  return true;
}

// Builds without the option report WSAENOPROTOOPT; WSAEINVAL is also documented for them.
bool IsMissingOption(int error) {
  return error == TranslateSocketError(WSAENOPROTOOPT) || error == TranslateSocketError(WSAEINVAL);
}

bool SetKeepAliveVals(SocketHandle sock, const KeepAliveValues& values, Failure* failure) {
  KeepAliveVals in = {values.value[0] != 0 ? 1u : 0u, static_cast<ULONG>(values.value[1]),
                      static_cast<ULONG>(values.value[2])};
  DWORD bytes = 0;
  if (WSAIoctl(sock, SIO_KEEPALIVE_VALS, &in, sizeof(in), nullptr, 0, &bytes, nullptr, nullptr) !=
      0) {
    return SyscallFailed(failure, "WSAIoctl", "SIO_KEEPALIVE_VALS");
  }
  return true;
}

// SIO_TCP_INFO (10 1703+): asks for TCP_INFO_v1 (1809+) first, then v0. The TS layer tells the
// version apart by the number of bytes returned (v0: 88, v1: 136).
bool ReadTcpInfo(SocketHandle sock, uint8_t* buf, size_t* len, Failure* failure) {
  std::memset(buf, 0, *len);
  for (DWORD version = 1;; version--) {
    DWORD bytes = 0;
    if (WSAIoctl(sock, SIO_TCP_INFO, &version, sizeof(version), buf, static_cast<DWORD>(*len),
                 &bytes, nullptr, nullptr) == 0) {
      *len = bytes;
      return true;
    }
    if (version == 0) break;
  }
  return SyscallFailed(failure, "WSAIoctl", "SIO_TCP_INFO");
}

namespace {

// A throwaway loopback connection for the probe (the build number says little: wine and Server
// builds differ, so each option is tried).
struct Connection {
  SOCKET listener = INVALID_SOCKET;
  SOCKET client = INVALID_SOCKET;
  SOCKET accepted = INVALID_SOCKET;
  ~Connection() {
    for (SOCKET s : {accepted, client, listener}) {
      if (s != INVALID_SOCKET) closesocket(s);
    }
  }
  bool Open() {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int len = sizeof(addr);
    listener = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    client = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (listener == INVALID_SOCKET || client == INVALID_SOCKET ||
        bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        listen(listener, 1) != 0 ||
        getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
        connect(client, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      return false;
    }
    accepted = accept(listener, nullptr, nullptr);
    return accepted != INVALID_SOCKET;
  }
};

// A value each option accepts on every build that has it (index = Field bit): idle 2 h,
// interval 1 s, 10 probes, TCP_MAXRTMS 30 s. Not the value read back: a fresh socket may read 0,
// which TCP_MAXRTMS refuses, and the probe would call a working option unsupported.
constexpr int32_t kProbeValues[kFieldCount] = {1, 7200, 1, 10, 30000};

// Reads the option and writes a known-good value: both directions must work.
bool Accepts(SOCKET sock, int index) {
  int32_t value = 0;
  Failure ignored;
  return GetOption(sock, index, &value, &ignored) &&
         SetOption(sock, index, kProbeValues[index], &ignored);
}

}  // namespace

uint32_t ProbeFeatures() {
  Connection conn;
  if (!conn.Open()) return 0;
  const uint32_t bits[kFieldCount] = {0, kHasKeepIdle, kHasKeepIntvl, kHasKeepCnt, kHasUserTimeout};
  uint32_t features = 0;
  for (int i = 1; i < kFieldCount; i++) {
    if (Accepts(conn.client, i)) features |= bits[i];
  }
  KeepAliveValues defaults = {{1, 7200000, 1000}};  // the documented system defaults (ms)
  Failure ignored;
  if (SetKeepAliveVals(conn.client, defaults, &ignored)) features |= kHasKeepAliveVals;
  uint8_t info[136];
  size_t len = sizeof(info);
  if (ReadTcpInfo(conn.client, info, &len, &ignored)) features |= kHasTcpInfo;
  return features;
}

}  // namespace tcpka
