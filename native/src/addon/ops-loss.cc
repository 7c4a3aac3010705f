// Bindings for the losses (kernels/loss/loss.h); each returns the loss as a number and writes grad when it is a
// Float32Array (null/undefined skips it); each takes an optional trailing w, per-sample weights (Float32Array of m;
// null/undefined = unweighted):
//   lossMse(m, n, t, p, grad)                 lossBceProb(m, n, eps, t, p, grad)     lossBceLogits(m, n, t, z, grad)
//   lossCceProb(m, n, eps, t, p, grad)        lossSoftmaxCce(m, n, temperature, t, z, grad)
//   lossSparseSoftmaxCce(m, n, temperature, labels /* Int32Array of m */, z, grad)
//   lossElementwise(m, n, kind, param, t, p, w, grad)   kind: 'mae' | 'huber' | 'logCosh' | 'hinge' | 'squaredHinge' |
//                                       'kld' | 'poisson'; param: huber's delta (> 0) or the eps of kld/poisson
//                                       (in (0, 0.5)), ignored by the others; w: per-sample weights (Float32Array of
//                                       m) or null
// eps must lie in (0, 0.5); temperature must be a positive float.
#include <napi.h>

#include <cmath>
#include <string>

#include "addon/args.h"
#include "addon/registry.h"
#include "kernels/loss/loss.h"

namespace simdnet::addon {
namespace {

float get_eps(const Napi::CallbackInfo& info, size_t i) {
  const double e = get_double(info, i, "eps");
  if (!(e > 0.0 && e < 0.5)) throw_range_error(info.Env(), "SIMDNET_INVALID_ARGUMENT", "Expected eps in (0, 0.5)");
  return static_cast<float>(e);
}
float get_temperature(const Napi::CallbackInfo& info, size_t i) {
  const float f = get_float(info, i, "temperature");
  if (!(f > 0.0f) || !std::isfinite(1.0f / f))
    throw_range_error(info.Env(), "SIMDNET_INVALID_ARGUMENT", "Expected a positive float for temperature");
  return f;
}
size_t get_len(const Napi::CallbackInfo& info, size_t* m, size_t* n) {
  *m = get_size(info, 0, "m");
  *n = get_size(info, 1, "n");
  return checked_mul(info.Env(), *m, *n);
}

Napi::Value LossMse(const Napi::CallbackInfo& info) {
  size_t m, n;
  const size_t len = get_len(info, &m, &n);
  const float* t = get_f32(info, 2, "t", len);
  const float* p = get_f32(info, 3, "p", len);
  float* g = get_f32_opt(info, 4, "grad", len);
  const float* w = get_f32_opt(info, 5, "w", m);
  return Napi::Number::New(info.Env(), loss().mse(m, n, t, p, w, g));
}

Napi::Value LossBceProb(const Napi::CallbackInfo& info) {
  size_t m, n;
  const size_t len = get_len(info, &m, &n);
  const float eps = get_eps(info, 2);
  const float* t = get_f32(info, 3, "t", len);
  const float* p = get_f32(info, 4, "p", len);
  float* g = get_f32_opt(info, 5, "grad", len);
  const float* w = get_f32_opt(info, 6, "w", m);
  return Napi::Number::New(info.Env(), loss().bce_prob(m, n, eps, t, p, w, g));
}

Napi::Value LossBceLogits(const Napi::CallbackInfo& info) {
  size_t m, n;
  const size_t len = get_len(info, &m, &n);
  const float* t = get_f32(info, 2, "t", len);
  const float* z = get_f32(info, 3, "z", len);
  float* g = get_f32_opt(info, 4, "grad", len);
  const float* w = get_f32_opt(info, 5, "w", m);
  return Napi::Number::New(info.Env(), loss().bce_logits(m, n, t, z, w, g));
}

Napi::Value LossCceProb(const Napi::CallbackInfo& info) {
  size_t m, n;
  const size_t len = get_len(info, &m, &n);
  const float eps = get_eps(info, 2);
  const float* t = get_f32(info, 3, "t", len);
  const float* p = get_f32(info, 4, "p", len);
  float* g = get_f32_opt(info, 5, "grad", len);
  const float* w = get_f32_opt(info, 6, "w", m);
  return Napi::Number::New(info.Env(), loss().cce_prob(m, n, eps, t, p, w, g));
}

Napi::Value LossSoftmaxCce(const Napi::CallbackInfo& info) {
  size_t m, n;
  const size_t len = get_len(info, &m, &n);
  const float temp = get_temperature(info, 2);
  const float* t = get_f32(info, 3, "t", len);
  const float* z = get_f32(info, 4, "z", len);
  float* g = get_f32_opt(info, 5, "grad", len);
  const float* w = get_f32_opt(info, 6, "w", m);
  return Napi::Number::New(info.Env(), loss().softmax_cce(m, n, temp, t, z, w, g));
}

Napi::Value LossSparseSoftmaxCce(const Napi::CallbackInfo& info) {
  size_t m, n;
  const size_t len = get_len(info, &m, &n);
  const float temp = get_temperature(info, 2);
  const int32_t* labels = get_i32(info, 3, "labels", m);
  const float* z = get_f32(info, 4, "z", len);
  float* g = get_f32_opt(info, 5, "grad", len);
  const float* w = get_f32_opt(info, 6, "w", m);
  return Napi::Number::New(info.Env(), loss().sparse_softmax_cce(m, n, temp, labels, z, w, g));
}

Napi::Value LossElementwise(const Napi::CallbackInfo& info) {
  size_t m, n;
  const size_t len = get_len(info, &m, &n);
  static const char* const names[] = {"mae", "huber", "logCosh", "hinge", "squaredHinge", "kld", "poisson"};
  const std::string name = get_string(info, 2, "kind");
  size_t k = 0;
  while (k < 7 && name != names[k]) ++k;
  if (k == 7) throw_range_error(info.Env(), "SIMDNET_INVALID_ARGUMENT", "Unknown element-wise loss '" + name + "'");
  const ElemLoss kind = static_cast<ElemLoss>(k);
  float param = 0.0f;
  if (kind == ElemLoss::huber) {
    param = get_float(info, 3, "delta");
    if (!(param > 0.0f) || !std::isfinite(param))
      throw_range_error(info.Env(), "SIMDNET_INVALID_ARGUMENT", "Expected a positive finite delta");
  } else if (kind == ElemLoss::kld || kind == ElemLoss::poisson) {
    param = get_eps(info, 3);
  }
  const float* t = get_f32(info, 4, "t", len);
  const float* p = get_f32(info, 5, "p", len);
  const float* w = get_f32_opt(info, 6, "w", m);
  float* g = get_f32_opt(info, 7, "grad", len);
  return Napi::Number::New(info.Env(), loss().elementwise(kind, m, n, param, t, p, w, g));
}

void RegisterLoss(Napi::Env env, Napi::Object exports) {
  set_function<LossMse>(env, exports, "lossMse");
  set_function<LossBceProb>(env, exports, "lossBceProb");
  set_function<LossBceLogits>(env, exports, "lossBceLogits");
  set_function<LossCceProb>(env, exports, "lossCceProb");
  set_function<LossSoftmaxCce>(env, exports, "lossSoftmaxCce");
  set_function<LossSparseSoftmaxCce>(env, exports, "lossSparseSoftmaxCce");
  set_function<LossElementwise>(env, exports, "lossElementwise");
}

}  // namespace
}  // namespace simdnet::addon

SIMDNET_ADDON_EXPORTS(simdnet::addon::RegisterLoss)
