// Bench-only: the cost floor. The same syscalls the package makes, issued from a C++ loop with
// no JavaScript, N-API or validation in between. Each function runs `iterations` rounds on one
// descriptor and returns nanoseconds per round (a negative errno if a syscall failed).
#include <linux/netlink.h>
#include <napi.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <vector>

namespace {

struct Option {
  int level;
  int name;
};

// The package's write order: enable, idle, interval, count, userTimeout (bits 0..4 of a mask).
constexpr int kOptionCount = 5;
const Option kOptions[kOptionCount] = {
    {SOL_SOCKET, SO_KEEPALIVE}, {IPPROTO_TCP, TCP_KEEPIDLE},     {IPPROTO_TCP, TCP_KEEPINTVL},
    {IPPROTO_TCP, TCP_KEEPCNT}, {IPPROTO_TCP, TCP_USER_TIMEOUT},
};

// Room for any struct tcp_info, as the package passes.
constexpr size_t kTcpInfoBuffer = 512;

int64_t NowNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// One round of a measured sequence; returns 0 or errno.
using Round = int (*)(int fd, uint32_t mask, const int* values);

int SetOptions(int fd, uint32_t mask, const int* values) {
  for (int i = 0; i < kOptionCount; i++) {
    if (!(mask & (1u << i))) continue;
    if (setsockopt(fd, kOptions[i].level, kOptions[i].name, &values[i], sizeof(int)) != 0)
      return errno;
  }
  return 0;
}

int GetOptions(int fd, uint32_t mask, const int* /*values*/) {
  for (int i = 0; i < kOptionCount; i++) {
    if (!(mask & (1u << i))) continue;
    int v = 0;
    socklen_t len = sizeof(v);
    if (getsockopt(fd, kOptions[i].level, kOptions[i].name, &v, &len) != 0) return errno;
  }
  return 0;
}

int CheckIdentity(int fd) {
  struct stat st {};
  return fstat(fd, &st) == 0 ? 0 : errno;
}

// What the package's apply() does in syscalls on Linux: the identity check, then the writes (the
// values are validated against the kernel's exact ranges, so no rollback reads).
int ApplyLikePackage(int fd, uint32_t mask, const int* values) {
  if (int error = CheckIdentity(fd)) return error;
  return SetOptions(fd, mask, values);
}

int ReadLikePackage(int fd, uint32_t mask, const int* values) {
  if (int error = CheckIdentity(fd)) return error;
  return GetOptions(fd, mask, values);
}

int GetTcpInfo(int fd, uint32_t /*mask*/, const int* /*values*/) {
  uint8_t buf[kTcpInfoBuffer];
  socklen_t len = sizeof(buf);
  return getsockopt(fd, IPPROTO_TCP, TCP_INFO, buf, &len) == 0 ? 0 : errno;
}

int TcpInfoLikePackage(int fd, uint32_t mask, const int* values) {
  if (int error = CheckIdentity(fd)) return error;
  return GetTcpInfo(fd, mask, values);
}

// fn(fd, iterations, mask, enable, idle, interval, count, userTimeout) -> ns per round
template <Round round>
Napi::Value Measure(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 + kOptionCount) {
    Napi::TypeError::New(env, "floor: (fd, iterations, mask, ...5 values)")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  int fd = info[0].As<Napi::Number>().Int32Value();
  int64_t iterations = info[1].As<Napi::Number>().Int64Value();
  uint32_t mask = info[2].As<Napi::Number>().Uint32Value();
  // Two configurations, alternated as in the JavaScript contenders (Node skips a repeated
  // setKeepAlive with unchanged values, so every contender changes idle on each call).
  int values[2][kOptionCount];
  for (int i = 0; i < kOptionCount; i++) {
    values[0][i] = values[1][i] = info[3 + i].As<Napi::Number>().Int32Value();
  }
  values[1][1] += 1;

  int64_t start = NowNs();
  for (int64_t n = 0; n < iterations; n++) {
    if (int error = round(fd, mask, values[n & 1])) return Napi::Number::New(env, -error);
  }
  int64_t elapsed = NowNs() - start;
  return Napi::Number::New(env, static_cast<double>(elapsed) / static_cast<double>(iterations));
}

// The raw C dump of an inet_diag query: socket(NETLINK_SOCK_DIAG), send the request as given
// (the same bytes the package sends: header, inet_diag_req_v2, optional bytecode), recv every
// datagram into one reused buffer until NLMSG_DONE, close. No copy, no parsing beyond finding
// the end. Returns the bytes received, or -errno.
int64_t DumpOnce(const uint8_t* request, size_t len, std::vector<uint8_t>* buffer) {
  int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) return -errno;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (sendto(fd, request, len, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof(kernel)) < 0) {
    int error = errno;
    close(fd);
    return -error;
  }
  int64_t total = 0;
  for (;;) {
    ssize_t got = recv(fd, buffer->data(), buffer->size(), 0);
    if (got <= 0) break;
    total += got;
    bool done = false;
    for (size_t offset = 0; offset + sizeof(nlmsghdr) <= static_cast<size_t>(got);) {
      const nlmsghdr* header = reinterpret_cast<const nlmsghdr*>(buffer->data() + offset);
      if (header->nlmsg_type == NLMSG_DONE || header->nlmsg_type == NLMSG_ERROR ||
          header->nlmsg_len < sizeof(nlmsghdr)) {
        done = true;
        break;
      }
      offset += NLMSG_ALIGN(header->nlmsg_len);
    }
    if (done) break;
  }
  close(fd);
  return total;
}

// dump(request: Uint8Array, iterations) -> ns per dump (negative: -errno)
Napi::Value Dump(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Uint8Array request = info[0].As<Napi::Uint8Array>();
  int64_t iterations = info[1].As<Napi::Number>().Int64Value();
  std::vector<uint8_t> buffer(64 * 1024);
  int64_t start = NowNs();
  for (int64_t n = 0; n < iterations; n++) {
    int64_t got = DumpOnce(request.Data(), request.ByteLength(), &buffer);
    if (got < 0) return Napi::Number::New(env, static_cast<double>(got));
  }
  int64_t elapsed = NowNs() - start;
  return Napi::Number::New(env, static_cast<double>(elapsed) / static_cast<double>(iterations));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("set", Napi::Function::New(env, Measure<SetOptions>));
  exports.Set("get", Napi::Function::New(env, Measure<GetOptions>));
  exports.Set("tcpInfo", Napi::Function::New(env, Measure<GetTcpInfo>));
  exports.Set("applyLikePackage", Napi::Function::New(env, Measure<ApplyLikePackage>));
  exports.Set("readLikePackage", Napi::Function::New(env, Measure<ReadLikePackage>));
  exports.Set("dump", Napi::Function::New(env, Dump));
  exports.Set("tcpInfoLikePackage", Napi::Function::New(env, Measure<TcpInfoLikePackage>));
  return exports;
}

}  // namespace

NODE_API_MODULE(floor, Init)
