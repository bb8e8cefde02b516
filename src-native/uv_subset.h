// The few libuv functions the socket lookup needs, declared here because node-api-headers (used
// for cross builds) carries no uv.h. Node exports them from its binary; libuv keeps its ABI
// stable across 1.x, including the handle type numbering.
#pragma once

#include <cstdint>

#include "keepalive.h"

extern "C" {
typedef struct uv_loop_s uv_loop_t;
typedef struct uv_handle_s uv_handle_t;
#ifdef _WIN32
typedef void* uv_os_fd_t;  // a HANDLE holding the SOCKET
#else
typedef int uv_os_fd_t;
#endif
typedef void (*uv_walk_cb)(uv_handle_t* handle, void* arg);

void uv_walk(uv_loop_t* loop, uv_walk_cb walk_cb, void* arg);
int uv_handle_get_type(const uv_handle_t* handle);  // returns enum uv_handle_type
int uv_fileno(const uv_handle_t* handle, uv_os_fd_t* fd);
int uv_translate_sys_error(int sys_errno);
}

namespace tcpka {

constexpr int kUvTcp = 12;  // UV_TCP in enum uv_handle_type (libuv 1.x)

inline SocketHandle ToSocketHandle(uv_os_fd_t fd) {
#ifdef _WIN32
  return static_cast<SocketHandle>(reinterpret_cast<uintptr_t>(fd));
#else
  return fd;
#endif
}

}  // namespace tcpka
