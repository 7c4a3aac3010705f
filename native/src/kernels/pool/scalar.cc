// 2-D pooling, scalar reference path (contract: pool.h): one channel at a time, the same loops as the SIMD source
// (pool-simd.inc) with plain float compares and double sums. The fallback on x86-64 CPUs without AVX2+FMA and the
// ground truth the SIMD paths are tested against (test/native/pool-test.cc, test/kernels/pool.test.ts).
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "kernels/pool/pool.h"

namespace simdnet::scalar {
namespace {

using window2d::advance;
using window2d::covering;
using window2d::Span;
using window2d::window;

void f32_maxpool_ukernel__scalar(const Pool2d& g, size_t row0, size_t row1, const float* x, float* y,
                                 float* pos) noexcept {
  const size_t C = g.channels;
  for (size_t row = row0; row < row1; ++row) {
    const size_t b = row / g.out_h, oy = row % g.out_h;
    const Span rs = window(oy, g.stride_h, g.pad_top, g.filter_h, g.in_h);
    const int64_t r0 = static_cast<int64_t>(oy * g.stride_h) - static_cast<int64_t>(g.pad_top);
    for (size_t ox = 0; ox < g.out_w; ++ox) {
      const Span cs = window(ox, g.stride_w, g.pad_left, g.filter_w, g.in_w);
      const int64_t c0 = static_cast<int64_t>(ox * g.stride_w) - static_cast<int64_t>(g.pad_left);
      const size_t o = (row * g.out_w + ox) * C;
      for (size_t c = 0; c < C; ++c) {
        float best = -INFINITY, at = -1.0f;
        for (size_t r = rs.lo; r < rs.hi; ++r)
          for (size_t col = cs.lo; col < cs.hi; ++col) {
            const float v = x[((b * g.in_h + r) * g.in_w + col) * C + c];
            if (v > best) {  // false for NaN: NaN is never selected
              best = v;
              at = static_cast<float>((static_cast<int64_t>(r) - r0) * static_cast<int64_t>(g.filter_w) +
                                      static_cast<int64_t>(col) - c0);
            }
          }
        if (y) y[o + c] = best;
        if (pos) pos[o + c] = at;
      }
    }
  }
}

void f32_avgpool_ukernel__scalar(const Pool2d& g, size_t row0, size_t row1, const float* x, float* y) noexcept {
  const size_t C = g.channels;
  for (size_t row = row0; row < row1; ++row) {
    const size_t b = row / g.out_h, oy = row % g.out_h;
    const Span rs = window(oy, g.stride_h, g.pad_top, g.filter_h, g.in_h);
    for (size_t ox = 0; ox < g.out_w; ++ox) {
      const Span cs = window(ox, g.stride_w, g.pad_left, g.filter_w, g.in_w);
      const double count = static_cast<double>((rs.hi - rs.lo) * (cs.hi - cs.lo));
      const size_t o = (row * g.out_w + ox) * C;
      for (size_t c = 0; c < C; ++c) {
        double acc = 0.0;
        for (size_t r = rs.lo; r < rs.hi; ++r)
          for (size_t col = cs.lo; col < cs.hi; ++col) acc += x[((b * g.in_h + r) * g.in_w + col) * C + c];
        y[o + c] = static_cast<float>(acc / count);
      }
    }
  }
}

// Both gradients gather, per input element, over the windows that hold it (window2d::sum_over_covering), which
// adds in the order the JS scatter of lib/tfjs/pool.ts does.
void f32_maxpool_grad_ukernel__scalar(const Pool2d& g, size_t row0, size_t row1, const float* pos, const float* dy,
                                      float* dx) noexcept {
  window2d::sum_over_covering(g, row0, row1, 1.0, dx, [&](size_t o, size_t tap, size_t c) {
    return pos[o + c] == static_cast<float>(tap) ? static_cast<double>(dy[o + c]) : 0.0;  // +0.0: exact no-op
  });
}

void f32_avgpool_grad_ukernel__scalar(const Pool2d& g, size_t row0, size_t row1, const float* dy,
                                      float* dx) noexcept {
  const double scale = 1.0 / static_cast<double>(g.filter_h * g.filter_w);
  window2d::sum_over_covering(g, row0, row1, scale, dx,
                              [&](size_t o, size_t, size_t c) { return static_cast<double>(dy[o + c]); });
}

}  // namespace

const PoolKernels pool_kernels = {f32_maxpool_ukernel__scalar, f32_avgpool_ukernel__scalar,
                                  f32_maxpool_grad_ukernel__scalar, f32_avgpool_grad_ukernel__scalar};

}  // namespace simdnet::scalar
