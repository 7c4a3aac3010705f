// Bindings for the activation kernels (kernels/vunary/vunary.h):
//   activationForward(kind, alpha, n, x, y)            kind: 'linear' | 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu'
//   activationBackward(kind, alpha, n, x, y, dy, dx)
// Every argument is checked (args.h); lengths are element counts of the views (offsets already applied).
#include <napi.h>

#include <cmath>
#include <string>

#include "addon/args.h"
#include "addon/registry.h"
#include "kernels/vunary/vunary.h"

namespace simdnet::addon {
namespace {

Act get_act(const Napi::CallbackInfo& info, size_t i) {
  const std::string s = get_string(info, i, "kind");
  if (s == "linear") return Act::linear;
  if (s == "sigmoid") return Act::sigmoid;
  if (s == "tanh") return Act::tanh;
  if (s == "relu") return Act::relu;
  if (s == "leakyRelu") return Act::leaky_relu;
  throw_type_error(info.Env(), "SIMDNET_INVALID_ARGUMENT",
                   "Expected one of linear, sigmoid, tanh, relu, leakyRelu for kind but received '" + s + "'");
}

Napi::Value ActivationForward(const Napi::CallbackInfo& info) {
  const Act act = get_act(info, 0);
  const float alpha = get_float(info, 1, "alpha");
  const size_t n = get_size(info, 2, "n");
  const float* x = get_f32(info, 3, "x", n);
  float* y = get_f32(info, 4, "y", n);
  vunary().forward(act, alpha, n, x, y);
  return info[4];
}

Napi::Value ActivationBackward(const Napi::CallbackInfo& info) {
  const Act act = get_act(info, 0);
  const float alpha = get_float(info, 1, "alpha");
  const size_t n = get_size(info, 2, "n");
  const float* x = get_f32(info, 3, "x", n);
  const float* y = get_f32(info, 4, "y", n);
  const float* dy = get_f32(info, 5, "dy", n);
  float* dx = get_f32(info, 6, "dx", n);
  vunary().backward(act, alpha, n, x, y, dy, dx);
  return info[6];
}

void RegisterVunary(Napi::Env env, Napi::Object exports) {
  set_function<ActivationForward>(env, exports, "activationForward");
  set_function<ActivationBackward>(env, exports, "activationBackward");
}

}  // namespace
}  // namespace simdnet::addon

SIMDNET_ADDON_EXPORTS(simdnet::addon::RegisterVunary)
