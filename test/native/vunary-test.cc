// Activations forward/backward on every ISA against a double-precision reference: sizes around the 8/16-float tiles,
// random inputs over [-10, 10], extremes (+/-90, +/-1e30, +/-Inf, NaN), in place, and a dense sweep for max error.
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "check.h"
#include "guard-page.h"
#include "kernels/vunary/vunary.h"

using simdnet::Act;

namespace {

// Around the 4/8/16-float vectors and the 2-vector (8/16/32-float) loop steps of NEON, AVX2 and AVX-512.
const size_t kSizes[] = {0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 48, 63, 64, 65, 101, 1000};
const Act kActs[] = {Act::linear, Act::sigmoid, Act::tanh, Act::relu, Act::leaky_relu};
const float kAlpha = 0.1f;

double ref_forward(Act a, double x) {
  switch (a) {
    case Act::linear: return x;
    case Act::sigmoid: return x >= 0 ? 1.0 / (1.0 + std::exp(-x)) : std::exp(x) / (1.0 + std::exp(x));
    case Act::tanh: return std::tanh(x);
    case Act::relu: return std::isnan(x) ? x : (x > 0 ? x : 0.0);
    case Act::leaky_relu: return x > 0 ? x : double(kAlpha) * x;
  }
  return 0;
}
// dx for the float inputs the kernel sees (y is the kernel's own float output, as the engine passes it).
double ref_backward(Act a, double x, double y, double dy) {
  switch (a) {
    case Act::linear: return dy;
    case Act::sigmoid: return dy * y * (1 - y);
    case Act::tanh: return dy * (1 - y * y);
    case Act::relu: return std::isnan(x) ? x : (x > 0 ? dy : 0.0);
    case Act::leaky_relu: return std::isnan(x) ? x : (x > 0 ? dy : kAlpha * dy);
  }
  return 0;
}
// Per-op tolerance: exact for the piecewise-linear ones, ~5 ulp for the transcendental ones; the atol covers
// results below FLT_MIN, which the SIMD exp flushes to zero.
double rtol_of(Act a) {
  if (a == Act::sigmoid || a == Act::tanh) return 6e-7;
  return a == Act::leaky_relu ? 6e-8 : 0.0;  // alpha*x rounded once in float
}
const double kAtol = 1e-37;

uint32_t lcg(uint32_t* s) { return *s = *s * 1664525u + 1013904223u; }
std::vector<float> random_vec(size_t n, uint32_t seed, float lo, float hi) {
  std::vector<float> v(n);
  for (auto& x : v) x = lo + (hi - lo) * static_cast<float>(lcg(&seed) >> 8) * (1.0f / 16777216.0f);
  return v;
}

void check_forward(Act a, const std::vector<float>& x, const std::string& ctx) {
  const size_t n = x.size();
  std::vector<float> y(n + 1, 12345.0f);  // sentinel past n
  simdnet::vunary().forward(a, kAlpha, n, x.data(), y.data());
  std::vector<double> want(n);
  for (size_t i = 0; i < n; ++i) want[i] = ref_forward(a, x[i]);
  EXPECT_CLOSE_ARRAY(y, want, n, kAtol, rtol_of(a), ctx + " forward act=" + std::to_string(int(a)));
  EXPECT(y[n] == 12345.0f);
  // In place gives the same result.
  std::vector<float> z = x;
  simdnet::vunary().forward(a, kAlpha, n, z.data(), z.data());
  EXPECT_CLOSE_ARRAY(z, y, n, 0.0, 0.0, ctx + " in-place act=" + std::to_string(int(a)));
}

void check_backward(Act a, const std::vector<float>& x, const std::string& ctx) {
  const size_t n = x.size();
  std::vector<float> y(n), dy = random_vec(n, 99, -2.0f, 2.0f), dx(n + 1, 12345.0f);
  simdnet::vunary().forward(a, kAlpha, n, x.data(), y.data());
  simdnet::vunary().backward(a, kAlpha, n, x.data(), y.data(), dy.data(), dx.data());
  std::vector<double> want(n);
  for (size_t i = 0; i < n; ++i) want[i] = ref_backward(a, x[i], y[i], dy[i]);
  EXPECT_CLOSE_ARRAY(dx, want, n, 1e-7, 1e-6, ctx + " backward act=" + std::to_string(int(a)));
  EXPECT(dx[n] == 12345.0f);
  std::vector<float> inplace = dy;  // dx may alias dy
  simdnet::vunary().backward(a, kAlpha, n, x.data(), y.data(), inplace.data(), inplace.data());
  EXPECT_CLOSE_ARRAY(inplace, dx, n, 0.0, 0.0, ctx + " backward in-place act=" + std::to_string(int(a)));
}

}  // namespace

