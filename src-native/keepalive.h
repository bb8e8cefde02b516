// Platform-neutral contract between the N-API glue and the per-OS files. Plain C++: no N-API, no
// policy. Values are in the kernel's own units. The constants here are exported to JavaScript as
// the addon's frozen `constants` object (addon.cc), so lib/ never keeps a copy of its own.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tcpka {

#ifdef _WIN32
using SocketHandle = uintptr_t;  // SOCKET
#else
using SocketHandle = int;  // file descriptor
#endif

// Slots of the Float64Array every socket call takes: [0] the identity, [1..] results.
constexpr int kStateSlots = 8;

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
// The JavaScript name of each field, indexed by bit position.
constexpr const char* kFieldNames[kFieldCount] = {"enable", "idle", "interval", "count",
                                                  "userTimeout"};

// Flag next to the field bits of a mask (Windows): write enable/idle/interval, in ms, with the
// write-only SIO_KEEPALIVE_VALS ioctl instead of the per-option setsockopt calls.
constexpr uint32_t kViaKeepAliveVals = 1u << 8;

// Flag next to the field bits of a mask: every value is inside the range the kernel accepts
// (validated by lib/ against limits verified on that kernel), so no write after the first can be
// refused and nothing is read for a rollback. Without it every written field is read first.
constexpr uint32_t kValidated = 1u << 9;

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
struct FeatureName {
  const char* name;
  Feature bit;
};
constexpr FeatureName kFeatureNames[] = {
    {"keepIdle", kHasKeepIdle},
    {"keepIntvl", kHasKeepIntvl},
    {"keepCnt", kHasKeepCnt},
    {"userTimeout", kHasUserTimeout},
    {"keepAliveVals", kHasKeepAliveVals},
    {"tcpInfo", kHasTcpInfo},
};

struct KeepAliveValues {
  int32_t value[kFieldCount];  // indexed by the bit position of Field
};

// Why a call failed: the errno (Windows: libuv's code for the WSA error) and which syscall and
// option failed.
struct Failure {
  int error = 0;
  const char* syscall = "";
  const char* option = "";
};

// The one path of every error a syscall reports: `error` (errno; Windows: libuv's code for the
// WSA error), the syscall and the option. Returns false, so `return Failed(...)` ends a call.
inline bool Failed(Failure* failure, int error, const char* syscall, const char* option = "") {
  *failure = {error, syscall, option};
  return false;
}
// The calling thread's last socket error (errno; Windows: WSAGetLastError, translated).
int LastSocketError();
inline bool SyscallFailed(Failure* failure, const char* syscall, const char* option = "") {
  return Failed(failure, LastSocketError(), syscall, option);
}

// ---- Per-OS primitives (sockopt_posix.cc, sockopt_win.cc) ----

// The running OS's option behind each field, indexed like Field bits. name < 0: the OS has none.
struct Option {
  int level;
  int name;
  const char* label;
};
extern const Option kOptions[kFieldCount];

// getsockopt/setsockopt of kOptions[index] as an int.
bool GetOption(SocketHandle sock, int index, int32_t* value, Failure* failure);
bool SetOption(SocketHandle sock, int index, int32_t value, Failure* failure);
// Whether a GetOption error means "this OS build has no such option" (read as kUnreadable).
bool IsMissingOption(int error);
// Writes enable/idle/interval (ms) with SIO_KEEPALIVE_VALS; fails where there is no such ioctl.
bool SetKeepAliveVals(SocketHandle sock, const KeepAliveValues& values, Failure* failure);

// Copies the kernel's connection-info struct into `buf`; `*len` is in/out (bytes the kernel
// filled). Layout is decoded by the TypeScript layer.
bool ReadTcpInfo(SocketHandle sock, uint8_t* buf, size_t* len, Failure* failure);

// Tries each option once on throwaway sockets and returns the Feature bits that worked.
uint32_t ProbeFeatures();

// ---- The one apply/read algorithm (keepalive_core.cc) ----

// Reads all option values into `out` (kUnreadable where the platform has no read-back).
bool ReadKeepAlive(SocketHandle sock, KeepAliveValues* out, Failure* failure);

// Sets the fields in `mask` in bit order. On a failure, restores the fields already written to
// the values read before the first write, then reports the first failure. With
// kViaKeepAliveVals the write-only ioctl goes last, so everything before it can be restored.
bool ApplyKeepAlive(SocketHandle sock, uint32_t mask, const KeepAliveValues& values,
                    Failure* failure);

// ---- Socket identity (socket_identity_*.cc) ----

// Identity of an open socket: survives nothing but the socket itself, so a descriptor number
// recycled for another socket is detected. 0 means "unknown".
using SocketId = uint64_t;

// The identity of a socket whose OS has no inode for it (macOS and FreeBSD: fstat() gives
// st_ino 0), once it was checked to be a TCP stream socket: later calls skip that check (it
// cost 4 syscalls), and lib/ compares the address pair at every call instead (target.ts), as it
// does for a socket whose identity is unknown. 2^53: exact as a double, never an inode here.
constexpr SocketId kCheckedWithoutInode = 1ull << 53;

// Checks that `sock` is a TCP stream socket and returns its identity; or, when `expected` is not
// 0, that it still is the socket with that identity (else error = ESTALE). Where the OS gives no
// identity the answer is kCheckedWithoutInode, and a call expecting that checks nothing more.
bool IdentifySocket(SocketHandle sock, SocketId expected, SocketId* out, Failure* failure);

// ---- Finding a libuv handle's socket (socket_lookup_uv.cc) ----

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
