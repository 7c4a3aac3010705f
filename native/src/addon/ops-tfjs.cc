// Bindings for the tfjs backend's element-wise and reduction kernels (lib/tfjs/):
//   elementwiseBinary(op, m, n, a, aMode, b, bMode, y)     kernels/ebinary: op 0..7 = BinOp, mode 0 full, 1 row,
//                                                          2 scalar (a full operand has m*n elements, a row n, a
//                                                          scalar 1); y has m*n
//   affineRows(m, n, x, mean, scale, offset, y)            kernels/ebinary (FusedBatchNorm)
//   unaryMap(op, p0, p1, n, x, y)                          kernels/vunary: op 0..11 = Umap
//   argReduce(alongRows, extreme, m, n, x, vals, idx)      kernels/argreduce: extreme 0 max, 1 min; vals (Float32Array)
//                                                          and idx (Int32Array) may each be null; alongRows: n >= 1,
//                                                          else m >= 1
// Every argument is checked (args.h); lengths are element counts of the views (offsets already applied).
#include <napi.h>

#include <cstdint>
#include <string>

#include "addon/args.h"
#include "addon/registry.h"
#include "kernels/argreduce/argreduce.h"
#include "kernels/ebinary/ebinary.h"
#include "kernels/vunary/vunary.h"

namespace simdnet::addon {
namespace {

int get_code(const Napi::CallbackInfo& info, size_t i, const char* name, size_t count) {
  const size_t v = get_size(info, i, name);
  if (v >= count)
    throw_range_error(info.Env(), "SIMDNET_INVALID_ARGUMENT",
                      std::string("Expected an integer in [0, ") + std::to_string(count) + ") for " + name +
                          " but received " + std::to_string(v));
  return static_cast<int>(v);
}

size_t operand_len(Operand mode, size_t mn, size_t n) {
  return mode == Operand::full ? mn : mode == Operand::row ? n : 1;
}

Napi::Value ElementwiseBinary(const Napi::CallbackInfo& info) {
  const auto op = static_cast<BinOp>(get_code(info, 0, "op", 8));
  const size_t m = get_size(info, 1, "m");
  const size_t n = get_size(info, 2, "n");
  const size_t mn = checked_mul(info.Env(), m, n);
  const auto am = static_cast<Operand>(get_code(info, 4, "aMode", 3));
  const auto bm = static_cast<Operand>(get_code(info, 6, "bMode", 3));
  const float* a = get_f32(info, 3, "a", operand_len(am, mn, n));
  const float* b = get_f32(info, 5, "b", operand_len(bm, mn, n));
  float* y = get_f32(info, 7, "y", mn);
  if (mn > 0) ebinary().binary(op, m, n, a, am, b, bm, y);
  return info[7];
}

Napi::Value AffineRows(const Napi::CallbackInfo& info) {
  const size_t m = get_size(info, 0, "m");
  const size_t n = get_size(info, 1, "n");
  const size_t mn = checked_mul(info.Env(), m, n);
  const float* x = get_f32(info, 2, "x", mn);
  const float* mean = get_f32(info, 3, "mean", n);
  const float* scale = get_f32(info, 4, "scale", n);
  const float* offset = get_f32(info, 5, "offset", n);
  float* y = get_f32(info, 6, "y", mn);
  ebinary().affine_rows(m, n, x, mean, scale, offset, y);
  return info[6];
}

Napi::Value UnaryMap(const Napi::CallbackInfo& info) {
  const auto op = static_cast<Umap>(get_code(info, 0, "op", 12));
  const float p0 = get_float(info, 1, "p0");
  const float p1 = get_float(info, 2, "p1");
  const size_t n = get_size(info, 3, "n");
  const float* x = get_f32(info, 4, "x", n);
  float* y = get_f32(info, 5, "y", n);
  vunary().map(op, p0, p1, n, x, y);
  return info[5];
}

Napi::Value ArgReduce(const Napi::CallbackInfo& info) {
  const bool along_rows = get_bool(info, 0, "alongRows");
  const auto e = static_cast<Extreme>(get_code(info, 1, "extreme", 2));
  const size_t m = get_size(info, 2, "m");
  const size_t n = get_size(info, 3, "n");
  const size_t mn = checked_mul(info.Env(), m, n);
  if (along_rows ? n == 0 : m == 0)
    throw_range_error(info.Env(), "SIMDNET_INVALID_ARGUMENT",
                      "Expected a non-empty reduced axis (n >= 1 along rows, m >= 1 along columns)");
  const size_t outs = along_rows ? m : n;
  const float* x = get_f32(info, 4, "x", mn);
  float* vals = get_f32_opt(info, 5, "vals", outs);
  int32_t* idx = info[6].IsNull() || info[6].IsUndefined() ? nullptr : get_i32(info, 6, "idx", outs);
  if (along_rows) argreduce().rows(e, m, n, x, vals, idx);
  else argreduce().cols(e, m, n, x, vals, idx);
  return info.Env().Undefined();
}

void RegisterTfjs(Napi::Env env, Napi::Object exports) {
  set_function<ElementwiseBinary>(env, exports, "elementwiseBinary");
  set_function<AffineRows>(env, exports, "affineRows");
  set_function<UnaryMap>(env, exports, "unaryMap");
  set_function<ArgReduce>(env, exports, "argReduce");
}

}  // namespace
}  // namespace simdnet::addon

SIMDNET_ADDON_EXPORTS(simdnet::addon::RegisterTfjs)
