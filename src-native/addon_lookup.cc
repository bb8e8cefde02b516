// N-API glue for LocateSocket and ProbeFeatures; no policy (lib/ decides when).
#include <string>

#include "addon.h"

namespace tcpka {
namespace {

// locate(localAddress, localPort, peerAddress | null, peerPort, state): true and state[1] =
// the socket when a TCP handle of this thread's loop has those addresses, else false.
napi_value Locate(napi_env env, napi_callback_info info) {
  Js js(env, info);
  std::string local;
  std::string peer;
  int32_t local_port = 0;
  int32_t peer_port = 0;
  double* state = nullptr;
  size_t length = 0;
  bool listener = js.IsNull(2);
  if (!js.String(0, &local) || !js.Int32(1, &local_port) || !(listener || js.String(2, &peer)) ||
      !js.Int32(3, &peer_port) || !js.TypedArray(4, napi_float64_array, 2, &state, &length)) {
    return js.BadArguments();
  }
  uv_loop_s* loop = nullptr;
  if (!js.Check(napi_get_uv_event_loop(env, &loop))) return js.Done(nullptr);
  SocketHandle sock{};
  bool found = LocateSocket(loop, static_cast<LookupIndex*>(js.data()), local.c_str(), local_port,
                            listener ? nullptr : peer.c_str(), peer_port, &sock);
  if (found) state[1] = static_cast<double>(sock);
  return js.Boolean(found);
}

napi_value Probe(napi_env env, napi_callback_info info) {
  Js js(env, info);
  return js.Done(js.Number(ProbeFeatures()));
}

void FreeIndex(void* index) {
  FreeLookupIndex(static_cast<LookupIndex*>(index));
}

}  // namespace

void RegisterLookup(Js& js, napi_value exports) {
  // Each env (main thread, each Worker) registers its own locate() with its own index, freed
  // with the env.
  LookupIndex* index = NewLookupIndex();
  if (!js.Check(napi_add_env_cleanup_hook(js.env(), FreeIndex, index))) {
    FreeLookupIndex(index);  // and Init fails
    return;
  }
  js.Method(exports, "locate", Locate, index);
  js.Method(exports, "probe", Probe);
}

}  // namespace tcpka
