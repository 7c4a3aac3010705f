// The geometry of a 2-D window over NHWC tensors, shared by the windowed kernel families (kernels/pool,
// kernels/depthwise): sizes in elements, and the index arithmetic their kernels walk windows with. No dilation.
// Output (oy, ox)'s window starts at input row oy*stride_h - pad_top and column ox*stride_w - pad_left and spans
// filter_h x filter_w taps; what lies outside the input is padding (each family's header says how it treats it).
// The addon checks that out*stride + filter + pad stays below 2^61 along each axis (addon/window-args.cc), so the
// int64 arithmetic below cannot overflow.
#pragma once
#include <cstddef>
#include <cstdint>

namespace simdnet {

struct Window2d {
  size_t batch, in_h, in_w, channels, out_h, out_w;
  size_t filter_h, filter_w, stride_h, stride_w, pad_top, pad_left;
};

namespace window2d {

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

// The taps [lo, hi) of a window starting at input index `start` (may be negative) that land inside [0, in).
static inline Span taps(int64_t start, size_t filter, size_t in) {
  const int64_t lo = start < 0 ? -start : 0;
  const int64_t end = static_cast<int64_t>(in) - start;  // taps below this are inside
  const int64_t hi = end < static_cast<int64_t>(filter) ? end : static_cast<int64_t>(filter);
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

// The outputs [lo, hi) along one axis whose tap `k` lands inside the input: 0 <= o*stride - pad + k < in.
static inline Span tap_outputs(size_t k, size_t stride, size_t pad, size_t in, size_t out) {
  const int64_t s = static_cast<int64_t>(stride), a = static_cast<int64_t>(pad) - static_cast<int64_t>(k);
  const int64_t lo = a <= 0 ? 0 : (a + s - 1) / s;  // o*stride >= pad - k
  const int64_t b = static_cast<int64_t>(in) + a;    // o*stride < in + pad - k
  const int64_t last = b <= 0 ? 0 : (b + s - 1) / s;
  const int64_t hi = last < static_cast<int64_t>(out) ? last : static_cast<int64_t>(out);
  return hi <= lo ? Span{0, 0} : Span{static_cast<size_t>(lo), static_cast<size_t>(hi)};
}

// The scalar gradients' walk (kernels/pool/scalar.cc, kernels/depthwise/scalar.cc): dx over input rows [row0, row1)
// of the batch*in_h rows, every element and channel c the double sum, over the outputs whose window holds it in
// ascending output order (oy, then ox), of term(o, tap, c), times scale, rounded once to float. o is the output
// pixel's offset ((b*out_h + oy)*out_w + ox)*channels, tap the input's position in that window, wr*filter_w + wc.
template <class Term>
void sum_over_covering(const Window2d& g, size_t row0, size_t row1, double scale, float* dx, Term term) {
  const size_t C = g.channels;
  for (size_t row = row0; row < row1; ++row) {
    const size_t b = row / g.in_h, r = row % g.in_h;
    const Span oys = covering(r, g.stride_h, g.pad_top, g.filter_h, g.out_h);
    Span oxs{0, 0};
    for (size_t col = 0; col < g.in_w; ++col) {
      advance(&oxs, col, g.stride_w, g.pad_left, g.filter_w, g.out_w);
      for (size_t c = 0; c < C; ++c) {
        double acc = 0.0;
        for (size_t oy = oys.lo; oy < oys.hi; ++oy)
          for (size_t ox = oxs.lo; ox < oxs.hi; ++ox) {
            const size_t tap = (r + g.pad_top - oy * g.stride_h) * g.filter_w + col + g.pad_left - ox * g.stride_w;
            acc += term(((b * g.out_h + oy) * g.out_w + ox) * C, tap, c);
          }
        dx[(row * g.in_w + col) * C + c] = static_cast<float>(acc * scale);
      }
    }
  }
}

}  // namespace window2d
}  // namespace simdnet
