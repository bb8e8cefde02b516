// Js (addon.h): every N-API call of the glue, its status checked, and the one failure path.
#include <cstring>

#include "addon.h"

namespace tcpka {

Js::Js(napi_env env, napi_callback_info info) : env_(env) {
  argc_ = kMaxArgs;
  if (!Check(napi_get_cb_info(env, info, &argc_, argv_, nullptr, &data_))) argc_ = 0;
  if (argc_ > kMaxArgs) argc_ = kMaxArgs;  // the rest are never read
}

bool Js::Check(napi_status status) {
  if (status != napi_ok) ok_ = false;
  return ok_;
}

bool Js::Int32(size_t i, int32_t* out) {
  return i < argc_ && napi_get_value_int32(env_, argv_[i], out) == napi_ok;
}
bool Js::Uint32(size_t i, uint32_t* out) {
  return i < argc_ && napi_get_value_uint32(env_, argv_[i], out) == napi_ok;
}
bool Js::Int64(size_t i, int64_t* out) {
  return i < argc_ && napi_get_value_int64(env_, argv_[i], out) == napi_ok;
}
bool Js::Bool(size_t i, bool* out) {
  return i < argc_ && napi_get_value_bool(env_, argv_[i], out) == napi_ok;
}

bool Js::String(size_t i, std::string* out) {
  size_t length = 0;
  if (i >= argc_ || napi_get_value_string_utf8(env_, argv_[i], nullptr, 0, &length) != napi_ok) {
    return false;
  }
  out->resize(length + 1);
  if (napi_get_value_string_utf8(env_, argv_[i], &(*out)[0], length + 1, &length) != napi_ok) {
    return false;
  }
  out->resize(length);
  return true;
}

bool Js::IsNull(size_t i) {
  napi_valuetype type = napi_undefined;
  return i < argc_ && napi_typeof(env_, argv_[i], &type) == napi_ok && type == napi_null;
}

// One napi_get_typedarray_info per array (it fails for anything but a typed array): the profile
// of getTcpInfo showed per-accessor queries of the array as a tenth of the call.
bool Js::TypedArray(size_t i, napi_typedarray_type type, size_t min_length, void** data,
                    size_t* length) {
  napi_typedarray_type actual;
  return i < argc_ &&
         napi_get_typedarray_info(env_, argv_[i], &actual, length, data, nullptr, nullptr) ==
             napi_ok &&
         actual == type && *length >= min_length;
}

napi_value Js::Undefined() {
  napi_value value = nullptr;
  return ok_ && Check(napi_get_undefined(env_, &value)) ? value : nullptr;
}
napi_value Js::Boolean(bool flag) {
  napi_value value = nullptr;
  return ok_ && Check(napi_get_boolean(env_, flag, &value)) ? value : nullptr;
}
napi_value Js::Number(double number) {
  napi_value value = nullptr;
  return ok_ && Check(napi_create_double(env_, number, &value)) ? value : nullptr;
}
napi_value Js::Str(const char* text) {
  napi_value value = nullptr;
  return ok_ && Check(napi_create_string_utf8(env_, text, NAPI_AUTO_LENGTH, &value)) ? value
                                                                                     : nullptr;
}
napi_value Js::Object() {
  napi_value value = nullptr;
  return ok_ && Check(napi_create_object(env_, &value)) ? value : nullptr;
}
napi_value Js::Array() {
  napi_value value = nullptr;
  return ok_ && Check(napi_create_array(env_, &value)) ? value : nullptr;
}

napi_value Js::CopyToArrayBuffer(const void* bytes, size_t length) {
  napi_value buffer = nullptr;
  void* data = nullptr;
  if (!ok_ || !Check(napi_create_arraybuffer(env_, length, &data, &buffer))) return nullptr;
  if (length > 0) std::memcpy(data, bytes, length);
  return buffer;
}

napi_value Js::CopyToFloat64Array(const double* values, size_t count) {
  napi_value buffer = CopyToArrayBuffer(values, count * sizeof(double));
  napi_value array = nullptr;
  if (!ok_ || !Check(napi_create_typedarray(env_, napi_float64_array, count, buffer, 0, &array))) {
    return nullptr;
  }
  return array;
}

void Js::Set(napi_value object, const char* key, napi_value value) {
  if (ok_) Check(napi_set_named_property(env_, object, key, value));
}

void Js::Push(napi_value array, napi_value value) {
  uint32_t length = 0;
  if (ok_ && Check(napi_get_array_length(env_, array, &length))) {
    Check(napi_set_element(env_, array, length, value));
  }
}

void Js::Method(napi_value object, const char* name, napi_callback callback, void* data) {
  napi_property_descriptor method = {
      name,
      nullptr,
      callback,
      nullptr,
      nullptr,
      nullptr,
      static_cast<napi_property_attributes>(napi_writable | napi_enumerable | napi_configurable),
      data};
  if (ok_) Check(napi_define_properties(env_, object, 1, &method));
}

napi_value Js::Freeze(napi_value object) {
  return ok_ && Check(napi_object_freeze(env_, object)) ? object : nullptr;
}

napi_value Js::Report(const Failure& failure) {
  napi_value out = Object();
  Set(out, "errno", Number(failure.error));
  Set(out, "syscall", Str(failure.syscall));
  Set(out, "option", Str(failure.option));
  return Done(out);
}

napi_value Js::Done(napi_value value) {
  if (ok_) return value;
  return Throw(false, "ERR_TCP_KEEPALIVE_NAPI", "tcp-keepalive native: a Node-API call failed");
}

napi_value Js::BadArguments() {
  return Throw(true, "ERR_INVALID_ARG_TYPE", "tcp-keepalive native: bad arguments");
}

napi_value Js::Throw(bool type_error, const char* code, const char* message) {
  // A pending exception (e.g. raised inside the failed N-API call) propagates as it is.
  bool pending = false;
  if (napi_is_exception_pending(env_, &pending) != napi_ok || pending) return nullptr;
  // These fail only where the env can no longer run JavaScript (a Worker being terminated, an
  // env being torn down): nobody is left to tell, so the status is deliberately dropped.
  if (type_error) {
    napi_throw_type_error(env_, code, message);
  } else {
    napi_throw_error(env_, code, message);
  }
  return nullptr;
}

}  // namespace tcpka
