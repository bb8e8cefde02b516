// N-API glue: unpacks arguments, calls one platform function, reports errno. No policy here:
// validation, units and rounding live in lib/ (TypeScript).
#include <napi.h>

#include "keepalive.h"

namespace tcpka {
namespace {

// Every call takes (socket, state, ...): state is a Float64Array whose slot 0 carries the
// socket identity in (0 = not yet known) and out; later slots carry results.
constexpr size_t kStateSlots = 8;

struct Call {
  SocketHandle sock;
  Napi::Float64Array state;
};

bool Unpack(const Napi::CallbackInfo& info, size_t argc, Call* call) {
  Napi::Env env = info.Env();
  if (info.Length() < argc || !info[0].IsNumber() || !info[1].IsTypedArray() ||
      info[1].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array ||
      info[1].As<Napi::Float64Array>().ElementLength() < kStateSlots) {
    Napi::TypeError::New(env, "tcp-keepalive native: bad arguments").ThrowAsJavaScriptException();
    return false;
  }
  call->sock = static_cast<SocketHandle>(info[0].As<Napi::Number>().Int64Value());
  call->state = info[1].As<Napi::Float64Array>();
  return true;
}

Napi::Value Report(Napi::Env env, const Failure& failure) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("errno", failure.error);
  out.Set("syscall", failure.syscall);
  out.Set("option", failure.option);
  return out;
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
    return Report(env, failure);
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
    return Report(env, failure);
  }
  for (int i = 0; i < kFieldCount; i++) call.state[1 + i] = values.value[i];
  return env.Undefined();
}

// tcpInfo(socket, state, buffer): fills buffer, state[1] = bytes the kernel filled
Napi::Value TcpInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Call call;
  if (!Unpack(info, 3, &call)) return env.Undefined();
  if (!info[2].IsTypedArray() ||
      info[2].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    Napi::TypeError::New(env, "tcp-keepalive native: bad buffer").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Uint8Array buf = info[2].As<Napi::Uint8Array>();
  size_t len = buf.ElementLength();
  Failure failure;
  if (!Identify(call, &failure) || !ReadTcpInfo(call.sock, buf.Data(), &len, &failure)) {
    return Report(env, failure);
  }
  call.state[1] = static_cast<double>(len);
  return env.Undefined();
}

}  // namespace
}  // namespace tcpka

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  using namespace tcpka;
  exports.Set("apply", Napi::Function::New(env, Apply, "apply"));
  exports.Set("read", Napi::Function::New(env, Read, "read"));
  exports.Set("tcpInfo", Napi::Function::New(env, TcpInfo, "tcpInfo"));
  exports.Set("fieldCount", Napi::Number::New(env, kFieldCount));
  return exports;
}

NODE_API_MODULE(tcp_keepalive, Init)
