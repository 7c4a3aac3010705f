// Element-wise binary ops, affine_rows and vunary's map on every ISA against double references written from
// tfjs-backend-cpu's JS (Math.max/Math.min keep NaN from either side, prelu, exp/log ends), over sizes around the
// vector widths, with NaN/Inf planted in both operands and a guard value past the end of y.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "check.h"
#include "kernels/ebinary/ebinary.h"
#include "kernels/vunary/vunary.h"

namespace {

using simdnet::BinOp;
using simdnet::Operand;
using simdnet::Umap;

const size_t kSizes[] = {1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 65, 101};

uint32_t lcg(uint32_t* s) { return *s = *s * 1664525u + 1013904223u; }
std::vector<float> random_vec(size_t n, uint32_t seed, float lo, float hi) {
  std::vector<float> v(n);
  for (auto& x : v) x = lo + (hi - lo) * static_cast<float>(lcg(&seed) >> 8) * (1.0f / 16777216.0f);
  return v;
}
void plant(std::vector<float>& v) {  // NaN, infinities and a zero where the vector is long enough
  const float specials[] = {NAN, INFINITY, -INFINITY, 0.0f};
  for (size_t k = 0; k < 4 && 3 * k + 1 < v.size(); ++k) v[3 * k + 1] = specials[k];
}

double ref(BinOp op, double a, double b) {
  switch (op) {
    case BinOp::add: return a + b;
    case BinOp::sub: return a - b;
    case BinOp::mul: return a * b;
    case BinOp::div: return a / b;
    case BinOp::max: return std::isnan(a) || std::isnan(b) ? NAN : (a > b ? a : b);
    case BinOp::min: return std::isnan(a) || std::isnan(b) ? NAN : (a < b ? a : b);
    case BinOp::sqdiff: return (a - b) * (a - b);
    case BinOp::prelu: return a < 0 ? b * a : a;
  }
  return 0;
}

size_t at(Operand mode, size_t r, size_t n, size_t j) {
  return mode == Operand::full ? r * n + j : mode == Operand::row ? j : 0;
}

}  // namespace

TEST(binary_all_patterns) {
  const Operand pairs[][2] = {{Operand::full, Operand::full},   {Operand::full, Operand::scalar},
                              {Operand::scalar, Operand::full}, {Operand::full, Operand::row},
                              {Operand::row, Operand::full}};
  for (int o = 0; o <= 7; ++o) {
    const auto op = static_cast<BinOp>(o);
    for (size_t n : kSizes)
      for (size_t m : {size_t{1}, size_t{3}})
        for (const auto& p : pairs) {
          const size_t mn = m * n;
          auto a = random_vec(mn, 7 + static_cast<uint32_t>(n), -3.0f, 3.0f);
          auto b = random_vec(mn, 11 + static_cast<uint32_t>(m), -3.0f, 3.0f);
          plant(a);
          if (n > 6) b[n - 2] = NAN;  // a NaN on the other side too, inside the first row
          std::vector<float> y(mn + 1, 0.0f);
          y[mn] = 777.0f;
          std::vector<double> want(mn);
          for (size_t r = 0; r < m; ++r)
            for (size_t j = 0; j < n; ++j)
              want[r * n + j] = static_cast<float>(ref(op, a[at(p[0], r, n, j)], b[at(p[1], r, n, j)]));
          simdnet::ebinary().binary(op, m, n, a.data(), p[0], b.data(), p[1], y.data());
          EXPECT_CLOSE_ARRAY(y, want, mn, 0.0, 2.5e-7,
                             "op " + std::to_string(o) + " m=" + std::to_string(m) + " n=" + std::to_string(n) +
                                 " modes " + std::to_string(int(p[0])) + std::to_string(int(p[1])));
          EXPECT(y[mn] == 777.0f);
        }
  }
}

