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

// Flags next to the field bits of a mask (Windows only): write enable/idle/interval, in ms,
// with the write-only SIO_KEEPALIVE_VALS ioctl instead of the per-option setsockopt calls.
constexpr uint32_t kViaKeepAliveVals = 1u << 8;

// What ReadKeepAlive reports for a value the platform cannot read back (the TS layer then
// reports the value it last wrote, or the platform default).
constexpr int32_t kUnreadable = INT32_MIN;

// What ProbeFeatures reports: which options the running OS accepts (found by trying).
enum Feature : uint32_t {
  kHasKeepIdle = 1u << 0,
  kHasKeepIntvl = 1u << 1,
  kHasKeepCnt = 1u << 2,
  kHasUserTimeout = 1u << 3,
  kHasKeepAliveVals = 1u << 4,
  kHasTcpInfo = 1u << 5,
};

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

// Reads all option values into `out` (kUnreadable where the platform has no read-back).
// Returns false and fills `failure` on error.
bool ReadKeepAlive(SocketHandle sock, KeepAliveValues* out, Failure* failure);

// Sets the fields in `mask` in bit order. On a failure, restores the fields already written to
// the values read before the first write, then reports the first failure. With
// kViaKeepAliveVals (Windows) the write-only ioctl goes last, so everything before it can be
// restored.
bool ApplyKeepAlive(SocketHandle sock, uint32_t mask, const KeepAliveValues& values,
                    Failure* failure);

// Copies the kernel's connection-info struct into `buf`; `*len` is in/out (bytes the kernel
// filled). Layout is decoded by the TypeScript layer.
bool ReadTcpInfo(SocketHandle sock, uint8_t* buf, size_t* len, Failure* failure);

// Tries each option once on throwaway sockets and returns the Feature bits that worked.
uint32_t ProbeFeatures();

// Remembers the addresses of a loop's TCP handles between lookups, so a walk costs syscalls only
// for handles it has not seen. One per event loop (thread); not thread-safe.
struct LookupIndex;
LookupIndex* NewLookupIndex();
void FreeLookupIndex(LookupIndex* index);

// Finds the OS socket of the libuv TCP handle in `loop` bound to `local` and connected to
// `peer` (peer_ip == nullptr: a listener). Returns false when no handle matches.
bool LocateSocket(void* loop, LookupIndex* index, const char* local_ip, int local_port,
                  const char* peer_ip, int peer_port, SocketHandle* out);

}  // namespace tcpka
