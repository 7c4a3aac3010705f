// 2-D pooling (kernels/pool through the dispatch/pool.cc drivers) on every ISA against references written as
// lib/tfjs/pool.ts's JS loops compute (scatter gradients in output order, double sums rounded once), compared BIT FOR
// BIT: channel counts around every vector width (masked tails), 'valid' and 'same'-like pads, strides below, equal to
// and above the filter, windows wholly in the padding, ties, NaN and all-NaN windows, and a guard value past each
// output. The row-range kernels are also run in two halves to show the split does not change anything.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "check.h"
#include "kernels/pool/pool.h"

namespace {

using simdnet::Pool2d;

uint32_t lcg(uint32_t* s) { return *s = *s * 1664525u + 1013904223u; }

// Values from a small set (so windows hold ties) or from a wide range (so double sums round), NaN planted every 11th.
std::vector<float> data(size_t n, uint32_t seed, bool ties) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) {
    const uint32_t r = lcg(&seed) >> 8;
    v[i] = ties ? static_cast<float>(static_cast<int>(r % 5) - 2) : (static_cast<float>(r) / 16777216.0f - 0.5f) * 3.7f;
    if (i % 11 == 5) v[i] = NAN;
  }
  return v;
}

size_t xsize(const Pool2d& g) { return g.batch * g.in_h * g.in_w * g.channels; }
size_t ysize(const Pool2d& g) { return g.batch * g.out_h * g.out_w * g.channels; }

// The JS: per output and channel, the window's first strict maximum from -Infinity and its position.
void ref_max(const Pool2d& g, const std::vector<float>& x, std::vector<float>& y, std::vector<int64_t>& at) {
  const int64_t H = g.in_h, Wd = g.in_w, C = g.channels;
  for (size_t b = 0; b < g.batch; ++b)
    for (size_t oy = 0; oy < g.out_h; ++oy)
      for (size_t ox = 0; ox < g.out_w; ++ox)
        for (int64_t c = 0; c < C; ++c) {
          const int64_t r0 = int64_t(oy * g.stride_h) - int64_t(g.pad_top);
          const int64_t c0 = int64_t(ox * g.stride_w) - int64_t(g.pad_left);
          double best = -INFINITY;
          int64_t p = -1;
          for (int64_t r = std::max<int64_t>(0, r0); r < std::min<int64_t>(H, r0 + int64_t(g.filter_h)); ++r)
            for (int64_t col = std::max<int64_t>(0, c0); col < std::min<int64_t>(Wd, c0 + int64_t(g.filter_w)); ++col) {
              const double v = x[((int64_t(b) * H + r) * Wd + col) * C + c];
              if (v > best) best = v, p = (r - r0) * int64_t(g.filter_w) + (col - c0);
            }
          const size_t o = ((b * g.out_h + oy) * g.out_w + ox) * C + c;
          y[o] = static_cast<float>(best);
          at[o] = p;
        }
}

void ref_max_grad(const Pool2d& g, const std::vector<float>& x, const std::vector<float>& dy, std::vector<float>& dx) {
  std::vector<float> y(ysize(g));
  std::vector<int64_t> at(ysize(g));
  ref_max(g, x, y, at);
  std::vector<double> acc(xsize(g), 0.0);
  for (size_t b = 0; b < g.batch; ++b)
    for (size_t oy = 0; oy < g.out_h; ++oy)
      for (size_t ox = 0; ox < g.out_w; ++ox)
        for (size_t c = 0; c < g.channels; ++c) {
          const size_t o = ((b * g.out_h + oy) * g.out_w + ox) * g.channels + c;
          if (at[o] < 0) continue;
          const int64_t r = int64_t(oy * g.stride_h) - int64_t(g.pad_top) + at[o] / int64_t(g.filter_w);
          const int64_t col = int64_t(ox * g.stride_w) - int64_t(g.pad_left) + at[o] % int64_t(g.filter_w);
          acc[((b * g.in_h + size_t(r)) * g.in_w + size_t(col)) * g.channels + c] += dy[o];
        }
  for (size_t i = 0; i < acc.size(); ++i) dx[i] = static_cast<float>(acc[i]);
}

