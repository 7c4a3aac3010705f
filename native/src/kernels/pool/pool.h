// 2-D max and average pooling over NHWC float32 tensors, forward and gradient (the tfjs backend's MaxPool,
// MaxPoolGrad, AvgPool, AvgPoolGrad; contract shared by every ISA).
//
// Geometry (Pool2d), all in elements: x is batch x in_h x in_w x channels, y and dy are batch x out_h x out_w x
// channels, the channel axis innermost and contiguous. Output (oy, ox)'s window covers input rows
// [oy*stride_h - pad_top, oy*stride_h - pad_top + filter_h) and the matching columns, CLIPPED to the input: padding is
// never a candidate and never counted (backend_util.computePool2DInfo's geometry, no dilation). A window may be empty.
//
//   max_rows       y = the first value strictly greater than every earlier one in row-major window order, starting
//                  from -Infinity: NaN is never selected, an empty or all-NaN window gives -Infinity. pos (when not
//                  null) = that value's window position wr*filter_w + wc as a float, or -1 when nothing beat
//                  -Infinity (exact: the glue keeps filter_h*filter_w < 2^24). y may be null.
//   avg_rows       y = (sum of the in-bounds values, in double, row-major window order) / (their count), rounded
//                  once to float; an empty window gives 0/0 = NaN.
//   max_grad_rows  dx[i] = sum, in double, of dy over the windows whose pos points at i, in output order, rounded once
//                  (a NaN dy routed to i makes dx[i] NaN; a window with pos -1 routes nothing).
//   avg_grad_rows  dx[i] = (sum, in double, of dy over the windows containing i, in output order) * (1/(fh*fw)), the
//                  reciprocal of the FULL window size in double, rounded once.
// These are tfjs-backend-cpu's semantics and, as lib/tfjs/pool.ts's JS loops compute them, bit for bit: the double
// sums add the same values in the same order as that JS (each input gathers its windows in ascending output order,
// which is the order the JS scatter visits them). Exception: subnormal inputs and results flush to zero under the
// addon's FTZ/DAZ guard (JS keeps them), which also decides comparisons between a subnormal and zero.
//
// Rows: the forward kernels write output rows [row0, row1) of the batch*out_h rows; the gradient kernels write input
// rows [row0, row1) of the batch*in_h rows (every element of them, zero where no window routes anything). Ranges
// never overlap in what they write, so the drivers below run them on the thread pool. Kernels read x/pos/dy anywhere.
// The gradient kernels walk the output columns once per input row (no divisions), so they expect a non-empty output:
// with none, the drivers zero dx instead.
// No aliasing between inputs and outputs; no alignment assumed; no reads or writes outside the tensors.
// Sizes must keep out*stride + filter + pad below 2^62 along each axis (the glue checks it).
#pragma once
#include <cstddef>
#include <cstdint>

#include "kernels/window2d.h"
#include "simd/isa-tables.h"

namespace simdnet {

using Pool2d = Window2d;  // kernels/window2d.h

struct PoolKernels {
  void (*max_rows)(const Pool2d& g, size_t row0, size_t row1, const float* x, float* y, float* pos);
  void (*avg_rows)(const Pool2d& g, size_t row0, size_t row1, const float* x, float* y);
  void (*max_grad_rows)(const Pool2d& g, size_t row0, size_t row1, const float* pos, const float* dy, float* dx);
  void (*avg_grad_rows)(const Pool2d& g, size_t row0, size_t row1, const float* dy, float* dx);
};

SIMDNET_ISA_TABLES(PoolKernels, pool_kernels)  // scalar::, avx2::, avx512::, neon::pool_kernels

const PoolKernels& pool();  // dispatched table (dispatch/pool.cc)

// Whole-tensor drivers (dispatch/pool.cc): the dispatched kernels over all rows, split over the thread pool when the
// work is large. max_pool_grad computes the window positions into a scratch buffer of batch*out_h*out_w*channels
// floats first (throws std::bad_alloc when it cannot get one).
void max_pool(const Pool2d& g, const float* x, float* y);
void avg_pool(const Pool2d& g, const float* x, float* y);
void max_pool_grad(const Pool2d& g, const float* x, const float* dy, float* dx);
void avg_pool_grad(const Pool2d& g, const float* dy, float* dx);

}  // namespace simdnet
