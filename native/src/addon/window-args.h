// The geometry arguments of the windowed kernel bindings (ops-pool.cc, ops-depthwise.cc): 12 positional sizes,
// batch, inHeight, inWidth, channels, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth,
// padTop, padLeft (positional numbers: one N-API call each, where reading an object's 12 properties would cost more
// than a small pooling layer), then the tensors.
#pragma once
#include <napi.h>

#include <cstddef>

#include "kernels/window2d.h"

namespace simdnet::addon {

constexpr size_t kWindowArgs = 12;

// Arguments 0..11, checked: filters and strides >= 1, and out*stride + filter + pad < 2^61 along each axis (the
// kernels' int64 window arithmetic); a RangeError SIMDNET_INVALID_ARGUMENT otherwise. x_elems / y_elems get the
// element counts of x (batch*inHeight*inWidth*channels) and y (batch*outHeight*outWidth*channels), overflow-checked.
Window2d read_window2d(const Napi::CallbackInfo& info, size_t* x_elems, size_t* y_elems);

}  // namespace simdnet::addon
