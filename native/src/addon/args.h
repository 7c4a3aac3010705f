// Argument checks for bindings (better-sqlite3's REQUIRE_* idea). Each throws a JS TypeError or RangeError whose
// `code` names the failure, e.g. SIMDNET_INVALID_ARGUMENT, SIMDNET_BUFFER_TOO_SMALL. The TS layer validates the
// public API first with friendlier messages; these are the native safety net: nothing a caller passes may crash.
#pragma once
#include <napi.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace simdnet::addon {

[[noreturn]] void throw_type_error(Napi::Env env, const std::string& code, const std::string& msg);
[[noreturn]] void throw_range_error(Napi::Env env, const std::string& code, const std::string& msg);
[[noreturn]] void throw_error(Napi::Env env, const std::string& code, const std::string& msg);

// A non-negative integer-valued finite number (no NaN, no fraction), <= 2^40.
size_t get_size(const Napi::CallbackInfo& info, size_t i, const char* name);
// Any finite number within float32 range, |x| <= FLT_MAX (NaN, Inf and larger finite doubles rejected with
// SIMDNET_INVALID_ARGUMENT: casting an out-of-range double to float is undefined behaviour in C++).
float get_float(const Napi::CallbackInfo& info, size_t i, const char* name);
// d as a float under get_float's rule; `name` completes the message ("Expected ... for <name>").
float to_float(Napi::Env env, double d, const std::string& name);
double get_double(const Napi::CallbackInfo& info, size_t i, const char* name);
// An integer in [0, 2^53] (every such value is exactly representable in a JS number): seeds, Philox streams and
// counters. NaN, Inf, negatives and fractions throw RangeError SIMDNET_INVALID_ARGUMENT.
uint64_t get_u53(const Napi::CallbackInfo& info, size_t i, const char* name);
bool get_bool(const Napi::CallbackInfo& info, size_t i, const char* name);
std::string get_string(const Napi::CallbackInfo& info, size_t i, const char* name);

// A Float32Array with at least `min_len` elements that is not detached. Returns its data pointer (view offset
// applied). min_len is computed by the caller in size_t with overflow checked via checked_mul.
float* get_f32(const Napi::CallbackInfo& info, size_t i, const char* name, size_t min_len);
int32_t* get_i32(const Napi::CallbackInfo& info, size_t i, const char* name, size_t min_len);
uint8_t* get_u8(const Napi::CallbackInfo& info, size_t i, const char* name, size_t min_len);
uint32_t* get_u32(const Napi::CallbackInfo& info, size_t i, const char* name, size_t min_len);
// Same, for an optional argument: undefined/null gives nullptr.
float* get_f32_opt(const Napi::CallbackInfo& info, size_t i, const char* name, size_t min_len);

// a*b (+c) with overflow -> RangeError SIMDNET_INVALID_ARGUMENT.
size_t checked_mul(Napi::Env env, size_t a, size_t b);
// Minimum elements of a row-major rows x cols matrix with leading dimension ld: (rows-1)*ld + cols, 0 if empty.
size_t matrix_extent(Napi::Env env, size_t rows, size_t cols, size_t ld);

}  // namespace simdnet::addon
