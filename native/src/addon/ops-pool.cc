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
#include <string>

#include "addon/args.h"
#include "addon/registry.h"
#include "kernels/pool/pool.h"

namespace simdnet::addon {
namespace {

constexpr size_t kGeometryArgs = 12;

void require(Napi::Env env, bool ok, const std::string& msg) {
  if (!ok) throw_range_error(env, "SIMDNET_INVALID_ARGUMENT", msg);
}

// The geometry from arguments 0..11, checked; xs / ys get the element counts of x and y.
Pool2d get_geometry(const Napi::CallbackInfo& info, size_t* xs, size_t* ys) {
  Napi::Env env = info.Env();
  Pool2d g{};
  g.batch = get_size(info, 0, "batch");
  g.in_h = get_size(info, 1, "inHeight");
  g.in_w = get_size(info, 2, "inWidth");
  g.channels = get_size(info, 3, "channels");
  g.out_h = get_size(info, 4, "outHeight");
  g.out_w = get_size(info, 5, "outWidth");
  g.filter_h = get_size(info, 6, "filterHeight");
  g.filter_w = get_size(info, 7, "filterWidth");
  g.stride_h = get_size(info, 8, "strideHeight");
  g.stride_w = get_size(info, 9, "strideWidth");
  g.pad_top = get_size(info, 10, "padTop");
  g.pad_left = get_size(info, 11, "padLeft");
  require(env, g.filter_h >= 1 && g.filter_w >= 1 && g.stride_h >= 1 && g.stride_w >= 1,
          "Expected filter sizes and strides >= 1");
  require(env, static_cast<double>(g.filter_h) * static_cast<double>(g.filter_w) < 16777216.0,
          "Expected filterHeight*filterWidth < 2^24");
  constexpr double kAxisLimit = 2305843009213693952.0;  // 2^61: window arithmetic stays inside int64
  require(env,
          static_cast<double>(g.out_h) * static_cast<double>(g.stride_h) + static_cast<double>(g.filter_h) +
                      static_cast<double>(g.pad_top) < kAxisLimit &&
              static_cast<double>(g.out_w) * static_cast<double>(g.stride_w) + static_cast<double>(g.filter_w) +
                      static_cast<double>(g.pad_left) < kAxisLimit,
          "Expected outSize*stride + filter + pad < 2^61 along each axis");
  *xs = checked_mul(env, checked_mul(env, checked_mul(env, g.batch, g.in_h), g.in_w), g.channels);
  *ys = checked_mul(env, checked_mul(env, checked_mul(env, g.batch, g.out_h), g.out_w), g.channels);
  return g;
}

Napi::Value MaxPool(const Napi::CallbackInfo& info) {
  size_t xs = 0, ys = 0;
  const Pool2d g = get_geometry(info, &xs, &ys);
  const float* x = get_f32(info, kGeometryArgs, "x", xs);
  float* y = get_f32(info, kGeometryArgs + 1, "y", ys);
  if (ys > 0) max_pool(g, x, y);
  return info[kGeometryArgs + 1];
}

Napi::Value AvgPool(const Napi::CallbackInfo& info) {
  size_t xs = 0, ys = 0;
  const Pool2d g = get_geometry(info, &xs, &ys);
  const float* x = get_f32(info, kGeometryArgs, "x", xs);
  float* y = get_f32(info, kGeometryArgs + 1, "y", ys);
  if (ys > 0) avg_pool(g, x, y);
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
  set_function<MaxPool>(env, exports, "maxPool");
  set_function<AvgPool>(env, exports, "avgPool");
  set_function<MaxPoolGrad>(env, exports, "maxPoolGrad");
  set_function<AvgPoolGrad>(env, exports, "avgPoolGrad");
}

}  // namespace
}  // namespace simdnet::addon

SIMDNET_ADDON_EXPORTS(simdnet::addon::RegisterPool)
