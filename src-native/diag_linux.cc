// sock_diag (NETLINK_SOCK_DIAG) on Linux: sends one request built by the TypeScript layer and
// returns the kernel's reply messages as raw bytes. Parsing and policy live in lib/diag.ts.
#include <dirent.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <napi.h>
#include <sys/socket.h>
#include <sys/syscall.h>
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
  if (sock.fd() < 0) {
    *failure = {errno, "socket", "NETLINK_SOCK_DIAG"};
    return false;
  }
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  ssize_t sent;
  do {
    sent = sendto(sock.fd(), request, len, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof(kernel));
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) {
    *failure = {errno, "sendto", "NETLINK_SOCK_DIAG"};
    return false;
  }
  for (;;) {
    size_t start = out->size();
    out->resize(start + kReceiveSize);
    ssize_t got;
    do {
      got = recv(sock.fd(), out->data() + start, kReceiveSize, 0);
    } while (got < 0 && errno == EINTR);
    if (got < 0) {
      *failure = {errno, "recv", "NETLINK_SOCK_DIAG"};
      return false;
    }
    out->resize(start + static_cast<size_t>(got));
    if (got == 0 || !dump || EndsReply(out->data() + start, static_cast<size_t>(got))) return true;
  }
}

// sockDiag(request: Uint8Array, dump: boolean) -> ArrayBuffer of reply messages | failure
Napi::Value SockDiag(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsTypedArray() ||
      info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array || !info[1].IsBoolean()) {
    Napi::TypeError::New(env, "tcp-keepalive native: bad arguments").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Uint8Array request = info[0].As<Napi::Uint8Array>();
  std::vector<uint8_t> reply;
  reply.reserve(kReceiveSize);
  Failure failure;
  if (!Exchange(request.Data(), request.ElementLength(), info[1].As<Napi::Boolean>().Value(),
                &reply, &failure)) {
    return ReportFailure(env, failure);
  }
  Napi::ArrayBuffer bytes = Napi::ArrayBuffer::New(env, reply.size());
  if (!reply.empty()) std::memcpy(bytes.Data(), reply.data(), reply.size());
  return bytes;
}

// identify(fd, state): state[0] = the socket's inode (the idiag_inode the kernel reports);
// with state[0] != 0 on entry, checks the descriptor still is that socket.
Napi::Value Identify(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsTypedArray() ||
      info[1].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array ||
      info[1].As<Napi::Float64Array>().ElementLength() < 1) {
    Napi::TypeError::New(env, "tcp-keepalive native: bad arguments").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Float64Array state = info[1].As<Napi::Float64Array>();
  SocketId id = 0;
  Failure failure;
  if (!IdentifySocket(info[0].As<Napi::Number>().Int32Value(), static_cast<SocketId>(state[0]), &id,
                      &failure)) {
    return ReportFailure(env, failure);
  }
  state[0] = static_cast<double>(id);
  return env.Undefined();
}

// foreignKeepAlive(pid, fd, state): reads the keepalive options of descriptor `fd` of process
// `pid` through a duplicate (pidfd_getfd, Linux 5.6+; needs ptrace rights over `pid`). state[0]
// carries the inode the socket must have; state[1..5] receive the values like read().
Napi::Value ForeignKeepAlive(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsNumber() || !info[1].IsNumber() || !info[2].IsTypedArray() ||
      info[2].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array ||
      info[2].As<Napi::Float64Array>().ElementLength() < 1 + kFieldCount) {
    Napi::TypeError::New(env, "tcp-keepalive native: bad arguments").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Float64Array state = info[2].As<Napi::Float64Array>();
  Failure failure;
#if defined(SYS_pidfd_open) && defined(SYS_pidfd_getfd)
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, info[0].As<Napi::Number>().Int32Value(), 0));
  if (pidfd < 0) return ReportFailure(env, {errno, "pidfd_open", ""});
  int fd =
      static_cast<int>(syscall(SYS_pidfd_getfd, pidfd, info[1].As<Napi::Number>().Int32Value(), 0));
  int saved = errno;
  close(pidfd);
  if (fd < 0) return ReportFailure(env, {saved, "pidfd_getfd", ""});
  SocketId id = 0;
  KeepAliveValues values{};
  bool ok = IdentifySocket(fd, static_cast<SocketId>(state[0]), &id, &failure) &&
            ReadKeepAlive(fd, &values, &failure);
  close(fd);
  if (!ok) return ReportFailure(env, failure);
  for (int i = 0; i < kFieldCount; i++) state[1 + i] = values.value[i];
  return env.Undefined();
#else
  return ReportFailure(env, {ENOSYS, "pidfd_getfd", ""});
#endif
}

// Appends (inode, fd) for every socket descriptor listed in /proc/<pid>/fd.
bool ListSocketInodes(const std::string& dir, std::vector<double>* out, Failure* failure) {
  DIR* listing = opendir(dir.c_str());
  if (!listing) {
    *failure = {errno, "opendir", ""};
    return false;
  }
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
Napi::Value SocketInodes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) {
    Napi::TypeError::New(env, "tcp-keepalive native: bad arguments").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  int pid = info[0].As<Napi::Number>().Int32Value();
  std::string dir = pid == 0 ? "/proc/self/fd" : "/proc/" + std::to_string(pid) + "/fd";
  std::vector<double> pairs;
  Failure failure;
  if (!ListSocketInodes(dir, &pairs, &failure)) return ReportFailure(env, failure);
  Napi::Float64Array result = Napi::Float64Array::New(env, pairs.size());
  if (!pairs.empty()) std::memcpy(result.Data(), pairs.data(), pairs.size() * sizeof(double));
  return result;
}

}  // namespace

void RegisterDiag(Napi::Env env, Napi::Object exports) {
  exports.Set("sockDiag", Napi::Function::New(env, SockDiag, "sockDiag"));
  exports.Set("identify", Napi::Function::New(env, Identify, "identify"));
  exports.Set("socketInodes", Napi::Function::New(env, SocketInodes, "socketInodes"));
  exports.Set("foreignKeepAlive", Napi::Function::New(env, ForeignKeepAlive, "foreignKeepAlive"));
}

}  // namespace tcpka
