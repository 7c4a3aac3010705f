#include "addon/args.h"

#include <cmath>
#include <limits>

namespace simdnet::addon {
namespace {

template <class E>
[[noreturn]] void throw_with_code(Napi::Env env, const std::string& code, const std::string& msg) {
  E err = E::New(env, msg);
  err.Set("code", Napi::String::New(env, code));
  throw err;
}

Napi::Value arg(const Napi::CallbackInfo& info, size_t i) { return i < info.Length() ? info[i] : info.Env().Undefined(); }

std::string describe(const Napi::Value& v) {
  if (v.IsUndefined()) return "undefined";
  if (v.IsNull()) return "null";
  if (v.IsNumber()) return "number " + std::to_string(v.As<Napi::Number>().DoubleValue());
  if (v.IsTypedArray()) return "a typed array of another element type";
  if (v.IsArray()) return "an Array";
  if (v.IsString()) return "a string";
  if (v.IsBoolean()) return "a boolean";
  return "a value of another type";
}

// Every getter below first tries one N-API call that accepts valid input (a kernel on small arrays takes well under
// a microsecond, so the ~7 N-API calls of the full typed-array check were most of a call: activationForward on 16
// floats spent ~0.5 us in the binding) and hands anything else to the full check, which throws the coded error.
napi_value raw(const Napi::CallbackInfo& info, size_t i) { return i < info.Length() ? napi_value(info[i]) : nullptr; }

template <class T, napi_typedarray_type kType>
T* get_typed(const Napi::CallbackInfo& info, size_t i, const char* name, size_t min_len, const char* tname) {
  Napi::Env env = info.Env();
  {
    // A detached buffer reports length 0 and no data; empty arrays take the full check, which tells detached ones
    // apart. N-API's data pointer already includes the view's byte offset.
    napi_typedarray_type type;
    size_t length = 0;
    void* data = nullptr;
    napi_value v = raw(info, i);
    if (v && napi_get_typedarray_info(env, v, &type, &length, &data, nullptr, nullptr) == napi_ok && type == kType &&
        length >= min_len && length > 0 && data)
      return static_cast<T*>(data);
  }
  Napi::Value v = arg(info, i);
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != kType)
    throw_type_error(env, "SIMDNET_INVALID_ARGUMENT",
                     std::string("Expected ") + tname + " for " + name + " but received " + describe(v));
  auto ta = v.As<Napi::TypedArray>();
  Napi::ArrayBuffer ab = ta.ArrayBuffer();
  bool detached = false;
  if (napi_is_detached_arraybuffer(env, ab, &detached) == napi_ok && detached)
    throw_type_error(env, "SIMDNET_DETACHED_BUFFER", std::string(name) + " is backed by a detached ArrayBuffer");
  const size_t len = ta.ElementLength();
  if (len < min_len)
    throw_range_error(env, "SIMDNET_BUFFER_TOO_SMALL",
                      std::string(name) + " has " + std::to_string(len) + " elements but " + std::to_string(min_len) +
                          " are needed");
  return reinterpret_cast<T*>(static_cast<uint8_t*>(ab.Data()) + ta.ByteOffset());
}

double get_number(const Napi::CallbackInfo& info, size_t i, const char* name) {
  double d;
  napi_value r = raw(info, i);
  if (r && napi_get_value_double(info.Env(), r, &d) == napi_ok) return d;
  Napi::Value v = arg(info, i);
  if (!v.IsNumber())
    throw_type_error(info.Env(), "SIMDNET_INVALID_ARGUMENT",
                     std::string("Expected a number for ") + name + " but received " + describe(v));
  return v.As<Napi::Number>().DoubleValue();
}

}  // namespace

void throw_type_error(Napi::Env env, const std::string& code, const std::string& msg) {
  throw_with_code<Napi::TypeError>(env, code, msg);
}
void throw_range_error(Napi::Env env, const std::string& code, const std::string& msg) {
  throw_with_code<Napi::RangeError>(env, code, msg);
}
void throw_error(Napi::Env env, const std::string& code, const std::string& msg) {
  throw_with_code<Napi::Error>(env, code, msg);
}

size_t get_size(const Napi::CallbackInfo& info, size_t i, const char* name) {
  const double d = get_number(info, i, name);
  if (!std::isfinite(d) || d < 0 || d != std::floor(d) || d > 1099511627776.0)
    throw_range_error(info.Env(), "SIMDNET_INVALID_ARGUMENT",
                      std::string("Expected a non-negative integer for ") + name + " but received " +
                          std::to_string(d));
  return static_cast<size_t>(d);
}

