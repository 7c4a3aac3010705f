// Row softmax forward/backward on every ISA against double-precision references: row lengths around the 4/8-lane
// tiles, temperatures 1 and 0.5 and 3, extremes (+/-90, +/-1e30, +/-Inf, NaN rows), in place.
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "check.h"
#include "guard-page.h"
#include "kernels/softmax/softmax.h"

namespace {

// Around the 4/8/16-lane vectors of NEON, AVX2 and AVX-512.
const size_t kSizes[] = {1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 48, 101, 1000};

uint32_t lcg(uint32_t* s) { return *s = *s * 1664525u + 1013904223u; }
std::vector<float> random_vec(size_t n, uint32_t seed, float lo, float hi) {
  std::vector<float> v(n);
  for (auto& x : v) x = lo + (hi - lo) * static_cast<float>(lcg(&seed) >> 8) * (1.0f / 16777216.0f);
  return v;
}

std::vector<double> ref_forward(size_t m, size_t n, double temp, const std::vector<float>& x) {
  std::vector<double> y(m * n);
  for (size_t r = 0; r < m; ++r) {
    double mx = -INFINITY;
    bool nan = false;
    for (size_t j = 0; j < n; ++j) { mx = std::fmax(mx, x[r * n + j]); nan |= std::isnan(x[r * n + j]); }
    double s = 0;
    for (size_t j = 0; j < n; ++j) s += std::exp((x[r * n + j] - mx) / temp);
    for (size_t j = 0; j < n; ++j) y[r * n + j] = nan ? NAN : std::exp((x[r * n + j] - mx) / temp) / s;
  }
  return y;
}

}  // namespace

TEST(softmax_forward_sizes) {
  for (size_t n : kSizes)
    for (float temp : {1.0f, 0.5f, 3.0f}) {
      const size_t m = 3;
      const auto x = random_vec(m * n, 11 + static_cast<uint32_t>(n), -20.0f, 20.0f);
      std::vector<float> y(m * n + 1, 777.0f);
      simdnet::softmax().forward(m, n, temp, x.data(), y.data());
      const auto want = ref_forward(m, n, temp, x);
      const std::string ctx = "n=" + std::to_string(n) + " T=" + std::to_string(temp);
      // exp((x - max)/T) carries the float rounding of its argument: relative error ~ |u| eps for tiny outputs, so
      // an absolute floor of 1e-10 on probabilities.
      EXPECT_CLOSE_ARRAY(y, want, m * n, 1e-10, 2e-6, ctx);
      EXPECT(y[m * n] == 777.0f);
      std::vector<float> z = x;
      simdnet::softmax().forward(m, n, temp, z.data(), z.data());
      EXPECT_CLOSE_ARRAY(z, y, m * n, 0.0, 0.0, ctx + " in place");
    }
  simdnet::softmax().forward(0, 5, 1.0f, nullptr, nullptr);  // m = 0 touches nothing
}

TEST(softmax_extremes) {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  // Each row is 9 long (a full vector plus a tail on both ISAs).
  const std::vector<std::vector<float>> rows = {
      {90, -90, 0, 1, 2, 3, 4, 5, 6},
      {1e30f, -1e30f, 0, 0, 0, 0, 0, 0, 1e30f},
      {-inf, 0, 1, 2, -inf, 3, 4, 5, 6},
      {nan, 0, 1, 2, 3, 4, 5, 6, 7},
      {0, 1, 2, 3, 4, 5, 6, 7, nan},
      {-1e30f, -1e30f, -1e30f, -1e30f, -1e30f, -1e30f, -1e30f, -1e30f, -1e30f},
  };
  for (const auto& row : rows) {
    std::vector<float> y(9);
    simdnet::softmax().forward(1, 9, 1.0f, row.data(), y.data());
    const auto want = ref_forward(1, 9, 1.0, row);
    EXPECT_CLOSE_ARRAY(y, want, 9, 1e-37, 2e-6, "extremes");
    bool has_nan = false;
    for (float v : row) has_nan |= std::isnan(v);
    for (float v : y) EXPECT(has_nan ? std::isnan(v) : std::isfinite(v));
  }
}

TEST(softmax_backward_sizes) {
  for (size_t n : kSizes)
    for (float temp : {1.0f, 0.5f}) {
      const size_t m = 2;
      const auto x = random_vec(m * n, 5 + static_cast<uint32_t>(n), -4.0f, 4.0f);
      const auto dy = random_vec(m * n, 9 + static_cast<uint32_t>(n), -1.0f, 1.0f);
      std::vector<float> y(m * n), dx(m * n + 1, 777.0f);
      simdnet::softmax().forward(m, n, temp, x.data(), y.data());
      simdnet::softmax().backward(m, n, temp, y.data(), dy.data(), dx.data());
      std::vector<double> want(m * n);
      for (size_t r = 0; r < m; ++r) {
        double dot = 0;
        for (size_t j = 0; j < n; ++j) dot += double(dy[r * n + j]) * y[r * n + j];
        for (size_t j = 0; j < n; ++j) want[r * n + j] = y[r * n + j] * (dy[r * n + j] - dot) / temp;
      }
      const std::string ctx = "backward n=" + std::to_string(n);
      // The dot product is cancellation-prone; bound the error by the row scale (|y| <= 1, |dy| <= 1).
      EXPECT_CLOSE_ARRAY(dx, want, m * n, 2e-6, 1e-5, ctx);
      EXPECT(dx[m * n] == 777.0f);
      std::vector<float> inplace = dy;  // dx may alias dy
      simdnet::softmax().backward(m, n, temp, y.data(), inplace.data(), inplace.data());
      EXPECT_CLOSE_ARRAY(inplace, dx, m * n, 0.0, 0.0, ctx + " in place");
    }
}

// Masked row tails touch nothing past the matrix: x, y, dy and dx each end at an inaccessible page (a stray read or
// write faults), and the results equal those from ordinary buffers.
TEST(softmax_tails_stay_inside_the_matrix) {
  const size_t m = 2;
  for (size_t n = 1; n <= 40; ++n) {
    const auto xs = random_vec(m * n, 13 + static_cast<uint32_t>(n), -5.0f, 5.0f);
    const auto dys = random_vec(m * n, 17 + static_cast<uint32_t>(n), -1.0f, 1.0f);
    std::vector<float> want_y(m * n), want_dx(m * n);
    simdnet::softmax().forward(m, n, 1.0f, xs.data(), want_y.data());
    simdnet::softmax().backward(m, n, 1.0f, want_y.data(), dys.data(), want_dx.data());
    check::GuardedFloats x(m * n), y(m * n), dy(m * n), dx(m * n);
    for (size_t i = 0; i < m * n; ++i) {
      x.data()[i] = xs[i];
      dy.data()[i] = dys[i];
    }
    simdnet::softmax().forward(m, n, 1.0f, x.data(), y.data());
    simdnet::softmax().backward(m, n, 1.0f, y.data(), dy.data(), dx.data());
    const std::string ctx = "guarded n=" + std::to_string(n);
    EXPECT_CLOSE_ARRAY(y.data(), want_y, m * n, 0.0, 0.0, ctx + " forward");
    EXPECT_CLOSE_ARRAY(dx.data(), want_dx, m * n, 0.0, 0.0, ctx + " backward");
  }
}

CHECK_MAIN()
