// Depthwise convolution, scalar reference path (contract: depthwise.h): one channel at a time, the loops of
// depthwise-simd.inc with plain double arithmetic. The fallback on x86-64 CPUs without AVX2+FMA and the ground truth
// the SIMD paths are tested against (test/tfjs/depthwise.test.ts runs every ISA against tfjs-backend-cpu).
#include <cstddef>
#include <cstdint>

#include "kernels/depthwise/depthwise.h"

namespace simdnet::scalar {
namespace {

using window2d::advance;
using window2d::covering;
using window2d::Span;
using window2d::tap_outputs;
using window2d::taps;

void f32_dwconv_ukernel__scalar(const Dw2d& g, size_t row0, size_t row1, const float* x, const float* w,
                                float* y) noexcept {
  const size_t C = g.channels;
  for (size_t row = row0; row < row1; ++row) {
    const size_t b = row / g.out_h, oy = row % g.out_h;
    const int64_t r0 = static_cast<int64_t>(oy * g.stride_h) - static_cast<int64_t>(g.pad_top);
    const Span rt = taps(r0, g.filter_h, g.in_h);
    for (size_t ox = 0; ox < g.out_w; ++ox) {
      const int64_t c0 = static_cast<int64_t>(ox * g.stride_w) - static_cast<int64_t>(g.pad_left);
      const Span ct = taps(c0, g.filter_w, g.in_w);
      for (size_t c = 0; c < C; ++c) {
        float acc = 0.0f;  // a Float32Array element: every step rounds double(acc) + x*w back to float
        for (size_t wr = rt.lo; wr < rt.hi; ++wr)
          for (size_t wc = ct.lo; wc < ct.hi; ++wc) {
            const size_t xr = static_cast<size_t>(r0 + static_cast<int64_t>(wr));
            const size_t xc = static_cast<size_t>(c0 + static_cast<int64_t>(wc));
            acc = static_cast<float>(static_cast<double>(acc) + static_cast<double>(x[((b * g.in_h + xr) * g.in_w + xc) * C + c]) *
                                                                    static_cast<double>(w[(wr * g.filter_w + wc) * C + c]));
          }
        y[(row * g.out_w + ox) * C + c] = acc;
      }
    }
  }
}

void f32_dwconv_input_grad_ukernel__scalar(const Dw2d& g, size_t row0, size_t row1, const float* dy, const float* w,
                                           float* dx) noexcept {
  const size_t C = g.channels;
  window2d::sum_over_covering(g, row0, row1, 1.0, dx, [&](size_t o, size_t tap, size_t c) {
    return static_cast<double>(dy[o + c]) * static_cast<double>(w[tap * C + c]);
  });
}

void f32_dwconv_filter_grad_ukernel__scalar(const Dw2d& g, size_t tap0, size_t tap1, const float* x, const float* dy,
                                            float* dw) noexcept {
  const size_t C = g.channels;
  for (size_t tap = tap0; tap < tap1; ++tap) {
    const size_t wr = tap / g.filter_w, wc = tap % g.filter_w;
    const Span ys = tap_outputs(wr, g.stride_h, g.pad_top, g.in_h, g.out_h);
    const Span xs = tap_outputs(wc, g.stride_w, g.pad_left, g.in_w, g.out_w);
    for (size_t c = 0; c < C; ++c) {
      double acc = 0.0;
      for (size_t b = 0; b < g.batch && ys.lo < ys.hi && xs.lo < xs.hi; ++b)
        for (size_t oy = ys.lo; oy < ys.hi; ++oy)
          for (size_t ox = xs.lo; ox < xs.hi; ++ox) {
            const size_t xr = oy * g.stride_h + wr - g.pad_top, xc = ox * g.stride_w + wc - g.pad_left;
            acc += static_cast<double>(x[((b * g.in_h + xr) * g.in_w + xc) * C + c]) *
                   static_cast<double>(dy[((b * g.out_h + oy) * g.out_w + ox) * C + c]);
          }
      dw[tap * C + c] = static_cast<float>(acc);
    }
  }
}

}  // namespace

const DepthwiseKernels depthwise_kernels = {f32_dwconv_ukernel__scalar, f32_dwconv_input_grad_ukernel__scalar,
                                            f32_dwconv_filter_grad_ukernel__scalar};

}  // namespace simdnet::scalar
