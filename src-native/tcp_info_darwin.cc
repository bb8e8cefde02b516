// TCP_CONNECTION_INFO on macOS: the public struct tcp_connection_info (112 bytes). TCP_INFO
// exists too but its struct is private and changes between releases.
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
  if (getsockopt(sock, IPPROTO_TCP, TCP_CONNECTION_INFO, buf, &got) != 0) {
    *failure = {errno, "getsockopt", "TCP_CONNECTION_INFO"};
    return false;
  }
  *len = got;
  return true;
}

}  // namespace tcpka
