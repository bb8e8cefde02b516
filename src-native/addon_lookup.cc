// N-API glue for LocateSocket and ProbeFeatures; no policy (lib/target-lookup.ts decides when).
#include <napi.h>

#include <string>

#include "addon.h"

namespace tcpka {
namespace {

// locate(localAddress, localPort, peerAddress | null, peerPort, state): true and state[1] =
// the socket when a TCP handle of this thread's loop has those addresses, else false.
Napi::Value Locate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 5 || !info[0].IsString() || !info[1].IsNumber() ||
      !(info[2].IsString() || info[2].IsNull()) || !info[3].IsNumber() || !info[4].IsTypedArray() ||
      info[4].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array ||
      info[4].As<Napi::Float64Array>().ElementLength() < 2) {
    Napi::TypeError::New(env, "tcp-keepalive native: bad arguments").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  uv_loop_s* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
    return Napi::Boolean::New(env, false);
  }
  auto* index = static_cast<LookupIndex*>(info.Data());
  std::string local = info[0].As<Napi::String>().Utf8Value();
  std::string peer = info[2].IsString() ? info[2].As<Napi::String>().Utf8Value() : "";
  SocketHandle sock{};
  bool found = LocateSocket(loop, index, local.c_str(), info[1].As<Napi::Number>().Int32Value(),
                            info[2].IsString() ? peer.c_str() : nullptr,
                            info[3].As<Napi::Number>().Int32Value(), &sock);
  if (found) info[4].As<Napi::Float64Array>()[1] = static_cast<double>(sock);
  return Napi::Boolean::New(env, found);
}

Napi::Value Probe(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), ProbeFeatures());
}

}  // namespace

void RegisterLookup(Napi::Env env, Napi::Object exports) {
  // Each env (main thread, each Worker) registers its own locate() with its own index.
  LookupIndex* index = NewLookupIndex();
  env.AddCleanupHook([index]() { FreeLookupIndex(index); });
  exports.Set("locate", Napi::Function::New(env, Locate, "locate", index));
  exports.Set("probe", Napi::Function::New(env, Probe, "probe"));
}

}  // namespace tcpka
