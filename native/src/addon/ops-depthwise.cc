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

#include "addon/args.h"
#include "addon/registry.h"
#include "addon/window-args.h"
#include "kernels/depthwise/depthwise.h"

namespace simdnet::addon {
namespace {

constexpr size_t kGeometryArgs = kWindowArgs;

struct Sizes {
  size_t x, y, w;
};

// The shared window geometry (addon/window-args.cc), and the filter's element count.
Dw2d get_geometry(const Napi::CallbackInfo& info, Sizes* s) {
  const Dw2d g = read_window2d(info, &s->x, &s->y);
  s->w = checked_mul(info.Env(), checked_mul(info.Env(), g.filter_h, g.filter_w), g.channels);
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
