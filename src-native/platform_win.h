// Winsock includes, the constants older mingw-w64 headers lack (values from the Windows SDK's
// ws2ipdef.h / mstcpip.h), and errors translated to libuv codes so Node names them
// (LastSocketError in sockopt_win.cc applies the translation).
#pragma once

// Declare what Windows 10 1809 (NTDDI_WIN10_RS5) has, TCP_INFO_v1 included: the layout checks
// need the structs; which features the running build has is probed, not assumed.
#ifndef NTDDI_VERSION
#define NTDDI_VERSION 0x0A000006
#endif

// Order matters: winsock2.h must come first.
#include <winsock2.h>
// ws2tcpip.h and mstcpip.h build on it.
#include <ws2tcpip.h>
//
#include <mstcpip.h>

#include "uv_subset.h"

#ifndef TCP_KEEPIDLE
#define TCP_KEEPIDLE 3
#endif
#ifndef TCP_MAXRTMS
#define TCP_MAXRTMS 14
#endif
#ifndef TCP_KEEPCNT
#define TCP_KEEPCNT 16
#endif
#ifndef TCP_KEEPINTVL
#define TCP_KEEPINTVL 17
#endif
#ifndef SIO_KEEPALIVE_VALS
#define SIO_KEEPALIVE_VALS _WSAIOW(IOC_VENDOR, 4)
#endif
#ifndef SIO_TCP_INFO
#define SIO_TCP_INFO _WSAIORW(IOC_VENDOR, 39)
#endif

namespace tcpka {

// A Winsock error as the positive libuv code, e.g. WSAENOPROTOOPT -> 4035 (Node: ENOPROTOOPT).
// libuv's table leaves these few as UV_UNKNOWN (checked under wine with Node 20's libuv), so
// they are mapped here to the UV_* values of uv/errno.h on Windows.
inline int TranslateSocketError(int wsa_error) {
  switch (wsa_error) {
    case WSAENOPROTOOPT:
      return 4035;  // UV_ENOPROTOOPT
    case WSAEOPNOTSUPP:
      return 4049;  // UV_ENOTSUP
    case WSAEBADF:
      return 4083;  // UV_EBADF
    case WSAEMSGSIZE:
      return 4065;  // UV_EMSGSIZE
    default:
      return -uv_translate_sys_error(wsa_error);
  }
}

// The input of SIO_KEEPALIVE_VALS (struct tcp_keepalive in mstcpip.h): times in ms.
struct KeepAliveVals {
  ULONG onoff;
  ULONG keepalivetime;
  ULONG keepaliveinterval;
};

}  // namespace tcpka
