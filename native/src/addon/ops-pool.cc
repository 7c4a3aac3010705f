// Bindings for 2-D pooling over NHWC float32 tensors (kernels/pool, drivers in dispatch/pool.cc; the tfjs backend's
// MaxPool, MaxPoolGrad, AvgPool, AvgPoolGrad and the public simdnet/kernels functions of lib/kernels/pool.ts):
//   maxPool(G..., x, y)            avgPool(G..., x, y)
//   maxPoolGrad(G..., x, dy, dx)   avgPoolGrad(G..., dy, dx)
// where G... is the geometry as 12 sizes: batch, inHeight, inWidth, channels, outHeight, outWidth, filterHeight,
// filterWidth, strideHeight, strideWidth, padTop, padLeft (positional numbers: one N-API call each, where reading an
// object's 12 properties would cost more than a small pooling layer). x and dx have batch*inHeight*inWidth*channels
// elements, y and dy batch*outHeight*outWidth*channels. Filters and strides must be >= 1, filterHeight*filterWidth
// < 2^24 (window positions travel as exact floats), and outSize*stride + filter + pad < 2^61 along each axis.
// Every argument is checked (args.h); outputs are written in full; returns the output array.
#include <napi.h>

#include <cstddef>
#include <new>

#include "addon/args.h"
#include "addon/registry.h"
#include "addon/window-args.h"
#include "kernels/pool/pool.h"

namespace simdnet::addon {
namespace {

constexpr size_t kGeometryArgs = kWindowArgs;

// The shared window geometry (addon/window-args.cc), plus pooling's own bound: window positions travel as exact
// floats, so filterHeight*filterWidth < 2^24.
Pool2d get_geometry(const Napi::CallbackInfo& info, size_t* xs, size_t* ys) {
  const Pool2d g = read_window2d(info, xs, ys);
  if (!(static_cast<double>(g.filter_h) * static_cast<double>(g.filter_w) < 16777216.0))
    throw_range_error(info.Env(), "SIMDNET_INVALID_ARGUMENT", "Expected filterHeight*filterWidth < 2^24");
  return g;
}

// maxPool / avgPool: (G..., x, y), the same arguments for either driver.
template <void (*Pool)(const Pool2d&, const float*, float*)>
Napi::Value Forward(const Napi::CallbackInfo& info) {
  size_t xs = 0, ys = 0;
  const Pool2d g = get_geometry(info, &xs, &ys);
  const float* x = get_f32(info, kGeometryArgs, "x", xs);
  float* y = get_f32(info, kGeometryArgs + 1, "y", ys);
  if (ys > 0) Pool(g, x, y);
  return info[kGeometryArgs + 1];
}

Napi::Value MaxPoolGrad(const Napi::CallbackInfo& info) {
  size_t xs = 0, ys = 0;
  const Pool2d g = get_geometry(info, &xs, &ys);
  const float* x = get_f32(info, kGeometryArgs, "x", xs);
  const float* dy = get_f32(info, kGeometryArgs + 1, "dy", ys);
  float* dx = get_f32(info, kGeometryArgs + 2, "dx", xs);
  if (xs > 0) {
    try {
      max_pool_grad(g, x, dy, dx);
    } catch (const std::bad_alloc&) {
      throw_range_error(info.Env(), "SIMDNET_OUT_OF_MEMORY",
                        "maxPoolGrad could not allocate " + std::to_string(ys) + " floats of window positions");
    }
  }
  return info[kGeometryArgs + 2];
}

Napi::Value AvgPoolGrad(const Napi::CallbackInfo& info) {
  size_t xs = 0, ys = 0;
  const Pool2d g = get_geometry(info, &xs, &ys);
  const float* dy = get_f32(info, kGeometryArgs, "dy", ys);
  float* dx = get_f32(info, kGeometryArgs + 1, "dx", xs);
  if (xs > 0) avg_pool_grad(g, dy, dx);
  return info[kGeometryArgs + 1];
}

void RegisterPool(Napi::Env env, Napi::Object exports) {
  set_function<Forward<max_pool>>(env, exports, "maxPool");
  set_function<Forward<avg_pool>>(env, exports, "avgPool");
  set_function<MaxPoolGrad>(env, exports, "maxPoolGrad");
  set_function<AvgPoolGrad>(env, exports, "avgPoolGrad");
}

}  // namespace
}  // namespace simdnet::addon

SIMDNET_ADDON_EXPORTS(simdnet::addon::RegisterPool)
