// sock_diag (NETLINK_SOCK_DIAG) on Linux: sends one request built by the TypeScript layer and
// returns the kernel's reply messages as raw bytes. Parsing and policy live in lib/diag.ts.
#include <dirent.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/tcp.h>
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
// The kernel's struct tcp_info (<linux/tcp.h>, not libc's shorter copy) against the layout table.
#include "tcp_info_layout.h"

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

// Sends `request` (a complete nlmsghdr + inet_diag_req_v2 [+ bytecode]) and hands every reply
// datagram to `on_datagram(data, len)` (which returns false to stop with its failure set).
template <typename OnDatagram>
bool Exchange(const uint8_t* request, size_t len, bool dump, OnDatagram on_datagram,
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
  std::vector<uint8_t> buffer(kReceiveSize);
  for (;;) {
    ssize_t got;
    do {
      got = recv(sock.fd(), buffer.data(), kReceiveSize, 0);
    } while (got < 0 && errno == EINTR);
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return Failed(failure, ETIMEDOUT, "recv", "NETLINK_SOCK_DIAG");
    }
    if (got < 0) return SyscallFailed(failure, "recv", "NETLINK_SOCK_DIAG");
    size_t size = static_cast<size_t>(got);
    if (!on_datagram(buffer.data(), size)) return false;
    if (got == 0 || !dump || EndsReply(buffer.data(), size)) return true;
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
  auto append = [&reply](const uint8_t* data, size_t size) {
    reply.insert(reply.end(), data, data + size);
    return true;
  };
  Failure failure;
  if (!Exchange(request, len, dump, append, &failure)) return js.Report(failure);
  return js.Done(js.CopyToArrayBuffer(reply.data(), reply.size()));
}

// ---- Matching a dump against the sockets asked for, in C++ ----
// struct inet_diag_msg (include/uapi/linux/inet_diag.h): 72 bytes; the fields read here.
constexpr size_t kMsgSize = 72;
constexpr size_t kMsgState = 1;
constexpr size_t kMsgTimer = 2;
constexpr size_t kMsgRetrans = 3;
constexpr size_t kMsgInode = 68;
constexpr uint16_t kSockDiagByFamily = 20;
constexpr uint16_t kInetDiagInfo = 2;
constexpr size_t kTcpInfoUnacked = 24;  // tcpi_unacked (u32)
// One output record: u32 slot, u16 tcp_info length, u16 0, the inet_diag_msg, the tcp_info
// bytes padded to 4.
constexpr size_t kRecordHeader = 8;
// Summary of a record, to report only what changed: seen | unacked | retrans | timer | state.
constexpr uint32_t kSeen = 0x80000000u;

// inode -> slot of the sockets asked for: open addressing, built once per call.
class InodeIndex {
 public:
  InodeIndex(const uint32_t* inodes, size_t count) {
    size_t size = 16;
    while (size < count * 2) size <<= 1;
    mask_ = size - 1;
    keys_.assign(size, 0);
    slots_.assign(size, 0);
    for (size_t slot = 0; slot < count; slot++) {
      uint32_t inode = inodes[slot];
      if (inode == 0) continue;  // no socket (pending, closed): never matches
      size_t at = Hash(inode);
      while (keys_[at] != 0 && keys_[at] != inode) at = (at + 1) & mask_;
      if (keys_[at] == inode) continue;  // asked twice: the first slot answers
      keys_[at] = inode;
      slots_[at] = static_cast<uint32_t>(slot);
    }
  }
  // The slot of `inode`, or -1.
  int64_t Find(uint32_t inode) const {
    if (inode == 0) return -1;
    for (size_t at = Hash(inode);; at = (at + 1) & mask_) {
      if (keys_[at] == inode) return slots_[at];
      if (keys_[at] == 0) return -1;
    }
  }

 private:
  size_t Hash(uint32_t inode) const { return (inode * 2654435761u) & mask_; }
  size_t mask_ = 0;
  std::vector<uint32_t> keys_;
  std::vector<uint32_t> slots_;
};

struct MatchOptions {
  const InodeIndex* index;
  uint32_t* summary;  // per slot, or nullptr: every match is reported
  size_t summary_length;
  bool all;  // report every match even when its summary did not change
};

