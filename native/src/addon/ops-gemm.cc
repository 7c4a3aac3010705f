// Bindings for the GEMM family (kernels/gemm/gemm.h):
//   gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, bias | null, act, leakyAlpha, threads) -> c
//     act: 0 linear, 1 sigmoid, 2 tanh, 3 relu, 4 leakyRelu (the Act enum); threads: 0 = the pool's count.
//   fmaPeak(ms, threads) -> GFLOP/s of independent FMA chains on the ISA in use (threads: 0 = the pool's count).
// Every argument is checked here (types, finite numbers, integer sizes, leading dimensions, extents including the
// view offset, detached buffers); nothing a caller passes can make the kernel read or write outside its views.
#include <napi.h>

#include <string>

#include "addon/args.h"
#include "addon/registry.h"
#include "kernels/gemm/gemm.h"

namespace simdnet::addon {
namespace {

size_t get_threads_arg(const Napi::CallbackInfo& info, size_t i) {
  const size_t t = get_size(info, i, "threads");
  if (t > 1024) throw_range_error(info.Env(), "SIMDNET_INVALID_ARGUMENT", "threads must be in [0, 1024] (0 = default)");
  return t;
}

Napi::Value Gemm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  GemmArgs g;
  g.trans_a = get_bool(info, 0, "transA");
  g.trans_b = get_bool(info, 1, "transB");
  g.m = get_size(info, 2, "m");
  g.n = get_size(info, 3, "n");
  g.k = get_size(info, 4, "k");
  g.alpha = get_float(info, 5, "alpha");
  g.lda = get_size(info, 7, "lda");
  g.ldb = get_size(info, 9, "ldb");
  g.beta = get_float(info, 10, "beta");
  g.ldc = get_size(info, 12, "ldc");
  // Leading dimensions are checked even when a matrix is empty, so a bad call fails the same way at every size.
  const size_t a_cols = g.trans_a ? g.m : g.k, b_cols = g.trans_b ? g.k : g.n;
  if (g.lda < a_cols) throw_range_error(env, "SIMDNET_INVALID_ARGUMENT", "lda is smaller than the row length of A");
  if (g.ldb < b_cols) throw_range_error(env, "SIMDNET_INVALID_ARGUMENT", "ldb is smaller than the row length of B");
  if (g.ldc < g.n) throw_range_error(env, "SIMDNET_INVALID_ARGUMENT", "ldc is smaller than n");
  const bool product = g.m != 0 && g.n != 0 && g.k != 0;
  const size_t a_len = product ? matrix_extent(env, g.trans_a ? g.k : g.m, a_cols, g.lda) : 0;
  const size_t b_len = product ? matrix_extent(env, g.trans_b ? g.n : g.k, b_cols, g.ldb) : 0;
  const size_t c_len = matrix_extent(env, g.m, g.n, g.ldc);
  g.a = get_f32(info, 6, "a", a_len);
  g.b = get_f32(info, 8, "b", b_len);
  g.c = get_f32(info, 11, "c", c_len);
  g.ep.bias = get_f32_opt(info, 13, "bias", g.n);
  const size_t act = get_size(info, 14, "act");
  if (act > 4) throw_range_error(env, "SIMDNET_INVALID_ARGUMENT", "act must be 0..4 (linear, sigmoid, tanh, relu, leakyRelu)");
  g.ep.act = static_cast<Act>(act);
  g.ep.alpha = get_float(info, 15, "leakyAlpha");
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
  set_function<Gemm>(env, exports, "gemm");
  set_function<FmaPeak>(env, exports, "fmaPeak");
}

}  // namespace
}  // namespace simdnet::addon

SIMDNET_ADDON_EXPORTS(simdnet::addon::RegisterGemm)
