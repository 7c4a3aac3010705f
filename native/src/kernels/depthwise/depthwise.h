// Depthwise 2-D convolution with channel multiplier 1 over NHWC float32 tensors, forward and both gradients (the
// tfjs backend's DepthwiseConv2dNative, DepthwiseConv2dNativeBackpropInput and ...BackpropFilter; contract shared by
// every ISA).
//
// Geometry (Dw2d), in elements: x and dx are batch x in_h x in_w x channels; y and dy batch x out_h x out_w x
// channels; the filter w and dw filter_h x filter_w x channels (tfjs's [fh, fw, C, 1]). Dilation 1. Output (oy, ox)
// reads input rows oy*stride_h - pad_top + wr for wr < filter_h (and the matching columns); taps outside the input
// are skipped (zero padding).
//
//   forward_rows  y[o, c] = the taps in row-major order, each added as tfjs-backend-cpu's JS does it: the float32
//                 running sum plus the exact double product x*w, rounded to double, then stored to float32 (so every
//                 step rounds twice, as the JS store into a Float32Array does). Bit for bit the CPU kernel's result.
//   input_rows    dx[i, c] = sum in double, over the outputs whose window holds i in ascending output order, of
//                 dy * w[the tap that maps that output to i] (exact double products), rounded once.
//   filter_taps   dw[tap, c] = sum in double, over batch, out rows, out columns in that order, of x * dy at the
//                 input position the tap maps each output to (skipping those in the padding), rounded once.
// These are tfjs-backend-cpu's loops (DepthwiseConv2dNative*.js), bit for bit: the double sums add the same terms in
// the same order. Exception: subnormal inputs and results flush to zero under the addon's FTZ/DAZ guard.
//
// Ranges: forward_rows writes output rows [row0, row1) of the batch*out_h rows, input_rows input rows [row0, row1)
// of the batch*in_h rows, filter_taps taps [tap0, tap1) of the filter_h*filter_w taps (every channel of each); ranges
// never overlap in what they write. No aliasing between inputs and outputs; no alignment assumed; nothing read or
// written outside the tensors. input_rows walks the output columns once per input row: it expects a non-empty y.
#pragma once
#include <cstddef>
#include <cstdint>

#include "kernels/window2d.h"
#include "simd/isa-tables.h"

namespace simdnet {

using Dw2d = Window2d;  // kernels/window2d.h

struct DepthwiseKernels {
  void (*forward_rows)(const Dw2d& g, size_t row0, size_t row1, const float* x, const float* w, float* y);
  void (*input_rows)(const Dw2d& g, size_t row0, size_t row1, const float* dy, const float* w, float* dx);
  void (*filter_taps)(const Dw2d& g, size_t tap0, size_t tap1, const float* x, const float* dy, float* dw);
};

SIMDNET_ISA_TABLES(DepthwiseKernels, depthwise_kernels)  // scalar::, avx2::, avx512::, neon::depthwise_kernels

const DepthwiseKernels& depthwise();  // dispatched table (dispatch/depthwise.cc)

// Whole-tensor drivers (dispatch/depthwise.cc): the dispatched kernels over every row or tap, split over the thread
// pool when the work is large. Empty outputs give zero gradients.
void depthwise_forward(const Dw2d& g, const float* x, const float* w, float* y);
void depthwise_backprop_input(const Dw2d& g, const float* dy, const float* w, float* dx);
void depthwise_backprop_filter(const Dw2d& g, const float* x, const float* dy, float* dw);

}  // namespace simdnet
