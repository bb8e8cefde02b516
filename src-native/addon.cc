// N-API glue: unpacks arguments, calls one platform function, reports errno. No policy here:
// validation, units and rounding live in lib/ (TypeScript). Registration is at the bottom.
#include "addon.h"

namespace tcpka {
namespace {

// Every socket call takes (socket, state, ...): state is a Float64Array of kStateSlots whose
// slot 0 carries the socket identity in (0 = not yet known) and out; later slots carry results.
struct Call {
  SocketHandle sock;
  double* state;
};

bool Unpack(Js& js, Call* call) {
  int64_t sock = 0;
  size_t length = 0;
  if (!js.Int64(0, &sock) ||
      !js.TypedArray(1, napi_float64_array, kStateSlots, &call->state, &length)) {
    return false;
  }
  call->sock = static_cast<SocketHandle>(sock);
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
napi_value Apply(napi_env env, napi_callback_info info) {
  Js js(env, info);
  Call call;
  uint32_t mask = 0;
  KeepAliveValues values{};
  bool ok = Unpack(js, &call) && js.Uint32(2, &mask);
  for (int i = 0; i < kFieldCount; i++) ok = ok && js.Int32(3 + i, &values.value[i]);
  if (!ok) return js.BadArguments();
  Failure failure;
  if (!Identify(call, &failure) || !ApplyKeepAlive(call.sock, mask, values, &failure)) {
    return js.Report(failure);
  }
  return js.Undefined();
}

// read(socket, state): state[1..5] = enable, idle, interval, count, userTimeout
napi_value Read(napi_env env, napi_callback_info info) {
  Js js(env, info);
  Call call;
  if (!Unpack(js, &call)) return js.BadArguments();
  KeepAliveValues values{};
  Failure failure;
  if (!Identify(call, &failure) || !ReadKeepAlive(call.sock, &values, &failure)) {
    return js.Report(failure);
  }
  for (int i = 0; i < kFieldCount; i++) call.state[1 + i] = values.value[i];
  return js.Undefined();
}

// tcpInfo(socket, state, buffer): fills buffer, state[1] = bytes the kernel filled
napi_value TcpInfo(napi_env env, napi_callback_info info) {
  Js js(env, info);
  Call call;
  uint8_t* buf = nullptr;
  size_t len = 0;
  if (!Unpack(js, &call) || !js.TypedArray(2, napi_uint8_array, 0, &buf, &len)) {
    return js.BadArguments();
  }
  Failure failure;
  if (!Identify(call, &failure) || !ReadTcpInfo(call.sock, buf, &len, &failure)) {
    return js.Report(failure);
  }
  call.state[1] = static_cast<double>(len);
  return js.Undefined();
}

// The frozen `constants` export: what lib/ needs to know of keepalive.h, defined only there.
napi_value Constants(Js& js) {
  napi_value fields = js.Array();
  napi_value names = js.Object();
  for (int i = 0; i < kFieldCount; i++) {
    js.Push(fields, js.Str(kFieldNames[i]));
    js.Set(names, kFieldNames[i], js.Str(kOptions[i].label));
  }
  napi_value features = js.Object();
  for (const FeatureName& feature : kFeatureNames) {
    js.Set(features, feature.name, js.Number(feature.bit));
  }
  napi_value constants = js.Object();
  js.Set(constants, "stateSlots", js.Number(kStateSlots));
  js.Set(constants, "fields", js.Freeze(fields));
  js.Set(constants, "optionNames", js.Freeze(names));
  js.Set(constants, "features", js.Freeze(features));
  js.Set(constants, "viaKeepAliveVals", js.Number(kViaKeepAliveVals));
  js.Set(constants, "validated", js.Number(kValidated));
  js.Set(constants, "unreadable", js.Number(kUnreadable));
  js.Set(constants, "checkedWithoutInode", js.Number(static_cast<double>(kCheckedWithoutInode)));
  return js.Freeze(constants);
}

napi_value Init(napi_env env, napi_value exports) {
  Js js(env);
  RegisterLookup(js, exports);
#ifdef __linux__
  RegisterDiag(js, exports);
#endif
  js.Method(exports, "apply", Apply);
  js.Method(exports, "read", Read);
  js.Method(exports, "tcpInfo", TcpInfo);
  js.Set(exports, "constants", Constants(js));
  return js.Done(exports);
}

}  // namespace
}  // namespace tcpka

NAPI_MODULE(tcp_keepalive, tcpka::Init)