TEST(vunary_random_sizes) {
  for (size_t n : kSizes)
    for (Act a : kActs) {
      const auto x = random_vec(n, 7 + static_cast<uint32_t>(n), -10.0f, 10.0f);
      check_forward(a, x, "n=" + std::to_string(n));
      check_backward(a, x, "n=" + std::to_string(n));
    }
}

TEST(vunary_extremes) {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> x = {90.0f, -90.0f, 1e30f, -1e30f, inf, -inf, nan, 0.0f, -0.0f, 88.7f, -88.7f, 87.0f,
                          -87.0f, 1e-8f, -1e-8f, 0.625f, -0.625f, 0.6251f, 9.0f, -9.0f, 20.0f, -20.0f, 1e-30f};
  for (Act a : kActs) {
    check_forward(a, x, "extremes");
    check_backward(a, x, "extremes");
    // Finite input never gives NaN/Inf for sigmoid/tanh.
    std::vector<float> y(x.size());
    simdnet::vunary().forward(a, kAlpha, x.size(), x.data(), y.data());
    for (size_t i = 0; i < x.size(); ++i) {
      if (std::isnan(x[i])) EXPECT(std::isnan(y[i]));
      if ((a == Act::sigmoid || a == Act::tanh) && !std::isnan(x[i])) EXPECT(std::isfinite(y[i]));
    }
  }
}

// Dense sweep over [-20, 20] (every region of the tanh/sigmoid/exp split) to bound the max relative error.
TEST(vunary_sweep_max_error) {
  std::vector<float> x;
  for (float v = -20.0f; v <= 20.0f; v += 0.00137f) x.push_back(v);
  for (float v = 1e-6f; v < 1.0f; v *= 1.01f) { x.push_back(v); x.push_back(-v); }
  for (Act a : {Act::sigmoid, Act::tanh}) check_forward(a, x, "sweep");
}

// Masked tails touch nothing past n: every array ends at an inaccessible page (a stray read or write faults), and the
// results equal those from ordinary buffers.
TEST(vunary_tails_stay_inside_n) {
  for (size_t n = 0; n <= 70; ++n) {
    const auto xs = random_vec(n, 3 + static_cast<uint32_t>(n), -10.0f, 10.0f);
    const auto dys = random_vec(n, 5 + static_cast<uint32_t>(n), -2.0f, 2.0f);
    check::GuardedFloats x(n), y(n), dy(n), dx(n);
    for (size_t i = 0; i < n; ++i) {
      x.data()[i] = xs[i];
      dy.data()[i] = dys[i];
    }
    for (Act a : kActs) {
      std::vector<float> want_y(n), want_dx(n);
      simdnet::vunary().forward(a, kAlpha, n, xs.data(), want_y.data());
      simdnet::vunary().backward(a, kAlpha, n, xs.data(), want_y.data(), dys.data(), want_dx.data());
      simdnet::vunary().forward(a, kAlpha, n, x.data(), y.data());
      simdnet::vunary().backward(a, kAlpha, n, x.data(), y.data(), dy.data(), dx.data());
      const std::string ctx = "guarded n=" + std::to_string(n) + " act=" + std::to_string(int(a));
      EXPECT_CLOSE_ARRAY(y.data(), want_y, n, 0.0, 0.0, ctx + " forward");
      EXPECT_CLOSE_ARRAY(dx.data(), want_dx, n, 0.0, 0.0, ctx + " backward");
    }
  }
}

CHECK_MAIN()
