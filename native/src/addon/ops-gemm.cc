// Bindings for the GEMM family (kernels/gemm/gemm.h):
//   gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, bias | null, act, leakyAlpha, threads) -> c
//     act: 0 linear, 1 sigmoid, 2 tanh, 3 relu, 4 leakyRelu (the Act enum); threads: 0 = the pool's count.
//   fmaPeak(ms, threads) -> GFLOP/s of independent FMA chains on the ISA in use (threads: 0 = the pool's count).
// Every argument is checked here (types, finite numbers, integer sizes, leading dimensions, extents including the
// view offset, detached buffers); nothing a caller passes can make the kernel read or write outside its views.
#include <napi.h>

#include <cmath>
#include <string>

#include "addon/args.h"
#include "addon/registry.h"
#include "kernels/gemm/gemm.h"

namespace simdnet::addon {
namespace {

// Fast paths: a GEMM on MLP-sized matrices takes a few microseconds, so the ~40 N-API calls that the general args.h
// checkers make for 17 arguments were a third of a (128,64,10) call. Each getter below does one N-API call on valid
// input and hands anything unusual to the args.h checker, which throws the same coded error it always does.
napi_value raw(const Napi::CallbackInfo& info, size_t i) { return i < info.Length() ? napi_value(info[i]) : nullptr; }

size_t fast_size(const Napi::CallbackInfo& info, size_t i, const char* name) {
  double d;
  napi_value v = raw(info, i);
  if (v && napi_get_value_double(info.Env(), v, &d) == napi_ok && d >= 0 && d <= 1099511627776.0 && d == std::floor(d))
    return static_cast<size_t>(d);
  return get_size(info, i, name);
}

float fast_float(const Napi::CallbackInfo& info, size_t i, const char* name) {
  double d;
  napi_value v = raw(info, i);
  if (v && napi_get_value_double(info.Env(), v, &d) == napi_ok && std::isfinite(d)) return static_cast<float>(d);
  return get_float(info, i, name);
}

bool fast_bool(const Napi::CallbackInfo& info, size_t i, const char* name) {
  bool b;
  napi_value v = raw(info, i);
  if (v && napi_get_value_bool(info.Env(), v, &b) == napi_ok) return b;
  return get_bool(info, i, name);
}

// A Float32Array with at least min_len elements. A detached buffer reports length 0 and no data, so it takes the
// slow path whenever it matters (min_len > 0) and gets SIMDNET_DETACHED_BUFFER from args.h; with min_len == 0 the
// kernel does not touch the array at all.
float* fast_f32(const Napi::CallbackInfo& info, size_t i, const char* name, size_t min_len) {
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  napi_value v = raw(info, i);
  if (v && napi_get_typedarray_info(info.Env(), v, &type, &length, &data, nullptr, nullptr) == napi_ok &&
      type == napi_float32_array && length >= min_len && (data || min_len == 0))
    return static_cast<float*>(data);  // N-API's data pointer already includes the view's byte offset
  return get_f32(info, i, name, min_len);
}

size_t get_threads_arg(const Napi::CallbackInfo& info, size_t i) {
  const size_t t = fast_size(info, i, "threads");
  if (t > 1024) throw_range_error(info.Env(), "SIMDNET_INVALID_ARGUMENT", "threads must be in [0, 1024] (0 = default)");
  return t;
}

Napi::Value Gemm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  GemmArgs g;
  g.trans_a = fast_bool(info, 0, "transA");
  g.trans_b = fast_bool(info, 1, "transB");
  g.m = fast_size(info, 2, "m");
  g.n = fast_size(info, 3, "n");
  g.k = fast_size(info, 4, "k");
  g.alpha = fast_float(info, 5, "alpha");
  g.lda = fast_size(info, 7, "lda");
  g.ldb = fast_size(info, 9, "ldb");
  g.beta = fast_float(info, 10, "beta");
  g.ldc = fast_size(info, 12, "ldc");
  // Leading dimensions are checked even when a matrix is empty, so a bad call fails the same way at every size.
  const size_t a_cols = g.trans_a ? g.m : g.k, b_cols = g.trans_b ? g.k : g.n;
  if (g.lda < a_cols) throw_range_error(env, "SIMDNET_INVALID_ARGUMENT", "lda is smaller than the row length of A");
  if (g.ldb < b_cols) throw_range_error(env, "SIMDNET_INVALID_ARGUMENT", "ldb is smaller than the row length of B");
  if (g.ldc < g.n) throw_range_error(env, "SIMDNET_INVALID_ARGUMENT", "ldc is smaller than n");
  const bool product = g.m != 0 && g.n != 0 && g.k != 0;
  const size_t a_len = product ? matrix_extent(env, g.trans_a ? g.k : g.m, a_cols, g.lda) : 0;
  const size_t b_len = product ? matrix_extent(env, g.trans_b ? g.n : g.k, b_cols, g.ldb) : 0;
  const size_t c_len = matrix_extent(env, g.m, g.n, g.ldc);
  g.a = fast_f32(info, 6, "a", a_len);
  g.b = fast_f32(info, 8, "b", b_len);
  g.c = fast_f32(info, 11, "c", c_len);
  {
    napi_valuetype bias_type = napi_undefined;
    napi_value bias = raw(info, 13);
    if (bias) napi_typeof(env, bias, &bias_type);
    g.ep.bias = bias_type == napi_undefined || bias_type == napi_null ? nullptr : fast_f32(info, 13, "bias", g.n);
  }
  const size_t act = fast_size(info, 14, "act");
  if (act > 4) throw_range_error(env, "SIMDNET_INVALID_ARGUMENT", "act must be 0..4 (linear, sigmoid, tanh, relu, leakyRelu)");
  g.ep.act = static_cast<Act>(act);
  g.ep.alpha = fast_float(info, 15, "leakyAlpha");
  const size_t threads = get_threads_arg(info, 16);
  gemm(g, threads);
  return info[11];
}

Napi::Value FmaPeak(const Napi::CallbackInfo& info) {
  const double ms = get_double(info, 0, "ms");
  if (ms <= 0 || ms > 10000) throw_range_error(info.Env(), "SIMDNET_INVALID_ARGUMENT", "ms must be in (0, 10000]");
  const size_t threads = get_threads_arg(info, 1);
  return Napi::Number::New(info.Env(), fma_peak(ms, threads));
}

void RegisterGemm(Napi::Env env, Napi::Object exports) {
  exports.Set("gemm", Napi::Function::New(env, Gemm, "gemm"));
  exports.Set("fmaPeak", Napi::Function::New(env, FmaPeak, "fmaPeak"));
}

}  // namespace
}  // namespace simdnet::addon

SIMDNET_ADDON_EXPORTS(simdnet::addon::RegisterGemm)
