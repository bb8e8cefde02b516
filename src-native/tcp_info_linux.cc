// TCP_INFO on Linux. The struct grew from 104 to 280 bytes over kernel versions, so the caller's
// buffer is filled as far as the running kernel goes and the length it returned is passed back.
// FreeBSD reads its (different, 236-byte) struct tcp_info the same way; lib/ decodes each.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "keepalive.h"

namespace tcpka {

bool ReadTcpInfo(SocketHandle sock, uint8_t* buf, size_t* len, Failure* failure) {
  std::memset(buf, 0, *len);
  socklen_t got = static_cast<socklen_t>(*len);
  if (getsockopt(sock, IPPROTO_TCP, TCP_INFO, buf, &got) != 0) {
    *failure = {errno, "getsockopt", "TCP_INFO"};
    return false;
  }
  *len = got;
  return true;
}

}  // namespace tcpka
