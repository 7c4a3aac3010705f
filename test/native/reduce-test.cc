// Reductions on every ISA against double references: col_sum with ldx > n and accumulate, argmax with ties and NaN,
// sum / sum_squares over sizes around the tiles, first_nonfinite with its copy.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <string>
#include <vector>

#include "check.h"
#include "guard-page.h"
#include "kernels/reduce/reduce.h"

namespace {

// Around the vectors (4/8/16 floats) and col_sum strips (16/32/64 columns) of NEON, AVX2 and AVX-512.
const size_t kSizes[] = {0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 48, 63, 64, 65, 80, 101, 1000};

uint32_t lcg(uint32_t* s) { return *s = *s * 1664525u + 1013904223u; }
std::vector<float> random_vec(size_t n, uint32_t seed, float lo, float hi) {
  std::vector<float> v(n);
  for (auto& x : v) x = lo + (hi - lo) * static_cast<float>(lcg(&seed) >> 8) * (1.0f / 16777216.0f);
  return v;
}

}  // namespace

TEST(col_sum) {
  for (size_t n : kSizes)
    for (size_t m : {size_t{0}, size_t{1}, size_t{7}, size_t{64}})
      for (bool accumulate : {false, true}) {
        const size_t ldx = n + 3;
        const auto x = random_vec(m * ldx + 1, 3 + static_cast<uint32_t>(n + m), -1.0f, 1.0f);
        std::vector<float> out = random_vec(n + 1, 5, -1.0f, 1.0f);
        out[n] = 777.0f;
        std::vector<double> want(n);
        for (size_t j = 0; j < n; ++j) {
          double s = accumulate ? out[j] : 0.0;
          for (size_t r = 0; r < m; ++r) s += x[r * ldx + j];
          want[j] = s;
        }
        simdnet::reduce().col_sum(m, n, x.data(), ldx, accumulate, out.data());
        EXPECT_CLOSE_ARRAY(out, want, n, 1e-5, 1e-5, "col_sum m=" + std::to_string(m) + " n=" + std::to_string(n));
        EXPECT(out[n] == 777.0f);
      }
}

TEST(row_argmax) {
  for (size_t n : kSizes) {
    const size_t m = 4, ldx = n + 2;
    auto x = random_vec(m * ldx, 17 + static_cast<uint32_t>(n), -5.0f, 5.0f);
    if (n >= 3) {
      x[1 * ldx + n - 1] = 100.0f;  // row 1: a tie, first one wins
      x[1 * ldx + 1] = 100.0f;
      x[2 * ldx + n - 1] = NAN;  // row 2: NaN at the end and in the middle -> first NaN
      x[2 * ldx + n / 2] = NAN;
    }
    std::vector<int32_t> out(m + 1, -7);
    simdnet::reduce().row_argmax(m, n, x.data(), ldx, out.data());
    for (size_t r = 0; r < m; ++r) {
      int32_t want = n ? 0 : -1;
      for (size_t j = 1; j < n; ++j) {
        const float b = x[r * ldx + want], v = x[r * ldx + j];
        if (std::isnan(b)) break;
        if (v > b || std::isnan(v)) want = static_cast<int32_t>(j);
      }
      if (out[r] != want) std::printf("    argmax n=%zu row %zu got %d want %d\n", n, r, out[r], want);
      EXPECT(out[r] == want);
    }
    EXPECT(out[m] == -7);
  }
}

TEST(sum_and_sum_squares) {
  for (size_t n : kSizes) {
    const auto x = random_vec(n, 23 + static_cast<uint32_t>(n), -3.0f, 3.0f);
    double s = 0, s2 = 0;
    for (float v : x) { s += v; s2 += double(v) * v; }
    const double got_s = simdnet::reduce().sum(n, x.data()), got_s2 = simdnet::reduce().sum_squares(n, x.data());
    EXPECT(check::close(got_s, s, 1e-12, 1e-12));
    EXPECT(check::close(got_s2, s2, 1e-12, 1e-12));
  }
  const float special[3] = {1.0f, NAN, 2.0f};
  EXPECT(std::isnan(simdnet::reduce().sum(3, special)));
}

// The first Inf/-Inf/NaN wherever it sits (first vector, the failing block's last lane, the scalar tail), a second
// bad value after it, subnormals (finite, also under DAZ) and the copy: all of x, bad values included.
TEST(first_nonfinite) {
  const float bad_values[3] = {INFINITY, -INFINITY, NAN};
  for (size_t n : kSizes) {
    auto x = random_vec(n, 31 + static_cast<uint32_t>(n), -2.0f, 2.0f);
    if (n > 2) x[n / 2] = 1e-40f;  // subnormal
    std::vector<float> copy(n + 1, -7.0f);
    EXPECT(simdnet::reduce().first_nonfinite(n, x.data(), nullptr) == n);
    EXPECT(simdnet::reduce().first_nonfinite(n, x.data(), copy.data()) == n);
    for (size_t i = 0; i < n; ++i) EXPECT(std::memcmp(&copy[i], &x[i], 4) == 0);
    EXPECT(copy[n] == -7.0f);
    for (size_t at = 0; at < n; ++at)
      for (float bad : bad_values) {
        auto y = x;
        y[at] = bad;
        if (at + 5 < n) y[at + 5] = NAN;
        std::fill(copy.begin(), copy.end(), -7.0f);
        const size_t got = simdnet::reduce().first_nonfinite(n, y.data(), nullptr);
        const size_t got_copy = simdnet::reduce().first_nonfinite(n, y.data(), copy.data());
        if (got != at || got_copy != at) std::printf("    n=%zu at=%zu got %zu / %zu\n", n, at, got, got_copy);
        EXPECT(got == at && got_copy == at);
        for (size_t i = 0; i < n; ++i) EXPECT(std::memcmp(&copy[i], &y[i], 4) == 0);
        EXPECT(copy[n] == -7.0f);
      }
  }
}

// Masked tails touch nothing past n: the block's last row and the outputs end at an inaccessible page (a stray read
// or write faults), and the results equal those from ordinary buffers.
TEST(reductions_stay_inside_n) {
  for (size_t n = 0; n <= 80; ++n) {
    const size_t m = 3;
    const auto xs = random_vec(m * n, 29 + static_cast<uint32_t>(n), -1.0f, 1.0f);
    check::GuardedFloats x(m * n), out(n);
    for (size_t i = 0; i < m * n; ++i) x.data()[i] = xs[i];
    std::vector<float> want(n);
    simdnet::reduce().col_sum(m, n, xs.data(), n, false, want.data());
    simdnet::reduce().col_sum(m, n, x.data(), n, false, out.data());
    EXPECT_CLOSE_ARRAY(out.data(), want, n, 0.0, 0.0, "guarded col_sum n=" + std::to_string(n));
    EXPECT(simdnet::reduce().sum(n, x.data() + (m - 1) * n) == simdnet::reduce().sum(n, xs.data() + (m - 1) * n));
    EXPECT(simdnet::reduce().sum_squares(n, x.data() + (m - 1) * n) ==
           simdnet::reduce().sum_squares(n, xs.data() + (m - 1) * n));
    check::GuardedFloats copy(n);
    EXPECT(simdnet::reduce().first_nonfinite(n, x.data() + (m - 1) * n, copy.data()) == n);
    if (n > 0) EXPECT(std::memcmp(copy.data(), xs.data() + (m - 1) * n, n * sizeof(float)) == 0);  // xs is empty at 0
  }
}

CHECK_MAIN()
