// Finds the OS socket behind a Node TCP handle by walking the libuv loop of the calling thread
// (public libuv API). Needed on Windows, where Node reports fd -1; compiled everywhere so the
// same lookup is tested against the real descriptors on Linux.
#ifdef _WIN32
#include "platform_win.h"
#else
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#endif

#include <cstring>
#include <string>
#include <unordered_map>

#include "keepalive.h"
#include "uv_subset.h"

namespace tcpka {
namespace {

#ifdef _WIN32
using AddrLen = int;
#else
using AddrLen = socklen_t;
#endif

struct Endpoint {
  int family = 0;
  uint16_t port = 0;
  uint8_t addr[16] = {};
};

// Parses the address text Node reports (IPv6 may carry a "%scope" suffix, which is ignored).
bool Parse(const char* ip, int port, Endpoint* out) {
  std::string text(ip);
  size_t scope = text.find('%');
  if (scope != std::string::npos) text.resize(scope);
  out->family = text.find(':') == std::string::npos ? AF_INET : AF_INET6;
  out->port = static_cast<uint16_t>(port);
  return inet_pton(out->family, text.c_str(), out->addr) == 1;
}

bool FromSockaddr(const sockaddr_storage& ss, Endpoint* out) {
  out->family = ss.ss_family;
  if (ss.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&ss);
    out->port = ntohs(in->sin_port);
    std::memcpy(out->addr, &in->sin_addr, 4);
    return true;
  }
  if (ss.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&ss);
    out->port = ntohs(in6->sin6_port);
    std::memcpy(out->addr, &in6->sin6_addr, 16);
    return true;
  }
  return false;
}

bool Same(const Endpoint& a, const Endpoint& b) {
  size_t bytes = a.family == AF_INET ? 4 : 16;
  return a.family == b.family && a.port == b.port && std::memcmp(a.addr, b.addr, bytes) == 0;
}

// What a TCP handle's socket was bound/connected to when last seen.
struct Seen {
  SocketHandle sock{};
  Endpoint local;
  Endpoint peer;
  bool connected = false;
};

bool Describe(SocketHandle sock, Seen* out) {
  sockaddr_storage ss{};
  AddrLen len = sizeof(ss);
  if (getsockname(sock, reinterpret_cast<sockaddr*>(&ss), &len) != 0 ||
      !FromSockaddr(ss, &out->local)) {
    return false;
  }
  len = sizeof(ss);
  out->connected = getpeername(sock, reinterpret_cast<sockaddr*>(&ss), &len) == 0 &&
                   FromSockaddr(ss, &out->peer);
  out->sock = sock;
  return true;
}

}  // namespace

// Per event loop (so per thread): what each TCP handle was bound/connected to when last seen.
struct LookupIndex {
  std::unordered_map<const uv_handle_t*, Seen> seen;
};

LookupIndex* NewLookupIndex() {
  return new LookupIndex();
}
void FreeLookupIndex(LookupIndex* index) {
  delete index;
}

namespace {

struct Search {
  Endpoint local;
  Endpoint peer;
  bool listener = false;
  bool trust_index = true;  // use what the index says about a handle with the same socket
  LookupIndex* index = nullptr;
  std::unordered_map<const uv_handle_t*, Seen> next;  // the index after this walk
  bool found = false;
  SocketHandle sock{};
};

bool Wanted(const Seen& seen, const Search& search) {
  if (!Same(seen.local, search.local)) return false;
  return search.listener ? !seen.connected : seen.connected && Same(seen.peer, search.peer);
}

// Visits every handle (no early exit) so the index is rebuilt from the live handles: handles
// closed since the last walk drop out, new ones cost one getsockname/getpeername each.
void Visit(uv_handle_t* handle, void* arg) {
  auto* search = static_cast<Search*>(arg);
  if (uv_handle_get_type(handle) != kUvTcp) return;
  uv_os_fd_t fd{};
  if (uv_fileno(handle, &fd) != 0) return;  // closing, or no socket yet
  SocketHandle sock = ToSocketHandle(fd);
  Seen seen;
  auto known = search->index->seen.find(handle);
  if (search->trust_index && known != search->index->seen.end() && known->second.sock == sock) {
    seen = known->second;
  } else if (!Describe(sock, &seen)) {
    return;
  }
  search->next.emplace(handle, seen);
  if (!search->found && Wanted(seen, *search)) {
    search->found = true;
    search->sock = sock;
  }
}

bool Walk(void* loop, Search* search) {
  search->found = false;
  search->next.clear();
  search->next.reserve(search->index->seen.size() + 16);
  uv_walk(static_cast<uv_loop_t*>(loop), Visit, search);
  search->index->seen.swap(search->next);
  if (!search->found) return false;
  // The index may be stale (a handle's socket reconnected): confirm with the socket itself.
  Seen now;
  return Describe(search->sock, &now) && Wanted(now, *search);
}

}  // namespace

bool LocateSocket(void* loop, LookupIndex* index, const char* local_ip, int local_port,
                  const char* peer_ip, int peer_port, SocketHandle* out) {
  Search search;
  search.index = index;
  search.listener = peer_ip == nullptr;
  if (!Parse(local_ip, local_port, &search.local)) return false;
  if (!search.listener && !Parse(peer_ip, peer_port, &search.peer)) return false;
  if (!Walk(loop, &search)) {
    // Not found through the index: ask every socket again before saying "no such handle".
    search.trust_index = false;
    if (!Walk(loop, &search)) return false;
  }
  *out = search.sock;
  return true;
}

}  // namespace tcpka
