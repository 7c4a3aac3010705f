// Bindings for the optimizer steps (kernels/optim/optim.h). Argument order = lib/kernels/native/optim.ts, which
// flattens AdamArgs. Every argument is checked (args.h): sizes, finite float32 hyper-parameters, Float32Array
// lengths (view offsets included), detached buffers, and the state buffers an option needs.
#include <napi.h>

#include <cmath>
#include <string>

#include "addon/args.h"
#include "addon/registry.h"
#include "kernels/optim/optim.h"

namespace simdnet::addon {
namespace {

// A finite number within [lo, hi] (kept in double: Adam's betas).
double get_d(const Napi::CallbackInfo& info, size_t i, const char* name, double lo, double hi) {
  const double d = get_double(info, i, name);
  if (d < lo || d > hi)
    throw_range_error(info.Env(), "SIMDNET_INVALID_ARGUMENT",
                      std::string("Expected ") + name + " in [" + std::to_string(lo) + ", " + std::to_string(hi) +
                          "] (finite in float32) but received " + std::to_string(d));
  return d;
}

// A finite number that stays finite in float32, optionally within [lo, hi].
float get_f(const Napi::CallbackInfo& info, size_t i, const char* name, double lo = -HUGE_VAL, double hi = HUGE_VAL) {
  return to_float(info.Env(), get_d(info, i, name, lo, hi), name);
}

[[noreturn]] void missing(Napi::Env env, const std::string& what) {
  throw_type_error(env, "SIMDNET_INVALID_ARGUMENT", what);
}

// sgd(n, lr, wd, w, g)
Napi::Value Sgd(const Napi::CallbackInfo& info) {
  const size_t n = get_size(info, 0, "n");
  const float lr = get_f(info, 1, "lr"), wd = get_f(info, 2, "wd");
  float* w = get_f32(info, 3, "w", n);
  const float* g = get_f32(info, 4, "g", n);
  optim().sgd(n, lr, wd, w, g);
  return info.Env().Undefined();
}

// momentum(n, lr, mu, dampening, wd, nesterov, firstStep, w, g, buf)
Napi::Value Momentum(const Napi::CallbackInfo& info) {
  const size_t n = get_size(info, 0, "n");
  const float lr = get_f(info, 1, "lr"), mu = get_f(info, 2, "mu"), damp = get_f(info, 3, "dampening"),
              wd = get_f(info, 4, "wd");
  const bool nesterov = get_bool(info, 5, "nesterov"), first = get_bool(info, 6, "firstStep");
  float* w = get_f32(info, 7, "w", n);
  const float* g = get_f32(info, 8, "g", n);
  float* buf = get_f32(info, 9, "buf", n);
  optim().momentum(n, lr, mu, damp, wd, nesterov, first, w, g, buf);
  return info.Env().Undefined();
}

// adagrad(n, lr, eps, wd, w, g, sumSq)
Napi::Value Adagrad(const Napi::CallbackInfo& info) {
  const size_t n = get_size(info, 0, "n");
  const float lr = get_f(info, 1, "lr"), eps = get_f(info, 2, "eps", 0.0), wd = get_f(info, 3, "wd");
  float* w = get_f32(info, 4, "w", n);
  const float* g = get_f32(info, 5, "g", n);
  float* s = get_f32(info, 6, "sumSq", n);
  optim().adagrad(n, lr, eps, wd, w, g, s);
  return info.Env().Undefined();
}

// rmsprop(n, lr, rho, eps, wd, momentum, centered, w, g, sqAvg, gradAvg|null, buf|null)
Napi::Value Rmsprop(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t n = get_size(info, 0, "n");
  const float lr = get_f(info, 1, "lr"), rho = get_f(info, 2, "rho", 0.0, 1.0), eps = get_f(info, 3, "eps", 0.0),
              wd = get_f(info, 4, "wd"), mom = get_f(info, 5, "momentum", 0.0);
  const bool centered = get_bool(info, 6, "centered");
  float* w = get_f32(info, 7, "w", n);
  const float* g = get_f32(info, 8, "g", n);
  float* sq = get_f32(info, 9, "sqAvg", n);
  float* ga = get_f32_opt(info, 10, "gradAvg", n);
  float* buf = get_f32_opt(info, 11, "buf", n);
  if (centered && !ga) missing(env, "centered rmsprop needs gradAvg (a Float32Array)");
  if (mom > 0.0f && !buf) missing(env, "rmsprop with momentum > 0 needs buf (a Float32Array)");
  optim().rmsprop(n, lr, rho, eps, wd, mom, centered, w, g, sq, ga, buf);
  return env.Undefined();
}

// adam(n, lr, beta1, beta2, eps, weightDecay, bc1, bc2, amsgrad, decoupled, w, g, m, v, vmax|null)
Napi::Value Adam(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t n = get_size(info, 0, "n");
  AdamArgs a;
  a.lr = get_f(info, 1, "lr");
  a.beta1 = get_d(info, 2, "beta1", 0.0, 1.0);
  a.beta2 = get_d(info, 3, "beta2", 0.0, 1.0);
  a.eps = get_f(info, 4, "eps", 0.0);
  a.weight_decay = get_f(info, 5, "weightDecay");
  a.bc1 = get_f(info, 6, "bc1", 0.0, 1.0);
  a.bc2 = get_f(info, 7, "bc2", 0.0, 1.0);
  if (!(a.bc1 > 0.0f) || !(a.bc2 > 0.0f))
    throw_range_error(env, "SIMDNET_INVALID_ARGUMENT", "bias corrections bc1, bc2 must be in (0, 1]");
  a.amsgrad = get_bool(info, 8, "amsgrad");
  a.decoupled = get_bool(info, 9, "decoupled");
  float* w = get_f32(info, 10, "w", n);
  const float* g = get_f32(info, 11, "g", n);
  float* m = get_f32(info, 12, "m", n);
  float* v = get_f32(info, 13, "v", n);
  float* vmax = get_f32_opt(info, 14, "vmax", n);
  if (a.amsgrad && !vmax) missing(env, "amsgrad needs vmax (a Float32Array)");
  optim().adam(n, a, w, g, m, v, vmax);
  return env.Undefined();
}

// addPenaltyGrad(n, l1, l2, w, g)
Napi::Value AddPenaltyGrad(const Napi::CallbackInfo& info) {
  const size_t n = get_size(info, 0, "n");
  const float l1 = get_f(info, 1, "l1", 0.0), l2 = get_f(info, 2, "l2", 0.0);
  const float* w = get_f32(info, 3, "w", n);
  float* g = get_f32(info, 4, "g", n);
  optim().add_penalty_grad(n, l1, l2, w, g);
  return info.Env().Undefined();
}

// penaltyValue(n, l1, l2, w) -> number
Napi::Value PenaltyValue(const Napi::CallbackInfo& info) {
  const size_t n = get_size(info, 0, "n");
  const float l1 = get_f(info, 1, "l1", 0.0), l2 = get_f(info, 2, "l2", 0.0);
  const float* w = get_f32(info, 3, "w", n);
  return Napi::Number::New(info.Env(), optim().penalty_value(n, l1, l2, w));
}

// clipValue(n, clip, g)
Napi::Value ClipValue(const Napi::CallbackInfo& info) {
  const size_t n = get_size(info, 0, "n");
  const float c = get_f(info, 1, "clip", 0.0);
  float* g = get_f32(info, 2, "g", n);
  optim().clip_value(n, c, g);
  return info.Env().Undefined();
}

// scaleInplace(n, s, x)
Napi::Value ScaleInplace(const Napi::CallbackInfo& info) {
  const size_t n = get_size(info, 0, "n");
  const float s = get_f(info, 1, "s");
  float* x = get_f32(info, 2, "x", n);
  optim().scale_inplace(n, s, x);
  return info.Env().Undefined();
}

void RegisterOptim(Napi::Env env, Napi::Object exports) {
  set_function<Sgd>(env, exports, "sgd");
  set_function<Momentum>(env, exports, "momentum");
  set_function<Adagrad>(env, exports, "adagrad");
  set_function<Rmsprop>(env, exports, "rmsprop");
  set_function<Adam>(env, exports, "adam");
  set_function<AddPenaltyGrad>(env, exports, "addPenaltyGrad");
  set_function<PenaltyValue>(env, exports, "penaltyValue");
  set_function<ClipValue>(env, exports, "clipValue");
  set_function<ScaleInplace>(env, exports, "scaleInplace");
}

}  // namespace
}  // namespace simdnet::addon

SIMDNET_ADDON_EXPORTS(simdnet::addon::RegisterOptim)
