// Which keepalive options the running Windows accepts, found by trying them once on a throwaway
// loopback connection (the build number says little: wine and Server builds differ).
#include <initializer_list>

#include "keepalive.h"
#include "platform_win.h"

namespace tcpka {
namespace {

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

// Reads the option and writes the same value back: both directions must work.
bool Accepts(SOCKET sock, int name) {
  DWORD v = 0;
  int len = sizeof(v);
  return getsockopt(sock, IPPROTO_TCP, name, reinterpret_cast<char*>(&v), &len) == 0 &&
         setsockopt(sock, IPPROTO_TCP, name, reinterpret_cast<const char*>(&v), sizeof(v)) == 0;
}

}  // namespace

uint32_t ProbeFeatures() {
  Connection conn;
  if (!conn.Open()) return 0;
  uint32_t features = 0;
  if (Accepts(conn.client, TCP_KEEPIDLE)) features |= kHasKeepIdle;
  if (Accepts(conn.client, TCP_KEEPINTVL)) features |= kHasKeepIntvl;
  if (Accepts(conn.client, TCP_KEEPCNT)) features |= kHasKeepCnt;
  if (Accepts(conn.client, TCP_MAXRTMS)) features |= kHasUserTimeout;
  KeepAliveVals vals = {1, 7200000, 1000};  // the documented system defaults
  DWORD bytes = 0;
  if (WSAIoctl(conn.client, SIO_KEEPALIVE_VALS, &vals, sizeof(vals), nullptr, 0, &bytes, nullptr,
               nullptr) == 0) {
    features |= kHasKeepAliveVals;
  }
  uint8_t info[136];
  size_t len = sizeof(info);
  Failure ignored;
  if (ReadTcpInfo(conn.client, info, &len, &ignored)) features |= kHasTcpInfo;
  return features;
}

}  // namespace tcpka
