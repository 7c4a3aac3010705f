// Bindings for the row softmax (kernels/softmax/softmax.h):
//   softmaxForward(m, n, temperature, x, y)      softmaxBackward(m, n, temperature, y, dy, dx)
// temperature must be a finite positive float.
#include <napi.h>

#include <cmath>

#include "addon/args.h"
#include "addon/registry.h"
#include "kernels/softmax/softmax.h"

namespace simdnet::addon {
namespace {

float get_temperature(const Napi::CallbackInfo& info, size_t i) {
  const float f = get_float(info, i, "temperature");
  if (!(f > 0.0f) || !std::isfinite(1.0f / f))
    throw_range_error(info.Env(), "SIMDNET_INVALID_ARGUMENT", "Expected a positive float for temperature");
  return f;
}

Napi::Value SoftmaxForward(const Napi::CallbackInfo& info) {
  const size_t m = get_size(info, 0, "m"), n = get_size(info, 1, "n");
  const float temp = get_temperature(info, 2);
  const size_t len = checked_mul(info.Env(), m, n);
  const float* x = get_f32(info, 3, "x", len);
  float* y = get_f32(info, 4, "y", len);
  if (n != 0) softmax().forward(m, n, temp, x, y);  // n == 0: nothing to do, however many empty rows
  return info[4];
}

Napi::Value SoftmaxBackward(const Napi::CallbackInfo& info) {
  const size_t m = get_size(info, 0, "m"), n = get_size(info, 1, "n");
  const float temp = get_temperature(info, 2);
  const size_t len = checked_mul(info.Env(), m, n);
  const float* y = get_f32(info, 3, "y", len);
  const float* dy = get_f32(info, 4, "dy", len);
  float* dx = get_f32(info, 5, "dx", len);
  if (n != 0) softmax().backward(m, n, temp, y, dy, dx);
  return info[5];
}

void RegisterSoftmax(Napi::Env env, Napi::Object exports) {
  set_function<SoftmaxForward>(env, exports, "softmaxForward");
  set_function<SoftmaxBackward>(env, exports, "softmaxBackward");
}

}  // namespace
}  // namespace simdnet::addon

SIMDNET_ADDON_EXPORTS(simdnet::addon::RegisterSoftmax)
