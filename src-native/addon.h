// What the N-API glue files share: Js, the one way they talk to JavaScript, and the registration
// functions of the glue files beside addon.cc.
//
// The glue uses Node-API's C interface with every napi_status checked, so nothing in it can abort
// the process. A Worker being terminated makes most N-API calls fail (and napi_throw with them);
// a wrapper that throws on failure then meets a failing throw, which is what aborted the process
// with "FATAL ERROR: Error::ThrowAsJavaScriptException napi_throw". Here a failed N-API call only
// marks the Js as failed; Done() then throws once, and only when an exception can be thrown at
// all: never over a pending one, never into an env that cannot run JavaScript any more.
#pragma once

#include <node_api.h>

#include <string>

#include "keepalive.h"

namespace tcpka {

class Js {
 public:
  explicit Js(napi_env env) : env_(env) {}    // at load time
  Js(napi_env env, napi_callback_info info);  // in a call: reads its arguments

  napi_env env() const { return env_; }
  void* data() const { return data_; }

  // Arguments: false when argument `i` is absent or of another type (then call BadArguments).
  bool Int32(size_t i, int32_t* out);       // a number, ToInt32
  bool Uint32(size_t i, uint32_t* out);     // a number, ToUint32
  bool Int64(size_t i, int64_t* out);       // a number, truncated
  bool Bool(size_t i, bool* out);           // a boolean
  bool String(size_t i, std::string* out);  // a string (UTF-8)
  bool IsNull(size_t i);
  // A typed array of `type` with at least `min_length` elements.
  bool TypedArray(size_t i, napi_typedarray_type type, size_t min_length, void** data,
                  size_t* length);
  template <typename T>
  bool TypedArray(size_t i, napi_typedarray_type type, size_t min_length, T** data,
                  size_t* length) {
    void* raw = nullptr;
    if (!TypedArray(i, type, min_length, &raw, length)) return false;
    *data = static_cast<T*>(raw);
    return true;
  }

  // Values. Each returns nullptr once an N-API call of this Js failed; Done() reports that.
  napi_value Undefined();
  napi_value Boolean(bool value);
  napi_value Number(double value);
  napi_value Str(const char* text);
  napi_value Object();
  napi_value Array();
  napi_value CopyToArrayBuffer(const void* bytes, size_t length);
  napi_value CopyToFloat64Array(const double* values, size_t count);
  void Set(napi_value object, const char* key, napi_value value);
  void Push(napi_value array, napi_value value);
  void Method(napi_value object, const char* name, napi_callback callback, void* data = nullptr);
  napi_value Freeze(napi_value object);

  // Records the status of an N-API call made outside Js; false once any call failed.
  bool Check(napi_status status);

  // {errno, syscall, option}: what lib/ turns into a typed error.
  napi_value Report(const Failure& failure);
  // The result of the call: `value` when every N-API call succeeded, else the failure thrown
  // (where it can be) and nullptr.
  napi_value Done(napi_value value);
  // Arguments the TS layer never passes: a TypeError (where it can be thrown) and nullptr.
  napi_value BadArguments();

 private:
  napi_value Throw(bool type_error, const char* code, const char* message);

  napi_env env_;
  static constexpr size_t kMaxArgs = 8;
  napi_value argv_[kMaxArgs] = {};
  size_t argc_ = 0;
  void* data_ = nullptr;
  bool ok_ = true;
};

void RegisterLookup(Js& js, napi_value exports);  // addon_lookup.cc: locate, probe
#ifdef __linux__
void RegisterDiag(Js& js, napi_value exports);  // diag_linux.cc
#endif

}  // namespace tcpka