void ref_avg(const Pool2d& g, const std::vector<float>& x, std::vector<float>& y) {
  const int64_t H = g.in_h, Wd = g.in_w, C = g.channels;
  for (size_t b = 0; b < g.batch; ++b)
    for (size_t oy = 0; oy < g.out_h; ++oy)
      for (size_t ox = 0; ox < g.out_w; ++ox)
        for (int64_t c = 0; c < C; ++c) {
          const int64_t r0 = int64_t(oy * g.stride_h) - int64_t(g.pad_top);
          const int64_t c0 = int64_t(ox * g.stride_w) - int64_t(g.pad_left);
          const int64_t r1 = std::min<int64_t>(H, r0 + int64_t(g.filter_h)), c1 = std::min<int64_t>(Wd, c0 + int64_t(g.filter_w));
          double acc = 0;
          for (int64_t r = std::max<int64_t>(0, r0); r < r1; ++r)
            for (int64_t col = std::max<int64_t>(0, c0); col < c1; ++col) acc += x[((int64_t(b) * H + r) * Wd + col) * C + c];
          const double count = double(std::max<int64_t>(0, r1 - std::max<int64_t>(0, r0)) *
                                      std::max<int64_t>(0, c1 - std::max<int64_t>(0, c0)));
          y[((b * g.out_h + oy) * g.out_w + ox) * g.channels + size_t(c)] = static_cast<float>(acc / count);
        }
}

void ref_avg_grad(const Pool2d& g, const std::vector<float>& dy, std::vector<float>& dx) {
  std::vector<double> acc(xsize(g), 0.0);
  for (size_t b = 0; b < g.batch; ++b)
    for (size_t oy = 0; oy < g.out_h; ++oy)
      for (size_t ox = 0; ox < g.out_w; ++ox) {
        const int64_t r0 = int64_t(oy * g.stride_h) - int64_t(g.pad_top);
        const int64_t c0 = int64_t(ox * g.stride_w) - int64_t(g.pad_left);
        for (int64_t r = std::max<int64_t>(0, r0); r < std::min<int64_t>(g.in_h, r0 + int64_t(g.filter_h)); ++r)
          for (int64_t col = std::max<int64_t>(0, c0); col < std::min<int64_t>(g.in_w, c0 + int64_t(g.filter_w)); ++col)
            for (size_t c = 0; c < g.channels; ++c)
              acc[((b * g.in_h + size_t(r)) * g.in_w + size_t(col)) * g.channels + c] +=
                  dy[((b * g.out_h + oy) * g.out_w + ox) * g.channels + c];
      }
  const double scale = 1.0 / double(g.filter_h * g.filter_w);
  for (size_t i = 0; i < acc.size(); ++i) dx[i] = static_cast<float>(acc[i] * scale);
}

bool same_bits(float a, float b) { return (std::isnan(a) && std::isnan(b)) || std::memcmp(&a, &b, 4) == 0; }

void expect_identical(const std::vector<float>& got, const std::vector<float>& want, size_t n, const std::string& ctx) {
  size_t bad = 0;
  for (size_t i = 0; i < n; ++i)
    if (!same_bits(got[i], want[i]) && bad++ < 3)
      std::printf("  FAIL [%s] %s: index %zu got %.9g want %.9g\n", simdnet::isa_name(simdnet::current_isa()),
                  ctx.c_str(), i, double(got[i]), double(want[i]));
  EXPECT(bad == 0);
}

// Geometries: (in_h, in_w, filter, stride, pad_top, pad_left, out_h, out_w); out sizes as computePool2DInfo gives
// them for 'valid' (pad 0) or 'same' (pad = total/2, top/left first), plus a window wholly in the padding.
struct Geo {
  size_t in_h, in_w, fh, fw, sh, sw, pt, pl, oh, ow;
};
const Geo kGeos[] = {
    {6, 7, 2, 2, 2, 2, 0, 0, 3, 3},  // valid, non-overlapping
    {6, 7, 2, 2, 2, 2, 0, 0, 3, 4},  // same: 7 -> 4 with the right column padded
    {5, 5, 3, 3, 1, 1, 1, 1, 5, 5},  // same, overlapping
    {5, 6, 3, 2, 2, 1, 0, 0, 2, 5},  // valid, mixed
    {4, 4, 1, 3, 3, 1, 0, 1, 2, 4},  // strides larger than the filter along h: skipped inputs get 0
    {3, 3, 2, 2, 1, 1, 3, 3, 4, 4},  // big padding: the first windows lie wholly outside (max -Inf, avg NaN)
    {7, 5, 4, 3, 3, 2, 1, 1, 3, 3},
};
const size_t kChannels[] = {1, 3, 4, 5, 8, 13, 16, 17, 33};

}  // namespace

