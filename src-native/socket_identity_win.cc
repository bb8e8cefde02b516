// Socket identity on Windows: a hash of the local and peer addresses. A SOCKET value can be
// handed out again after closesocket, but not with the same address pair while a connection
// with that pair is still open, so a reused SOCKET is caught before any option is touched.
#include "keepalive.h"
#include "platform_win.h"

namespace tcpka {
namespace {

void Mix(uint64_t* hash, const void* data, int len) {
  const auto* bytes = static_cast<const uint8_t*>(data);
  for (int i = 0; i < len; i++) {
    *hash ^= bytes[i];
    *hash *= 1099511628211ull;  // FNV-1a 64
  }
}

bool IsTcpStream(SocketHandle sock, const sockaddr_storage& local, Failure* failure) {
  DWORD type = 0;
  int len = sizeof(type);
  if (getsockopt(sock, SOL_SOCKET, SO_TYPE, reinterpret_cast<char*>(&type), &len) != 0) {
    return SyscallFailed(failure, "getsockopt", "SO_TYPE");
  }
  if (type != SOCK_STREAM || (local.ss_family != AF_INET && local.ss_family != AF_INET6)) {
    return Failed(failure, TranslateSocketError(WSAENOTSOCK), "getsockopt", "SO_TYPE");
  }
  return true;
}

}  // namespace

bool IdentifySocket(SocketHandle sock, SocketId expected, SocketId* out, Failure* failure) {
  sockaddr_storage local{};
  int local_len = sizeof(local);
  if (getsockname(sock, reinterpret_cast<sockaddr*>(&local), &local_len) != 0) {
    // A SOCKET closed since it was last seen is "closed", not "not a socket".
    int error = expected != 0 ? TranslateSocketError(WSAEBADF) : LastSocketError();
    return Failed(failure, error, "getsockname");
  }
  sockaddr_storage peer{};
  int peer_len = sizeof(peer);
  if (getpeername(sock, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) peer_len = 0;
  uint64_t hash = 14695981039346656037ull;
  Mix(&hash, &local, local_len);
  Mix(&hash, &peer, peer_len);
  // The TS layer holds the identity in a double: keep it exact (53 bits) and non-zero.
  SocketId id = (hash & ((1ull << 53) - 1)) | 1;
  if (expected != 0) {
    if (id != expected) return Failed(failure, TranslateSocketError(WSAEBADF), "getsockname");
  } else if (!IsTcpStream(sock, local, failure)) {
    return false;
  }
  *out = id;
  return true;
}

}  // namespace tcpka
