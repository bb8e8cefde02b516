// SIO_TCP_INFO on Windows (10 1703+): asks for TCP_INFO_v1 (1809+) first, then v0. The TS
// layer tells the version apart by the number of bytes returned (v0: 88, v1: 136).
#include <cstring>

#include "keepalive.h"
#include "platform_win.h"

namespace tcpka {

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
  *failure = {LastSocketError(), "WSAIoctl", "SIO_TCP_INFO"};
  return false;
}

}  // namespace tcpka
