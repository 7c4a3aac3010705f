// Bindings for depthwise 2-D convolution with channel multiplier 1 over NHWC float32 tensors (kernels/depthwise,
// drivers in dispatch/depthwise.cc; the tfjs backend's DepthwiseConv2dNative and its two backprops, lib/tfjs/
// depthwise.ts):
//   depthwiseConv2d(G..., x, w, y)   depthwiseBackpropInput(G..., dy, w, dx)   depthwiseBackpropFilter(G..., x, dy, dw)
// where G... is the geometry as 12 sizes, in ops-pool.cc's order: batch, inHeight, inWidth, channels, outHeight,
// outWidth, filterHeight, filterWidth, strideHeight, strideWidth, padTop, padLeft. x and dx have
// batch*inHeight*inWidth*channels elements, y and dy batch*outHeight*outWidth*channels, w and dw
// filterHeight*filterWidth*channels. Filters and strides must be >= 1 and outSize*stride + filter + pad < 2^61 along
// each axis. Every argument is checked (args.h); outputs are written in full; returns the output array.
#include <napi.h>

#include <cstddef>
#include <string>

#include "addon/args.h"
#include "addon/registry.h"
#include "kernels/depthwise/depthwise.h"

namespace simdnet::addon {
namespace {

constexpr size_t kGeometryArgs = 12;

struct Sizes {
  size_t x, y, w;
};

void require(Napi::Env env, bool ok, const std::string& msg) {
  if (!ok) throw_range_error(env, "SIMDNET_INVALID_ARGUMENT", msg);
}

Dw2d get_geometry(const Napi::CallbackInfo& info, Sizes* s) {
  Napi::Env env = info.Env();
  Dw2d g{};
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
  constexpr double kAxisLimit = 2305843009213693952.0;  // 2^61: window arithmetic stays inside int64
  require(env,
          static_cast<double>(g.out_h) * static_cast<double>(g.stride_h) + static_cast<double>(g.filter_h) +
                      static_cast<double>(g.pad_top) < kAxisLimit &&
              static_cast<double>(g.out_w) * static_cast<double>(g.stride_w) + static_cast<double>(g.filter_w) +
                      static_cast<double>(g.pad_left) < kAxisLimit,
          "Expected outSize*stride + filter + pad < 2^61 along each axis");
  s->x = checked_mul(env, checked_mul(env, checked_mul(env, g.batch, g.in_h), g.in_w), g.channels);
  s->y = checked_mul(env, checked_mul(env, checked_mul(env, g.batch, g.out_h), g.out_w), g.channels);
  s->w = checked_mul(env, checked_mul(env, g.filter_h, g.filter_w), g.channels);
  return g;
}

Napi::Value DepthwiseConv2d(const Napi::CallbackInfo& info) {
  Sizes s{};
  const Dw2d g = get_geometry(info, &s);
  const float* x = get_f32(info, kGeometryArgs, "x", s.x);
  const float* w = get_f32(info, kGeometryArgs + 1, "w", s.w);
  float* y = get_f32(info, kGeometryArgs + 2, "y", s.y);
  depthwise_forward(g, x, w, y);
  return info[kGeometryArgs + 2];
}

Napi::Value DepthwiseBackpropInput(const Napi::CallbackInfo& info) {
  Sizes s{};
  const Dw2d g = get_geometry(info, &s);
  const float* dy = get_f32(info, kGeometryArgs, "dy", s.y);
  const float* w = get_f32(info, kGeometryArgs + 1, "w", s.w);
  float* dx = get_f32(info, kGeometryArgs + 2, "dx", s.x);
  depthwise_backprop_input(g, dy, w, dx);
  return info[kGeometryArgs + 2];
}

Napi::Value DepthwiseBackpropFilter(const Napi::CallbackInfo& info) {
  Sizes s{};
  const Dw2d g = get_geometry(info, &s);
  const float* x = get_f32(info, kGeometryArgs, "x", s.x);
  const float* dy = get_f32(info, kGeometryArgs + 1, "dy", s.y);
  float* dw = get_f32(info, kGeometryArgs + 2, "dw", s.w);
  depthwise_backprop_filter(g, x, dy, dw);
  return info[kGeometryArgs + 2];
}

void RegisterDepthwise(Napi::Env env, Napi::Object exports) {
  set_function<DepthwiseConv2d>(env, exports, "depthwiseConv2d");
  set_function<DepthwiseBackpropInput>(env, exports, "depthwiseBackpropInput");
  set_function<DepthwiseBackpropFilter>(env, exports, "depthwiseBackpropFilter");
}

}  // namespace
}  // namespace simdnet::addon

SIMDNET_ADDON_EXPORTS(simdnet::addon::RegisterDepthwise)