double get_double(const Napi::CallbackInfo& info, size_t i, const char* name) {
  const double d = get_number(info, i, name);
  if (!std::isfinite(d))
    throw_range_error(info.Env(), "SIMDNET_INVALID_ARGUMENT",
                      std::string("Expected a finite number for ") + name + " but received " + std::to_string(d));
  return d;
}

uint64_t get_u53(const Napi::CallbackInfo& info, size_t i, const char* name) {
  const double d = get_double(info, i, name);
  // 2^53 = 9007199254740992: above it a JS number can no longer hold every integer, so seeds could collide silently.
  if (d < 0 || d != std::floor(d) || d > 9007199254740992.0)
    throw_range_error(info.Env(), "SIMDNET_INVALID_ARGUMENT",
                      std::string("Expected an integer in [0, 2^53] for ") + name + " but received " +
                          std::to_string(d));
  return static_cast<uint64_t>(d);
}

float to_float(Napi::Env env, double d, const std::string& name) {
  if (!(std::fabs(d) <= static_cast<double>(std::numeric_limits<float>::max())))
    throw_range_error(env, "SIMDNET_INVALID_ARGUMENT",
                      "Expected a finite number within float32 range (|x| <= 3.4028235e38) for " + name +
                          " but received " + std::to_string(d));
  return static_cast<float>(d);
}

float get_float(const Napi::CallbackInfo& info, size_t i, const char* name) {
  return to_float(info.Env(), get_double(info, i, name), name);
}

bool get_bool(const Napi::CallbackInfo& info, size_t i, const char* name) {
  bool b;
  napi_value r = raw(info, i);
  if (r && napi_get_value_bool(info.Env(), r, &b) == napi_ok) return b;
  Napi::Value v = arg(info, i);
  if (!v.IsBoolean())
    throw_type_error(info.Env(), "SIMDNET_INVALID_ARGUMENT",
                     std::string("Expected a boolean for ") + name + " but received " + describe(v));
  return v.As<Napi::Boolean>().Value();
}

std::string get_string(const Napi::CallbackInfo& info, size_t i, const char* name) {
  Napi::Value v = arg(info, i);
  if (!v.IsString())
    throw_type_error(info.Env(), "SIMDNET_INVALID_ARGUMENT",
                     std::string("Expected a string for ") + name + " but received " + describe(v));
  return v.As<Napi::String>().Utf8Value();
}

float* get_f32(const Napi::CallbackInfo& info, size_t i, const char* name, size_t min_len) {
  return get_typed<float, napi_float32_array>(info, i, name, min_len, "a Float32Array");
}
int32_t* get_i32(const Napi::CallbackInfo& info, size_t i, const char* name, size_t min_len) {
  return get_typed<int32_t, napi_int32_array>(info, i, name, min_len, "an Int32Array");
}
uint8_t* get_u8(const Napi::CallbackInfo& info, size_t i, const char* name, size_t min_len) {
  return get_typed<uint8_t, napi_uint8_array>(info, i, name, min_len, "a Uint8Array");
}
uint32_t* get_u32(const Napi::CallbackInfo& info, size_t i, const char* name, size_t min_len) {
  return get_typed<uint32_t, napi_uint32_array>(info, i, name, min_len, "a Uint32Array");
}
float* get_f32_opt(const Napi::CallbackInfo& info, size_t i, const char* name, size_t min_len) {
  napi_valuetype type = napi_undefined;
  napi_value r = raw(info, i);
  if (r) napi_typeof(info.Env(), r, &type);
  if (type == napi_undefined || type == napi_null) return nullptr;
  return get_f32(info, i, name, min_len);
}

size_t checked_mul(Napi::Env env, size_t a, size_t b) {
  if (a != 0 && b > std::numeric_limits<size_t>::max() / a)
    throw_range_error(env, "SIMDNET_INVALID_ARGUMENT", "size overflow");
  return a * b;
}

size_t matrix_extent(Napi::Env env, size_t rows, size_t cols, size_t ld) {
  if (rows == 0 || cols == 0) return 0;
  if (ld < cols)
    throw_range_error(env, "SIMDNET_INVALID_ARGUMENT",
                      "leading dimension " + std::to_string(ld) + " is smaller than the row length " +
                          std::to_string(cols));
  return checked_mul(env, rows - 1, ld) + cols;
}

}  // namespace simdnet::addon