// Appends the records of one datagram whose inode is asked for (and, with a summary, changed).
bool MatchDatagram(const uint8_t* data, size_t len, const MatchOptions& options,
                   std::vector<uint8_t>* out, Failure* failure) {
  for (size_t offset = 0; offset + sizeof(nlmsghdr) <= len;) {
    nlmsghdr header;
    std::memcpy(&header, data + offset, sizeof(header));
    if (header.nlmsg_len < sizeof(nlmsghdr) || offset + header.nlmsg_len > len) return true;
    if (header.nlmsg_type == NLMSG_DONE) return true;
    if (header.nlmsg_type == NLMSG_ERROR) {
      int32_t error = 0;
      if (header.nlmsg_len >= sizeof(nlmsghdr) + sizeof(error)) {
        std::memcpy(&error, data + offset + sizeof(nlmsghdr), sizeof(error));
      }
      return error == 0 || Failed(failure, -error, "recv", "NETLINK_SOCK_DIAG");
    }
    const uint8_t* msg = data + offset + sizeof(nlmsghdr);
    size_t end = offset + header.nlmsg_len;
    offset += NLMSG_ALIGN(header.nlmsg_len);
    if (header.nlmsg_type != kSockDiagByFamily || header.nlmsg_len < sizeof(nlmsghdr) + kMsgSize) {
      continue;
    }
    uint32_t inode = 0;
    std::memcpy(&inode, msg + kMsgInode, sizeof(inode));
    int64_t slot = options.index->Find(inode);
    if (slot < 0) continue;
    // Attributes: u16 nla_len, u16 nla_type, payload; each padded to 4 bytes.
    const uint8_t* info = nullptr;
    uint16_t info_length = 0;
    for (const uint8_t* attr = msg + kMsgSize; attr + 4 <= data + end;) {
      uint16_t attr_length = 0;
      uint16_t attr_type = 0;
      std::memcpy(&attr_length, attr, 2);
      std::memcpy(&attr_type, attr + 2, 2);
      if (attr_length < 4 || attr + attr_length > data + end) break;
      if ((attr_type & 0x3fff) == kInetDiagInfo) {
        info = attr + 4;
        info_length = static_cast<uint16_t>(attr_length - 4);
      }
      attr += NLA_ALIGN(attr_length);
    }
    if (options.summary && static_cast<size_t>(slot) < options.summary_length) {
      uint32_t unacked = 0;
      if (info_length >= kTcpInfoUnacked + 4) {
        std::memcpy(&unacked, info + kTcpInfoUnacked, sizeof(unacked));
      }
      uint32_t now = kSeen | (unacked > 0 ? 1u << 24 : 0) | (uint32_t{msg[kMsgRetrans]} << 16) |
                     (uint32_t{msg[kMsgTimer]} << 8) | msg[kMsgState];
      uint32_t& before = options.summary[slot];
      bool changed = before != now;
      before = now;
      if (!changed && !options.all) continue;
    }
    // Appended without zero-filling first (the profile showed vector::resize's fill).
    uint32_t slot32 = static_cast<uint32_t>(slot);
    uint8_t prefix[kRecordHeader] = {};
    std::memcpy(prefix, &slot32, 4);  // native byte order, as lib/diag.ts reads it
    std::memcpy(prefix + 4, &info_length, 2);
    out->insert(out->end(), prefix, prefix + kRecordHeader);
    out->insert(out->end(), msg, msg + kMsgSize);
    if (info_length > 0) out->insert(out->end(), info, info + info_length);
    static const uint8_t kPad[4] = {};
    out->insert(out->end(), kPad, kPad + ((4 - info_length % 4) % 4));
  }
  return true;
}

// sockDiagMatch(request: Uint8Array, inodes: Uint32Array, summary: Uint32Array, all: boolean)
//   -> ArrayBuffer of records | failure
// Runs one dump and keeps the records whose inode is in `inodes` (slot = index there; 0 = no
// socket). With a non-empty `summary` (one u32 per slot, kept by the caller between calls),
// only records whose state, timer, probe/retransmit count or "has unacknowledged data" changed
// are kept (all of them with `all`); summary[slot] is updated either way, and 0 forces a report.
napi_value SockDiagMatch(napi_env env, napi_callback_info info) {
  Js js(env, info);
  uint8_t* request = nullptr;
  size_t len = 0;
  uint32_t* inodes = nullptr;
  size_t count = 0;
  uint32_t* summary = nullptr;
  size_t summary_length = 0;
  bool all = false;
  if (!js.TypedArray(0, napi_uint8_array, 0, &request, &len) ||
      !js.TypedArray(1, napi_uint32_array, 0, &inodes, &count) ||
      !js.TypedArray(2, napi_uint32_array, 0, &summary, &summary_length) || !js.Bool(3, &all)) {
    return js.BadArguments();
  }
  InodeIndex index(inodes, count);
  MatchOptions options{&index, summary_length > 0 ? summary : nullptr, summary_length, all};
  // One buffer per thread, kept between calls: its pages stay mapped (writing a fresh 3.6 MB
  // buffer per 10,000-connection snapshot cost more in page faults than the dump itself).
  thread_local std::vector<uint8_t> out;
  out.clear();
  Failure failure;
  auto match = [&](const uint8_t* data, size_t size) {
    return MatchDatagram(data, size, options, &out, &failure);
  };
  if (!Exchange(request, len, true, match, &failure)) return js.Report(failure);
  return js.Done(js.CopyToArrayBuffer(out.data(), out.size()));
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
  js.Method(exports, "sockDiagMatch", SockDiagMatch);
  js.Method(exports, "identify", Identify);
  js.Method(exports, "socketInodes", SocketInodes);
  js.Method(exports, "foreignKeepAlive", ForeignKeepAlive);
}

}  // namespace tcpka