TEST(binary_max_min_nan_either_side) {
  const float a[] = {NAN, 1.0f, NAN, -2.0f, 5.0f, 3.0f, NAN, 0.5f, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  const float b[] = {1.0f, NAN, NAN, -3.0f, 6.0f, NAN, 2.0f, 0.25f, NAN, 2, 3, 4, 5, 6, 7, 8, NAN};
  const size_t n = sizeof(a) / sizeof(a[0]);
  for (BinOp op : {BinOp::max, BinOp::min}) {
    std::vector<float> y(n);
    simdnet::ebinary().binary(op, 1, n, a, Operand::full, b, Operand::full, y.data());
    for (size_t i = 0; i < n; ++i) {
      if (std::isnan(a[i]) || std::isnan(b[i])) EXPECT(std::isnan(y[i]));
      else EXPECT(y[i] == (op == BinOp::max ? std::fmax(a[i], b[i]) : std::fmin(a[i], b[i])));
    }
  }
}

TEST(affine_rows) {
  for (size_t n : kSizes) {
    const size_t m = 5;
    const auto x = random_vec(m * n, 3, -2.0f, 2.0f);
    const auto mean = random_vec(n, 4, -1.0f, 1.0f), scale = random_vec(n, 5, 0.5f, 2.0f);
    const auto offset = random_vec(n, 6, 3.0f, 4.0f);
    std::vector<float> y(m * n + 1, 0.0f);
    y[m * n] = 777.0f;
    std::vector<double> want(m * n);
    for (size_t r = 0; r < m; ++r)
      for (size_t j = 0; j < n; ++j)
        want[r * n + j] = (double(x[r * n + j]) - mean[j]) * scale[j] + offset[j];
    simdnet::ebinary().affine_rows(m, n, x.data(), mean.data(), scale.data(), offset.data(), y.data());
    EXPECT_CLOSE_ARRAY(y, want, m * n, 1e-6, 1e-6, "affine_rows n=" + std::to_string(n));
    EXPECT(y[m * n] == 777.0f);
  }
}

TEST(unary_map) {
  const double kScale = 1.0507009873554804934193349852946, kScaleAlpha = 1.7580993408473768599402175208123;
  for (int o = 0; o <= 11; ++o) {
    const auto op = static_cast<Umap>(o);
    for (size_t n : kSizes) {
      const float lo = op == Umap::exp ? -100.0f : op == Umap::log || op == Umap::sqrt || op == Umap::rsqrt ? 0.0f : -8.0f;
      const float hi = op == Umap::exp ? 100.0f : 8.0f;
      auto x = random_vec(n, 9 + static_cast<uint32_t>(n), lo, hi);
      plant(x);
      if (n > 14) x[14] = -1e-4f;  // elu/selu near 0 (relative accuracy of expm1)
      std::vector<float> y(n + 1, 0.0f);
      y[n] = 777.0f;
      std::vector<double> want(n);
      const float p0 = op == Umap::clip ? -1.5f : 0.25f, p1 = 2.5f;
      for (size_t i = 0; i < n; ++i) {
        const double v = x[i];
        double w = 0;
        switch (op) {
          case Umap::relu6: w = std::isnan(v) ? v : std::fmin(std::fmax(0.0, v), 6.0); break;
          case Umap::elu: w = v >= 0 ? v : std::expm1(v); break;
          case Umap::selu: w = v >= 0 ? kScale * v : kScaleAlpha * std::expm1(v); break;
          case Umap::step: w = std::isnan(v) ? v : v > 0 ? 1.0 : p0; break;
          case Umap::exp: w = std::exp(v); break;
          case Umap::log: w = std::log(v); break;
          case Umap::sqrt: w = std::sqrt(v); break;
          case Umap::rsqrt: w = 1.0 / std::sqrt(v); break;
          case Umap::square: w = v * v; break;
          case Umap::neg: w = -v; break;
          case Umap::abs: w = std::fabs(v); break;
          case Umap::clip: w = v > p1 ? p1 : v < p0 ? p0 : v; break;
        }
        // Results below FLT_MIN flush to 0 (FTZ and exp's underflow), and float overflow is +Inf.
        want[i] = std::fabs(w) < 1.17549435e-38 ? 0.0 : static_cast<float>(w);
      }
      simdnet::vunary().map(op, p0, p1, n, x.data(), y.data());
      EXPECT_CLOSE_ARRAY(y, want, n, 1e-37, 6e-7, "map op " + std::to_string(o) + " n=" + std::to_string(n));
      EXPECT(y[n] == 777.0f);
    }
  }
}

CHECK_MAIN()
