// Platform-neutral contract between the N-API glue (addon.cc) and the per-platform files.
// Everything here is plain C++: no N-API, no policy. Values are in the kernel's own units.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tcpka {

#ifdef _WIN32
using SocketHandle = uintptr_t;  // SOCKET
#else
using SocketHandle = int;  // file descriptor
#endif

// Which fields of a KeepAliveValues are meaningful. The order of the bits is the order in which
// ApplyKeepAlive issues the syscalls.
enum Field : uint32_t {
  kEnable = 1u << 0,
  kIdle = 1u << 1,
  kInterval = 1u << 2,
  kCount = 1u << 3,
  kUserTimeout = 1u << 4,
};
constexpr int kFieldCount = 5;

struct KeepAliveValues {
  int32_t value[kFieldCount];  // indexed by the bit position of Field
};

// Why a call failed: the errno (Windows: WSA error) and which syscall/option failed.
struct Failure {
  int error = 0;
  const char* syscall = "";
  const char* option = "";
};

// Identity of an open socket: survives nothing but the socket itself, so a descriptor number
// recycled for another socket is detected. 0 means "unknown".
using SocketId = uint64_t;

// Checks that `sock` is a TCP stream socket and returns its identity; or, when `expected` is not
// 0, that it still is the socket with that identity (else error = ESTALE).
bool IdentifySocket(SocketHandle sock, SocketId expected, SocketId* out, Failure* failure);

// Reads all option values into `out`. Returns false and fills `failure` on error.
bool ReadKeepAlive(SocketHandle sock, KeepAliveValues* out, Failure* failure);

// Sets the fields in `mask` in bit order. On a failure, restores the fields already written to
// the values read before the first write, then reports the first failure.
bool ApplyKeepAlive(SocketHandle sock, uint32_t mask, const KeepAliveValues& values,
                    Failure* failure);

// Copies the kernel's connection-info struct into `buf`; `*len` is in/out (bytes the kernel
// filled). Layout is decoded by the TypeScript layer.
bool ReadTcpInfo(SocketHandle sock, uint8_t* buf, size_t* len, Failure* failure);

}  // namespace tcpka
