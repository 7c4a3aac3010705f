// Depthwise convolution (kernels/depthwise through the dispatch/depthwise.cc drivers) on every ISA against references
// written as tfjs-backend-cpu's DepthwiseConv2dNative*.js loops compute (forward: float32 running sum plus the exact
// double product, stored to float at every tap; gradients: double sums of exact products in the JS loop order),
// compared BIT FOR BIT over channel counts around every vector width, pads, strides and rectangular filters, with
// NaN/Inf planted and a guard value past each output. Covers the NEON path under qemu (tools/ctest.sh arm64), which
// the vitest parity suite (test/tfjs/depthwise.test.ts) cannot reach.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "check.h"
#include "kernels/depthwise/depthwise.h"

namespace {

using simdnet::Dw2d;

uint32_t lcg(uint32_t* s) { return *s = *s * 1664525u + 1013904223u; }
std::vector<float> data(size_t n, uint32_t seed) {
  std::vector<float> v(n);
  for (auto& x : v) x = (static_cast<float>(lcg(&seed) >> 8) / 16777216.0f - 0.5f) * 4.0f;
  return v;
}

void ref_forward(const Dw2d& g, const std::vector<float>& x, const std::vector<float>& w, std::vector<float>& y) {
  const int64_t C = g.channels;
  std::fill(y.begin(), y.end(), 0.0f);
  for (size_t b = 0; b < g.batch; ++b)
    for (size_t oy = 0; oy < g.out_h; ++oy)
      for (size_t wr = 0; wr < g.filter_h; ++wr) {
        const int64_t xr = int64_t(oy * g.stride_h) - int64_t(g.pad_top) + int64_t(wr);
        if (xr < 0 || xr >= int64_t(g.in_h)) continue;
        for (size_t ox = 0; ox < g.out_w; ++ox)
          for (size_t wc = 0; wc < g.filter_w; ++wc) {
            const int64_t xc = int64_t(ox * g.stride_w) - int64_t(g.pad_left) + int64_t(wc);
            if (xc < 0 || xc >= int64_t(g.in_w)) continue;
            for (int64_t c = 0; c < C; ++c) {
              float& out = y[((b * g.out_h + oy) * g.out_w + ox) * C + c];
              out = static_cast<float>(double(out) + double(x[((int64_t(b) * g.in_h + xr) * g.in_w + xc) * C + c]) *
                                                         double(w[(wr * g.filter_w + wc) * C + c]));
            }
          }
      }
}

void ref_input(const Dw2d& g, const std::vector<float>& dy, const std::vector<float>& w, std::vector<float>& dx) {
  const size_t C = g.channels;
  for (size_t b = 0; b < g.batch; ++b)
    for (size_t c = 0; c < C; ++c)
      for (size_t r = 0; r < g.in_h; ++r)
        for (size_t col = 0; col < g.in_w; ++col) {
          double acc = 0;
          for (size_t oy = 0; oy < g.out_h; ++oy) {
            const int64_t wr = int64_t(r + g.pad_top) - int64_t(oy * g.stride_h);
            if (wr < 0 || wr >= int64_t(g.filter_h)) continue;
            for (size_t ox = 0; ox < g.out_w; ++ox) {
              const int64_t wc = int64_t(col + g.pad_left) - int64_t(ox * g.stride_w);
              if (wc < 0 || wc >= int64_t(g.filter_w)) continue;
              acc += double(dy[((b * g.out_h + oy) * g.out_w + ox) * C + c]) * double(w[(size_t(wr) * g.filter_w + size_t(wc)) * C + c]);
            }
          }
          dx[((b * g.in_h + r) * g.in_w + col) * C + c] = static_cast<float>(acc);
        }
}

void ref_filter(const Dw2d& g, const std::vector<float>& x, const std::vector<float>& dy, std::vector<float>& dw) {
  const size_t C = g.channels;
  for (size_t wr = 0; wr < g.filter_h; ++wr)
    for (size_t wc = 0; wc < g.filter_w; ++wc)
      for (size_t c = 0; c < C; ++c) {
        double acc = 0;
        for (size_t b = 0; b < g.batch; ++b)
          for (size_t oy = 0; oy < g.out_h; ++oy) {
            const int64_t xr = int64_t(oy * g.stride_h + wr) - int64_t(g.pad_top);
            if (xr < 0 || xr >= int64_t(g.in_h)) continue;
            for (size_t ox = 0; ox < g.out_w; ++ox) {
              const int64_t xc = int64_t(ox * g.stride_w + wc) - int64_t(g.pad_left);
              if (xc < 0 || xc >= int64_t(g.in_w)) continue;
              acc += double(x[((b * g.in_h + size_t(xr)) * g.in_w + size_t(xc)) * C + c]) * double(dy[((b * g.out_h + oy) * g.out_w + ox) * C + c]);
            }
          }
        dw[(wr * g.filter_w + wc) * C + c] = static_cast<float>(acc);
      }
}

bool same_bits(float a, float b) { return (std::isnan(a) && std::isnan(b)) || std::memcmp(&a, &b, 4) == 0; }
void expect_identical(const std::vector<float>& got, const std::vector<float>& want, size_t n, const std::string& ctx) {
  size_t bad = 0;
  for (size_t i = 0; i < n; ++i)
    if (!same_bits(got[i], want[i]) && bad++ < 3)
      std::printf("  FAIL [%s] %s: index %zu got %.9g want %.9g\n", simdnet::isa_name(simdnet::current_isa()), ctx.c_str(),
                  i, double(got[i]), double(want[i]));
  EXPECT(bad == 0);
}

struct Geo {
  size_t in_h, in_w, fh, fw, sh, sw, pt, pl, oh, ow;
};
const Geo kGeos[] = {
    {7, 6, 3, 3, 1, 1, 1, 1, 7, 6},  // same
    {7, 6, 3, 3, 2, 2, 0, 0, 3, 2},  // valid, strided
    {8, 9, 5, 3, 2, 1, 2, 1, 4, 9},  // same, rectangular
    {6, 6, 2, 2, 3, 3, 0, 0, 2, 2},  // stride above the filter: untouched inputs get 0
    {3, 3, 3, 3, 1, 1, 3, 3, 5, 5},  // windows wholly in the padding
};
const size_t kChannels[] = {1, 3, 4, 5, 8, 13, 16, 17, 33};

}  // namespace

