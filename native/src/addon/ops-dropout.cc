// Bindings for inverted dropout (kernels/dropout/dropout.h). Arguments checked with args.h; seed/stream/offset are
// integers in [0, 2^53], and offset + n <= 2^53 as in the public API: the kernel's 64-bit counter would go further,
// but the TS twin counts in JS numbers, and past 2^53 it could not reproduce the mask.
#include <napi.h>

#include <cmath>
#include <string>

#include "addon/args.h"
#include "addon/registry.h"
#include "kernels/dropout/dropout.h"

namespace simdnet::addon {
namespace {

float get_rate(const Napi::CallbackInfo& info, size_t i) {
  const double r = get_double(info, i, "rate");
  // rate < 1 in float32 too (0.99999999 would round to 1 and divide by zero)
  if (!(r >= 0.0 && r < 1.0) || !(static_cast<float>(r) < 1.0f))
    throw_range_error(info.Env(), "SIMDNET_INVALID_ARGUMENT",
                      "Expected rate in [0, 1) but received " + std::to_string(r));
  return static_cast<float>(r);
}

// dropoutForward(n, rate, seed, stream, offset, x, y, mask) -> y
Napi::Value DropoutForward(const Napi::CallbackInfo& info) {
  const size_t n = get_size(info, 0, "n");
  const float rate = get_rate(info, 1);
  const uint64_t seed = get_u53(info, 2, "seed"), stream = get_u53(info, 3, "stream"), offset = get_u53(info, 4, "offset");
  if (offset > (uint64_t(1) << 53) - n)
    throw_range_error(info.Env(), "SIMDNET_INVALID_ARGUMENT",
                      "Expected offset + n <= 2^53 but received " + std::to_string(offset) + " + " + std::to_string(n));
  const float* x = get_f32(info, 5, "x", n);
  float* y = get_f32(info, 6, "y", n);
  uint8_t* mask = get_u8(info, 7, "mask", n);
  dropout().forward(n, rate, seed, stream, offset, x, y, mask);
  return info[6];
}

// dropoutBackward(n, rate, mask, dy, dx) -> dx
Napi::Value DropoutBackward(const Napi::CallbackInfo& info) {
  const size_t n = get_size(info, 0, "n");
  const float rate = get_rate(info, 1);
  const uint8_t* mask = get_u8(info, 2, "mask", n);
  const float* dy = get_f32(info, 3, "dy", n);
  float* dx = get_f32(info, 4, "dx", n);
  dropout().backward(n, rate, mask, dy, dx);
  return info[4];
}

void RegisterDropout(Napi::Env env, Napi::Object exports) {
  set_function<DropoutForward>(env, exports, "dropoutForward");
  set_function<DropoutBackward>(env, exports, "dropoutBackward");
}

}  // namespace
}  // namespace simdnet::addon

SIMDNET_ADDON_EXPORTS(simdnet::addon::RegisterDropout)