TEST(pool_forward_and_grads_bit_identical) {
  for (const Geo& q : kGeos)
    for (size_t C : kChannels)
      for (bool ties : {true, false}) {
        const Pool2d g{2, q.in_h, q.in_w, C, q.oh, q.ow, q.fh, q.fw, q.sh, q.sw, q.pt, q.pl};
        const std::string ctx = "in " + std::to_string(q.in_h) + "x" + std::to_string(q.in_w) + " f " +
                                std::to_string(q.fh) + "x" + std::to_string(q.fw) + " C=" + std::to_string(C) +
                                (ties ? " ties" : " wide");
        const auto x = data(xsize(g), uint32_t(C * 131 + q.in_w), ties);
        auto dy = data(ysize(g), uint32_t(C * 7 + 3), false);
        for (size_t i = 0; i < dy.size(); i += 13) dy[i] = 1.0f + float(i);  // and finite around the NaNs
        std::vector<float> y(ysize(g) + 1, 0.0f), want(ysize(g)), dx(xsize(g) + 1, 5.0f), dwant(xsize(g));
        std::vector<int64_t> at(ysize(g));
        y[ysize(g)] = 777.0f;
        dx[xsize(g)] = 777.0f;

        ref_max(g, x, want, at);
        simdnet::max_pool(g, x.data(), y.data());
        expect_identical(y, want, ysize(g), "maxPool " + ctx);
        std::vector<float> pos(ysize(g), 9.0f);
        const size_t rows = g.batch * g.out_h, half = rows / 2;  // the row kernel in two ranges
        simdnet::pool().max_rows(g, 0, half, x.data(), nullptr, pos.data());
        simdnet::pool().max_rows(g, half, rows, x.data(), nullptr, pos.data());
        size_t bad_pos = 0;
        for (size_t i = 0; i < pos.size(); ++i) bad_pos += pos[i] != float(at[i]);
        EXPECT(bad_pos == 0);

        ref_max_grad(g, x, dy, dwant);
        simdnet::max_pool_grad(g, x.data(), dy.data(), dx.data());
        expect_identical(dx, dwant, xsize(g), "maxPoolGrad " + ctx);

        ref_avg(g, x, want);
        simdnet::avg_pool(g, x.data(), y.data());
        expect_identical(y, want, ysize(g), "avgPool " + ctx);

        ref_avg_grad(g, dy, dwant);
        std::fill(dx.begin(), dx.end() - 1, 5.0f);
        simdnet::avg_pool_grad(g, dy.data(), dx.data());
        expect_identical(dx, dwant, xsize(g), "avgPoolGrad " + ctx);
        EXPECT(y[ysize(g)] == 777.0f && dx[xsize(g)] == 777.0f);
      }
}

TEST(pool_nan_windows) {
  // One 2x2 window all NaN, one with a NaN before the maximum, one with NaN after it, one of -Inf only.
  const Pool2d g{1, 2, 8, 1, 1, 4, 2, 2, 2, 2, 0, 0};
  const float x[16] = {NAN, NAN, NAN, 1.0f, 2.0f, -INFINITY, -INFINITY, -INFINITY,
                       NAN, NAN, 3.0f, NAN, NAN, 0.5f, -INFINITY, -INFINITY};
  float y[4], dx[16];
  const float dy[4] = {10.0f, 20.0f, 30.0f, 40.0f};
  simdnet::max_pool(g, x, y);
  EXPECT(y[0] == -INFINITY);  // all NaN
  EXPECT(y[1] == 3.0f);
  EXPECT(y[2] == 2.0f);
  EXPECT(y[3] == -INFINITY);  // -Inf never beats -Inf: no position, no gradient
  simdnet::max_pool_grad(g, x, dy, dx);
  for (int i = 0; i < 16; ++i) EXPECT(dx[i] == (i == 10 ? 20.0f : i == 4 ? 30.0f : 0.0f));
}

CHECK_MAIN()
