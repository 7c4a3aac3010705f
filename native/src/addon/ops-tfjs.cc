// Bindings for the tfjs backend's element-wise and reduction kernels (lib/tfjs/):
//   elementwiseBinary(op, m, n, a, aMode, b, bMode, y)     kernels/ebinary: op 0..7 = BinOp, mode 0 full, 1 row,
//                                                          2 scalar (a full operand has m*n elements, a row n, a
//                                                          scalar 1); y has m*n
//   affineRows(m, n, x, mean, scale, offset, y)            kernels/ebinary (FusedBatchNorm)
//   unaryMap(op, p0, p1, n, x, y)                          kernels/vunary: op 0..11 = Umap
//   argReduce(alongRows, extreme, m, n, x, vals, idx)      kernels/argreduce: extreme 0 max, 1 min; vals (Float32Array)
//                                                          and idx (Int32Array) may each be null; alongRows: n >= 1,
//                                                          else m >= 1
//   tfjsAdagrad(n, lr, eps, w, g, acc, wOut, accOut)       kernels/tfoptim (tfjs's AdagradOptimizer step)
//   tfjsRmsprop(n, lr, decay, omd, momentum, eps, centered, w, g, ms, mg, mom, wOut, msOut, mgOut, momOut)
//                                                          kernels/tfoptim (RMSPropOptimizer); mg/mgOut: centered only
// Every argument is checked (args.h); lengths are element counts of the views (offsets already applied).
#include <napi.h>

#include <cstdint>
#include <string>

#include "addon/args.h"
#include "addon/registry.h"
#include "kernels/argreduce/argreduce.h"
#include "kernels/ebinary/ebinary.h"
#include "kernels/tfoptim/tfoptim.h"
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

Napi::Value TfjsAdagrad(const Napi::CallbackInfo& info) {
  const size_t n = get_size(info, 0, "n");
  const float lr = get_float(info, 1, "lr");
  const float eps = get_float(info, 2, "eps");
  const float* w = get_f32(info, 3, "w", n);
  const float* g = get_f32(info, 4, "g", n);
  const float* acc = get_f32(info, 5, "acc", n);
  float* w_out = get_f32(info, 6, "wOut", n);
  float* acc_out = get_f32(info, 7, "accOut", n);
  tfoptim().adagrad(n, lr, eps, w, g, acc, w_out, acc_out);
  return info.Env().Undefined();
}

Napi::Value TfjsRmsprop(const Napi::CallbackInfo& info) {
  const size_t n = get_size(info, 0, "n");
  TfRmspropArgs args{};
  args.lr = get_float(info, 1, "lr");
  args.decay = get_float(info, 2, "decay");
  args.omd = get_float(info, 3, "omd");
  args.momentum = get_float(info, 4, "momentum");
  args.eps = get_float(info, 5, "eps");
  args.centered = get_bool(info, 6, "centered");
  const float* w = get_f32(info, 7, "w", n);
  const float* g = get_f32(info, 8, "g", n);
  const float* ms = get_f32(info, 9, "ms", n);
  const float* mg = args.centered ? get_f32(info, 10, "mg", n) : nullptr;
  const float* mom = get_f32(info, 11, "mom", n);
  float* w_out = get_f32(info, 12, "wOut", n);
  float* ms_out = get_f32(info, 13, "msOut", n);
  float* mg_out = args.centered ? get_f32(info, 14, "mgOut", n) : nullptr;
  float* mom_out = get_f32(info, 15, "momOut", n);
  tfoptim().rmsprop(n, args, w, g, ms, mg, mom, w_out, ms_out, mg_out, mom_out);
  return info.Env().Undefined();
}

void RegisterTfjs(Napi::Env env, Napi::Object exports) {
  set_function<ElementwiseBinary>(env, exports, "elementwiseBinary");
  set_function<AffineRows>(env, exports, "affineRows");
  set_function<UnaryMap>(env, exports, "unaryMap");
  set_function<ArgReduce>(env, exports, "argReduce");
  set_function<TfjsAdagrad>(env, exports, "tfjsAdagrad");
  set_function<TfjsRmsprop>(env, exports, "tfjsRmsprop");
}

}  // namespace
}  // namespace simdnet::addon

SIMDNET_ADDON_EXPORTS(simdnet::addon::RegisterTfjs)
