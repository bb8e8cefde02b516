// The one apply/read algorithm of every OS: read-before-write, writes in field order, rollback on
// a failure. The per-OS files supply only the option table and the get/set primitives.
#include "keepalive.h"

namespace tcpka {

bool ReadKeepAlive(SocketHandle sock, KeepAliveValues* out, Failure* failure) {
  for (int i = 0; i < kFieldCount; i++) {
    if (GetOption(sock, i, &out->value[i], failure)) continue;
    // An option this OS build lacks (e.g. TCP_MAXUNACKTIME before FreeBSD 14) reads as
    // unreadable; SO_KEEPALIVE always exists, so its failure is the socket's.
    if (i == 0 || !IsMissingOption(failure->error)) return false;
    out->value[i] = kUnreadable;
  }
  return true;
}

bool ApplyKeepAlive(SocketHandle sock, uint32_t mask, const KeepAliveValues& values,
                    Failure* failure) {
  // With the ioctl, enable/idle/interval are its input instead of setsockopt calls.
  const bool via_ioctl = (mask & kViaKeepAliveVals) != 0;
  const uint32_t ioctl_fields = kEnable | kIdle | kInterval;
  const uint32_t by_option = mask & ((1u << kFieldCount) - 1) & (via_ioctl ? ~ioctl_fields : ~0u);

  // Read what will be overwritten, so a failure part-way can be undone. The last write is not
  // preceded by a read: nothing after it can fail, and a rejected write changes nothing. With
  // the ioctl, the ioctl is that last write and every option before it is read. With validated
  // values only the first write can fail (bad descriptor), and it changes nothing: no reads.
  const bool read_first = !(mask & kValidated) || via_ioctl;
  int last = -1;
  for (int i = 0; i < kFieldCount; i++) {
    if (by_option & (1u << i)) last = i;
  }
  KeepAliveValues before{};
  for (int i = 0; i < kFieldCount && read_first; i++) {
    if (!(by_option & (1u << i)) || (i == last && !via_ioctl)) continue;
    if (!GetOption(sock, i, &before.value[i], failure)) return false;
  }
  auto restore = [&](int upto) {
    if (!read_first) return;  // validated: a failure can only be the first write's
    Failure ignored;          // the first failure is the one reported
    for (int j = 0; j < upto; j++) {
      if (by_option & (1u << j)) SetOption(sock, j, before.value[j], &ignored);
    }
  };
  for (int i = 0; i < kFieldCount; i++) {
    if (!(by_option & (1u << i)) || SetOption(sock, i, values.value[i], failure)) continue;
    restore(i);
    return false;
  }
  if (via_ioctl && !SetKeepAliveVals(sock, values, failure)) {
    restore(kFieldCount);
    return false;
  }
  return true;
}

}  // namespace tcpka
