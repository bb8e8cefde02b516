// Socket identity on POSIX: the inode of the socket, which the kernel never gives to another
// open socket, so a recycled descriptor number is caught before any option is touched. Where
// fstat() gives no inode (macOS, FreeBSD) the identity only says "checked: a TCP socket", and
// lib/target.ts compares the connection's address pair at every call.
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cerrno>

#include "keepalive.h"

namespace tcpka {
namespace {

bool IsTcpStream(SocketHandle sock, Failure* failure) {
  int type = 0;
  socklen_t len = sizeof(type);
  if (getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &len) != 0) {
    return SyscallFailed(failure, "getsockopt", "SO_TYPE");
  }
  int protocol = IPPROTO_TCP;
#ifdef SO_PROTOCOL
  len = sizeof(protocol);
  if (getsockopt(sock, SOL_SOCKET, SO_PROTOCOL, &protocol, &len) != 0) {
    return SyscallFailed(failure, "getsockopt", "SO_PROTOCOL");
  }
#endif
  // Only AF_INET/AF_INET6 stream sockets carry TCP; AF_UNIX streams report protocol 0.
  sockaddr_storage addr{};
  socklen_t addr_len = sizeof(addr);
  if (getsockname(sock, reinterpret_cast<sockaddr*>(&addr), &addr_len) != 0) {
    return SyscallFailed(failure, "getsockname");
  }
  bool inet = addr.ss_family == AF_INET || addr.ss_family == AF_INET6;
  if (type != SOCK_STREAM || protocol != IPPROTO_TCP || !inet) {
    return Failed(failure, ENOTSOCK, "getsockopt", "SO_PROTOCOL");
  }
  return true;
}

}  // namespace

bool IdentifySocket(SocketHandle sock, SocketId expected, SocketId* out, Failure* failure) {
  struct stat st {};
  if (fstat(sock, &st) != 0) return SyscallFailed(failure, "fstat");
  // macOS and FreeBSD report st_ino 0 for every socket: the type check is remembered instead.
  SocketId id = st.st_ino != 0 ? static_cast<SocketId>(st.st_ino) : kCheckedWithoutInode;
  if (expected != 0) {
    if (id != expected) return Failed(failure, ESTALE, "fstat");
  } else if (!S_ISSOCK(st.st_mode)) {
    return Failed(failure, ENOTSOCK, "fstat");
  } else if (!IsTcpStream(sock, failure)) {
    return false;
  }
  *out = id;
  return true;
}

}  // namespace tcpka
