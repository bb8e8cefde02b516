// sock_diag (NETLINK_SOCK_DIAG) on Linux: sends one request built by the TypeScript layer and
// returns the kernel's reply messages as raw bytes. Parsing and policy live in lib/diag.ts.
#include <dirent.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "addon.h"

namespace tcpka {
namespace {

// The kernel fills at most ~32 KiB per dump datagram; a larger buffer never truncates one.
constexpr size_t kReceiveSize = 64 * 1024;
constexpr int kReceiveTimeoutSeconds = 10;

class NetlinkSocket {
 public:
  NetlinkSocket() : fd_(socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG)) {}
  ~NetlinkSocket() {
    if (fd_ >= 0) close(fd_);
  }
  NetlinkSocket(const NetlinkSocket&) = delete;
  NetlinkSocket& operator=(const NetlinkSocket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

// True when the datagram holds the message that ends the reply (DONE or ERROR). A request
// without NLM_F_DUMP is answered by exactly one datagram.
bool EndsReply(const uint8_t* data, size_t len) {
  size_t offset = 0;
  while (offset + sizeof(nlmsghdr) <= len) {
    nlmsghdr header;
    std::memcpy(&header, data + offset, sizeof(header));
    if (header.nlmsg_type == NLMSG_DONE || header.nlmsg_type == NLMSG_ERROR) return true;
    if (header.nlmsg_len < sizeof(nlmsghdr)) return true;  // malformed: stop reading
    offset += NLMSG_ALIGN(header.nlmsg_len);
  }
  return false;
}

// Sends `request` (a complete nlmsghdr + inet_diag_req_v2) and appends every reply datagram.
bool Exchange(const uint8_t* request, size_t len, bool dump, std::vector<uint8_t>* out,
              Failure* failure) {
  NetlinkSocket sock;
  if (sock.fd() < 0) return SyscallFailed(failure, "socket", "NETLINK_SOCK_DIAG");
  // The kernel answers at once; a request it ignores (malformed) must not block the thread,
  // which not even terminating its Worker could end.
  timeval timeout = {kReceiveTimeoutSeconds, 0};
  if (setsockopt(sock.fd(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout)) != 0) {
    return SyscallFailed(failure, "setsockopt", "SO_RCVTIMEO");
  }
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  ssize_t sent;
  do {
    sent = sendto(sock.fd(), request, len, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof(kernel));
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) return SyscallFailed(failure, "sendto", "NETLINK_SOCK_DIAG");
  for (;;) {
    size_t start = out->size();
    out->resize(start + kReceiveSize);
    ssize_t got;
    do {
      got = recv(sock.fd(), out->data() + start, kReceiveSize, 0);
    } while (got < 0 && errno == EINTR);
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return Failed(failure, ETIMEDOUT, "recv", "NETLINK_SOCK_DIAG");
    }
    if (got < 0) return SyscallFailed(failure, "recv", "NETLINK_SOCK_DIAG");
    out->resize(start + static_cast<size_t>(got));
    if (got == 0 || !dump || EndsReply(out->data() + start, static_cast<size_t>(got))) return true;
  }
}

// sockDiag(request: Uint8Array, dump: boolean) -> ArrayBuffer of reply messages | failure
napi_value SockDiag(napi_env env, napi_callback_info info) {
  Js js(env, info);
  uint8_t* request = nullptr;
  size_t len = 0;
  bool dump = false;
  if (!js.TypedArray(0, napi_uint8_array, 0, &request, &len) || !js.Bool(1, &dump)) {
    return js.BadArguments();
  }
  std::vector<uint8_t> reply;
  reply.reserve(kReceiveSize);
  Failure failure;
  if (!Exchange(request, len, dump, &reply, &failure)) return js.Report(failure);
  return js.Done(js.CopyToArrayBuffer(reply.data(), reply.size()));
}

// identify(fd, state): state[0] = the socket's inode (the idiag_inode the kernel reports);
// with state[0] != 0 on entry, checks the descriptor still is that socket.
napi_value Identify(napi_env env, napi_callback_info info) {
  Js js(env, info);
  int32_t fd = 0;
  double* state = nullptr;
  size_t length = 0;
  if (!js.Int32(0, &fd) || !js.TypedArray(1, napi_float64_array, 1, &state, &length)) {
    return js.BadArguments();
  }
  SocketId id = 0;
  Failure failure;
  if (!IdentifySocket(fd, static_cast<SocketId>(state[0]), &id, &failure)) {
    return js.Report(failure);
  }
  state[0] = static_cast<double>(id);
  return js.Undefined();
}

// Reads the keepalive options of descriptor `fd` of process `pid` through a duplicate
// (pidfd_getfd, Linux 5.6+; needs ptrace rights over `pid`), checking it is socket `expected`.
bool ReadForeign(int pid, int fd, SocketId expected, KeepAliveValues* values, Failure* failure) {
#if defined(SYS_pidfd_open) && defined(SYS_pidfd_getfd)
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) return SyscallFailed(failure, "pidfd_open");
  int dup = static_cast<int>(syscall(SYS_pidfd_getfd, pidfd, fd, 0));
  if (dup < 0) SyscallFailed(failure, "pidfd_getfd");
  close(pidfd);
  if (dup < 0) return false;
  SocketId id = 0;
  bool ok = IdentifySocket(dup, expected, &id, failure) && ReadKeepAlive(dup, values, failure);
  close(dup);
  return ok;
#else
  return Failed(failure, ENOSYS, "pidfd_getfd");
#endif
}

// foreignKeepAlive(pid, fd, state): state[0] carries the inode the socket must have;
// state[1..5] receive the values like read().
napi_value ForeignKeepAlive(napi_env env, napi_callback_info info) {
  Js js(env, info);
  int32_t pid = 0;
  int32_t fd = 0;
  double* state = nullptr;
  size_t length = 0;
  if (!js.Int32(0, &pid) || !js.Int32(1, &fd) ||
      !js.TypedArray(2, napi_float64_array, 1 + kFieldCount, &state, &length)) {
    return js.BadArguments();
  }
  KeepAliveValues values{};
  Failure failure;
  if (!ReadForeign(pid, fd, static_cast<SocketId>(state[0]), &values, &failure)) {
    return js.Report(failure);
  }
  for (int i = 0; i < kFieldCount; i++) state[1 + i] = values.value[i];
  return js.Undefined();
}

// Appends (inode, fd) for every socket descriptor listed in /proc/<pid>/fd.
bool ListSocketInodes(const std::string& dir, std::vector<double>* out, Failure* failure) {
  DIR* listing = opendir(dir.c_str());
  if (!listing) return SyscallFailed(failure, "opendir");
  int dir_fd = dirfd(listing);
  char link[64];
  while (dirent* entry = readdir(listing)) {
    if (entry->d_name[0] == '.') continue;
    ssize_t len = readlinkat(dir_fd, entry->d_name, link, sizeof(link) - 1);
    if (len <= 0) continue;  // closed since the listing, or not a link
    link[len] = '\0';
    if (std::strncmp(link, "socket:[", 8) != 0) continue;
    out->push_back(std::strtod(link + 8, nullptr));
    out->push_back(std::strtod(entry->d_name, nullptr));
  }
  closedir(listing);
  return true;
}

// socketInodes(pid) -> Float64Array [inode, fd, inode, fd, ...] of the sockets process `pid`
// (0 = this process) holds open | failure
napi_value SocketInodes(napi_env env, napi_callback_info info) {
  Js js(env, info);
  int32_t pid = 0;
  if (!js.Int32(0, &pid)) return js.BadArguments();
  std::string dir = pid == 0 ? "/proc/self/fd" : "/proc/" + std::to_string(pid) + "/fd";
  std::vector<double> pairs;
  Failure failure;
  if (!ListSocketInodes(dir, &pairs, &failure)) return js.Report(failure);
  return js.Done(js.CopyToFloat64Array(pairs.data(), pairs.size()));
}

}  // namespace

void RegisterDiag(Js& js, napi_value exports) {
  js.Method(exports, "sockDiag", SockDiag);
  js.Method(exports, "identify", Identify);
  js.Method(exports, "socketInodes", SocketInodes);
  js.Method(exports, "foreignKeepAlive", ForeignKeepAlive);
}

}  // namespace tcpka