TEST(depthwise_bit_identical_to_tfjs_loops) {
  for (const Geo& q : kGeos)
    for (size_t C : kChannels) {
      const Dw2d g{2, q.in_h, q.in_w, C, q.oh, q.ow, q.fh, q.fw, q.sh, q.sw, q.pt, q.pl};
      const size_t xs = 2 * q.in_h * q.in_w * C, ys = 2 * q.oh * q.ow * C, ws = q.fh * q.fw * C;
      const std::string ctx = "in " + std::to_string(q.in_h) + "x" + std::to_string(q.in_w) + " f " + std::to_string(q.fh) +
                              "x" + std::to_string(q.fw) + " C=" + std::to_string(C);
      auto x = data(xs, uint32_t(C + 11 * q.in_w)), w = data(ws, uint32_t(C * 3 + 1)), dy = data(ys, uint32_t(C * 5 + 2));
      if (xs > 20) x[7] = NAN, x[19] = INFINITY;
      std::vector<float> want(ys), y(ys + 1, 9.0f);
      y[ys] = 777.0f;
      ref_forward(g, x, w, want);
      simdnet::depthwise_forward(g, x.data(), w.data(), y.data());
      expect_identical(y, want, ys, "forward " + ctx);
      std::vector<float> dwant(xs), dx(xs + 1, 9.0f);
      dx[xs] = 777.0f;
      ref_input(g, dy, w, dwant);
      simdnet::depthwise_backprop_input(g, dy.data(), w.data(), dx.data());
      expect_identical(dx, dwant, xs, "input grad " + ctx);
      std::vector<float> wwant(ws), dw(ws + 1, 9.0f);
      dw[ws] = 777.0f;
      ref_filter(g, x, dy, wwant);
      simdnet::depthwise_backprop_filter(g, x.data(), dy.data(), dw.data());
      expect_identical(dw, wwant, ws, "filter grad " + ctx);
      EXPECT(y[ys] == 777.0f && dx[xs] == 777.0f && dw[ws] == 777.0f);
    }
}

CHECK_MAIN()
