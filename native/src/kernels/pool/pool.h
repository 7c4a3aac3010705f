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

#include "simd/isa-tables.h"

namespace simdnet {

struct Pool2d {
  size_t batch, in_h, in_w, channels, out_h, out_w;
  size_t filter_h, filter_w, stride_h, stride_w, pad_top, pad_left;
};

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

namespace pool_geometry {

// A half-open index range.
struct Span {
  size_t lo, hi;
};

// The input indices [lo, hi) of output o's window along one axis, clipped to [0, in).
static inline Span window(size_t o, size_t stride, size_t pad, size_t filter, size_t in) {
  const int64_t start = static_cast<int64_t>(o * stride) - static_cast<int64_t>(pad);
  const int64_t end = start + static_cast<int64_t>(filter);
  const int64_t lo = start < 0 ? 0 : start, hi = end < static_cast<int64_t>(in) ? end : static_cast<int64_t>(in);
  return hi <= lo ? Span{0, 0} : Span{static_cast<size_t>(lo), static_cast<size_t>(hi)};
}

// The outputs [lo, hi) whose (unclipped) window contains input index i along one axis:
// o*stride - pad <= i < o*stride - pad + filter, 0 <= o < out.
static inline Span covering(size_t i, size_t stride, size_t pad, size_t filter, size_t out) {
  const int64_t t = static_cast<int64_t>(i + pad), s = static_cast<int64_t>(stride);
  const int64_t u = t - static_cast<int64_t>(filter) + 1;
  const int64_t lo = u <= 0 ? 0 : (u + s - 1) / s;
  const int64_t last = t / s + 1;
  const int64_t hi = last < static_cast<int64_t>(out) ? last : static_cast<int64_t>(out);
  return hi <= lo ? Span{0, 0} : Span{static_cast<size_t>(lo), static_cast<size_t>(hi)};
}

// covering() for input indices 0, 1, 2, ... in turn without divisions (the spans only move forward): start with
// Span{0, 0} and call advance(&span, i, ...) for each i in increasing order.
static inline void advance(Span* s, size_t i, size_t stride, size_t pad, size_t filter, size_t out) {
  const size_t t = i + pad;  // output o covers i when o*stride <= t < o*stride + filter
  while (s->lo < out && s->lo * stride + filter <= t) ++s->lo;
  if (s->hi < s->lo) s->hi = s->lo;
  while (s->hi < out && s->hi * stride <= t) ++s->hi;
}

}  // namespace pool_geometry
}  // namespace simdnet
