// Proves the sanitizer run can fail: built with the same flags as the addon under test, it
// leaks on purpose. scripts/test-asan.sh requires LeakSanitizer to report this leak before it
// trusts a clean report for the real addon.
#include <napi.h>

#include <cstdlib>
#include <cstring>

namespace {

void* volatile last_block = nullptr;

Napi::Value Leak(const Napi::CallbackInfo& info) {
  last_block = std::malloc(4242);
  std::memset(last_block, 1, 4242);
  last_block = nullptr;  // the only pointer is gone: a direct leak
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("leak", Napi::Function::New(env, Leak));
  return exports;
}

}  // namespace

NODE_API_MODULE(canary, Init)
