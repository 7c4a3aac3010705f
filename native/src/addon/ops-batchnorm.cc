// Bindings for batch normalization (kernels/batchnorm/batchnorm.h). x, y, dy, dx are m x n row-major
// (m*n elements, overflow-checked); per-feature arrays have n elements; optional ones accept null/undefined.
#include <napi.h>

#include <cmath>
#include <string>

#include "addon/args.h"
#include "addon/registry.h"
#include "kernels/batchnorm/batchnorm.h"

namespace simdnet::addon {
namespace {

float get_unit(const Napi::CallbackInfo& info, size_t i, const char* name) {
  const double d = get_double(info, i, name);
  if (d < 0.0 || d > 1.0)
    throw_range_error(info.Env(), "SIMDNET_INVALID_ARGUMENT",
                      std::string("Expected ") + name + " in [0, 1] but received " + std::to_string(d));
  return static_cast<float>(d);
}

float get_eps(const Napi::CallbackInfo& info, size_t i) {
  const float f = get_float(info, i, "eps");
  if (!(f > 0.0f))
    throw_range_error(info.Env(), "SIMDNET_INVALID_ARGUMENT",
                      "Expected eps > 0 (in float32) but received " + std::to_string(f));
  return f;
}

size_t get_rows(const Napi::CallbackInfo& info) {
  const size_t m = get_size(info, 0, "m");
  if (m < 1) throw_range_error(info.Env(), "SIMDNET_INVALID_ARGUMENT", "Expected m >= 1 (batch statistics need rows)");
  return m;
}

// batchNormForwardTrain(m, n, momentum, eps, x, gamma?, beta?, runningMean?, runningVar?, saveMean, saveInvStd, y) -> y
Napi::Value ForwardTrain(const Napi::CallbackInfo& info) {
  const size_t m = get_rows(info), n = get_size(info, 1, "n");
  const size_t mn = checked_mul(info.Env(), m, n);
  const float momentum = get_unit(info, 2, "momentum"), eps = get_eps(info, 3);
  const float* x = get_f32(info, 4, "x", mn);
  const float* gamma = get_f32_opt(info, 5, "gamma", n);
  const float* beta = get_f32_opt(info, 6, "beta", n);
  float* rm = get_f32_opt(info, 7, "runningMean", n);
  float* rv = get_f32_opt(info, 8, "runningVar", n);
  float* sm = get_f32(info, 9, "saveMean", n);
  float* si = get_f32(info, 10, "saveInvStd", n);
  float* y = get_f32(info, 11, "y", mn);
  batchnorm().forward_train(m, n, momentum, eps, x, gamma, beta, rm, rv, sm, si, y);
  return info[11];
}

// batchNormForwardInfer(m, n, eps, x, gamma?, beta?, runningMean, runningVar, y) -> y
Napi::Value ForwardInfer(const Napi::CallbackInfo& info) {
  const size_t m = get_size(info, 0, "m"), n = get_size(info, 1, "n");
  const size_t mn = checked_mul(info.Env(), m, n);
  const float eps = get_eps(info, 2);
  const float* x = get_f32(info, 3, "x", mn);
  const float* gamma = get_f32_opt(info, 4, "gamma", n);
  const float* beta = get_f32_opt(info, 5, "beta", n);
  const float* rm = get_f32(info, 6, "runningMean", n);
  const float* rv = get_f32(info, 7, "runningVar", n);
  float* y = get_f32(info, 8, "y", mn);
  batchnorm().forward_infer(m, n, eps, x, gamma, beta, rm, rv, y);
  return info[8];
}

// batchNormBackward(m, n, x, dy, gamma?, saveMean, saveInvStd, dx, dgamma?, dbeta?) -> dx
Napi::Value Backward(const Napi::CallbackInfo& info) {
  const size_t m = get_rows(info), n = get_size(info, 1, "n");
  const size_t mn = checked_mul(info.Env(), m, n);
  const float* x = get_f32(info, 2, "x", mn);
  const float* dy = get_f32(info, 3, "dy", mn);
  const float* gamma = get_f32_opt(info, 4, "gamma", n);
  const float* sm = get_f32(info, 5, "saveMean", n);
  const float* si = get_f32(info, 6, "saveInvStd", n);
  float* dx = get_f32(info, 7, "dx", mn);
  float* dg = get_f32_opt(info, 8, "dgamma", n);
  float* db = get_f32_opt(info, 9, "dbeta", n);
  batchnorm().backward(m, n, x, dy, gamma, sm, si, dx, dg, db);
  return info[7];
}

void RegisterBatchNorm(Napi::Env env, Napi::Object exports) {
  set_function<ForwardTrain>(env, exports, "batchNormForwardTrain");
  set_function<ForwardInfer>(env, exports, "batchNormForwardInfer");
  set_function<Backward>(env, exports, "batchNormBackward");
}

}  // namespace
}  // namespace simdnet::addon

SIMDNET_ADDON_EXPORTS(simdnet::addon::RegisterBatchNorm)
