// Dispatched depthwise-convolution table (select.h) and the whole-tensor drivers of depthwise.h: the current ISA's
// kernels over every row (forward: batch*out_h output rows; input gradient: batch*in_h input rows) or tap (filter
// gradient: filter_h*filter_w taps), split into contiguous ranges on the thread pool when the work pays for the
// hand-off (the same threshold as dispatch/pool.cc). Results do not depend on the split: each element's sum is formed
// in one place, in order.
#include <algorithm>
#include <cstddef>

#include "dispatch/select.h"
#include "kernels/depthwise/depthwise.h"
#include "runtime/threadpool.h"

namespace simdnet {

const DepthwiseKernels& depthwise() {
  return select_table(scalar::depthwise_kernels, SIMDNET_AVX2_TABLE(depthwise_kernels),
                      SIMDNET_NEON_TABLE(depthwise_kernels), SIMDNET_AVX512_TABLE(depthwise_kernels));
}

namespace {

constexpr double kMinWorkPerThread = 1 << 17;  // multiply-adds per thread (dispatch/pool.cc has the measurement)

template <class Fn>
void run_ranges(size_t n, double work, const Fn& fn) {
  if (n == 0) return;
  size_t t = std::min(get_threads(), n);
  t = std::min(t, static_cast<size_t>(std::max(1.0, work / kMinWorkPerThread)));
  if (t <= 1) {
    fn(0, n);
    return;
  }
  parallel_for(n, [&](size_t begin, size_t end, size_t) { if (begin < end) fn(begin, end); }, t);
}

size_t out_size(const Dw2d& g) { return g.batch * g.out_h * g.out_w * g.channels; }

double macs(const Dw2d& g) {
  return static_cast<double>(out_size(g)) * static_cast<double>(g.filter_h) * static_cast<double>(g.filter_w);
}

}  // namespace

void depthwise_forward(const Dw2d& g, const float* x, const float* w, float* y) {
  if (out_size(g) == 0) return;
  const DepthwiseKernels& k = depthwise();
  run_ranges(g.batch * g.out_h, macs(g), [&](size_t r0, size_t r1) { k.forward_rows(g, r0, r1, x, w, y); });
}

void depthwise_backprop_input(const Dw2d& g, const float* dy, const float* w, float* dx) {
  const size_t xs = g.batch * g.in_h * g.in_w * g.channels;
  if (xs == 0) return;
  if (out_size(g) == 0) {  // no windows: every gradient is 0 (and the kernel's column walk expects outputs)
    std::fill(dx, dx + xs, 0.0f);
    return;
  }
  const DepthwiseKernels& k = depthwise();
  run_ranges(g.batch * g.in_h, macs(g), [&](size_t r0, size_t r1) { k.input_rows(g, r0, r1, dy, w, dx); });
}

void depthwise_backprop_filter(const Dw2d& g, const float* x, const float* dy, float* dw) {
  const size_t taps = g.filter_h * g.filter_w, ws = taps * g.channels;
  if (ws == 0) return;
  if (out_size(g) == 0) {
    std::fill(dw, dw + ws, 0.0f);
    return;
  }
  const DepthwiseKernels& k = depthwise();
  run_ranges(taps, macs(g), [&](size_t t0, size_t t1) { k.filter_taps(g, t0, t1, x, dy, dw); });
}

}  // namespace simdnet
