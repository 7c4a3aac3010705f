#include "addon/window-args.h"

#include "addon/args.h"

namespace simdnet::addon {

Window2d read_window2d(const Napi::CallbackInfo& info, size_t* x_elems, size_t* y_elems) {
  Napi::Env env = info.Env();
  Window2d g{};
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
  if (!(g.filter_h >= 1 && g.filter_w >= 1 && g.stride_h >= 1 && g.stride_w >= 1))
    throw_range_error(env, "SIMDNET_INVALID_ARGUMENT", "Expected filter sizes and strides >= 1");
  constexpr double kAxisLimit = 2305843009213693952.0;  // 2^61: window arithmetic stays inside int64
  const auto axis = [](size_t out, size_t stride, size_t filter, size_t pad) {
    return static_cast<double>(out) * static_cast<double>(stride) + static_cast<double>(filter) +
           static_cast<double>(pad);
  };
  if (!(axis(g.out_h, g.stride_h, g.filter_h, g.pad_top) < kAxisLimit &&
        axis(g.out_w, g.stride_w, g.filter_w, g.pad_left) < kAxisLimit))
    throw_range_error(env, "SIMDNET_INVALID_ARGUMENT", "Expected outSize*stride + filter + pad < 2^61 along each axis");
  *x_elems = checked_mul(env, checked_mul(env, checked_mul(env, g.batch, g.in_h), g.in_w), g.channels);
  *y_elems = checked_mul(env, checked_mul(env, checked_mul(env, g.batch, g.out_h), g.out_w), g.channels);
  return g;
}

}  // namespace simdnet::addon
