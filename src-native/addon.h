// What the N-API glue files share: the failure object handed to JavaScript, and the
// registration functions of the glue files beside addon.cc.
#pragma once

#include <napi.h>

#include "keepalive.h"

namespace tcpka {

// {errno, syscall, option}: what lib/target.ts turns into a typed error.
Napi::Value ReportFailure(Napi::Env env, const Failure& failure);

void RegisterLookup(Napi::Env env, Napi::Object exports);  // addon_lookup.cc: locate, probe
#ifdef __linux__
void RegisterDiag(Napi::Env env, Napi::Object exports);  // diag_linux.cc
#endif

}  // namespace tcpka
