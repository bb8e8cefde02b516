// N-API glue: unpacks arguments, calls one platform function, reports errno. No policy here:
// validation, units and rounding live in lib/ (TypeScript).
#include "addon.h"

#include <napi.h>

namespace tcpka {
namespace {

// Every call takes (socket, state, ...): state is a Float64Array whose slot 0 carries the
// socket identity in (0 = not yet known) and out; later slots carry results.
constexpr size_t kStateSlots = 8;

struct Call {
  SocketHandle sock;
  double* state;
};

// Finds the data of a typed array of `type` with at least `min_length` elements. One
// napi_get_typedarray_info per array: the node-addon-api wrappers query the array once per
// accessor, which the profile showed as a tenth of a getTcpInfo call.
bool TypedArrayData(napi_env env, napi_value value, napi_typedarray_type type, size_t min_length,
                    void** data, size_t* length) {
  bool is_typed_array = false;
  napi_typedarray_type actual;
  return napi_is_typedarray(env, value, &is_typed_array) == napi_ok && is_typed_array &&
         napi_get_typedarray_info(env, value, &actual, length, data, nullptr, nullptr) == napi_ok &&
         actual == type && *length >= min_length;
}

bool Unpack(const Napi::CallbackInfo& info, size_t argc, Call* call) {
  Napi::Env env = info.Env();
  void* state = nullptr;
  size_t length = 0;
  if (info.Length() < argc || !info[0].IsNumber() ||
      !TypedArrayData(env, info[1], napi_float64_array, kStateSlots, &state, &length)) {
    Napi::TypeError::New(env, "tcp-keepalive native: bad arguments").ThrowAsJavaScriptException();
    return false;
  }
  call->sock = static_cast<SocketHandle>(info[0].As<Napi::Number>().Int64Value());
  call->state = static_cast<double*>(state);
  return true;
}

// Verifies the socket is the one the caller means; records its identity in state[0].
bool Identify(Call& call, Failure* failure) {
  SocketId id = 0;
  if (!IdentifySocket(call.sock, static_cast<SocketId>(call.state[0]), &id, failure)) return false;
  call.state[0] = static_cast<double>(id);
  return true;
}

// apply(socket, state, mask, enable, idle, interval, count, userTimeout)
Napi::Value Apply(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Call call;
  if (!Unpack(info, 2 + 1 + kFieldCount, &call)) return env.Undefined();
  uint32_t mask = info[2].As<Napi::Number>().Uint32Value();
  KeepAliveValues values{};
  for (int i = 0; i < kFieldCount; i++)
    values.value[i] = info[3 + i].As<Napi::Number>().Int32Value();
  Failure failure;
  if (!Identify(call, &failure) || !ApplyKeepAlive(call.sock, mask, values, &failure)) {
    return ReportFailure(env, failure);
  }
  return env.Undefined();
}

// read(socket, state): state[1..5] = enable, idle, interval, count, userTimeout
Napi::Value Read(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Call call;
  if (!Unpack(info, 2, &call)) return env.Undefined();
  KeepAliveValues values{};
  Failure failure;
  if (!Identify(call, &failure) || !ReadKeepAlive(call.sock, &values, &failure)) {
    return ReportFailure(env, failure);
  }
  for (int i = 0; i < kFieldCount; i++) call.state[1 + i] = values.value[i];
  return env.Undefined();
}

// tcpInfo(socket, state, buffer): fills buffer, state[1] = bytes the kernel filled
Napi::Value TcpInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Call call;
  if (!Unpack(info, 3, &call)) return env.Undefined();
  void* buf = nullptr;
  size_t len = 0;
  if (!TypedArrayData(env, info[2], napi_uint8_array, 0, &buf, &len)) {
    Napi::TypeError::New(env, "tcp-keepalive native: bad buffer").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Failure failure;
  if (!Identify(call, &failure) ||
      !ReadTcpInfo(call.sock, static_cast<uint8_t*>(buf), &len, &failure)) {
    return ReportFailure(env, failure);
  }
  call.state[1] = static_cast<double>(len);
  return env.Undefined();
}

}  // namespace

Napi::Value ReportFailure(Napi::Env env, const Failure& failure) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("errno", failure.error);
  out.Set("syscall", failure.syscall);
  out.Set("option", failure.option);
  return out;
}

}  // namespace tcpka

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  using namespace tcpka;
  RegisterLookup(env, exports);
#ifdef __linux__
  RegisterDiag(env, exports);
#endif
  exports.Set("apply", Napi::Function::New(env, Apply, "apply"));
  exports.Set("read", Napi::Function::New(env, Read, "read"));
  exports.Set("tcpInfo", Napi::Function::New(env, TcpInfo, "tcpInfo"));
  exports.Set("fieldCount", Napi::Number::New(env, kFieldCount));
  return exports;
}

NODE_API_MODULE(tcp_keepalive, Init)
