// Max/Min/ArgMax/ArgMin along rows and columns on every ISA against tfjs-backend-cpu's loops transcribed here
// (value: NaN if any; index: first element is the start, strictly better replaces, so NaN is skipped unless first),
// with ties, NaN first / in the middle / everywhere, -Inf-only rows, and guard values past every output.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "check.h"
#include "kernels/argreduce/argreduce.h"

namespace {

using simdnet::Extreme;

uint32_t lcg(uint32_t* s) { return *s = *s * 1664525u + 1013904223u; }

// tfjs's loops over count elements at stride.
void tfjs_ref(Extreme e, size_t count, size_t stride, const float* x, float* val, int32_t* idx) {
  auto better = [&](float u, float b) { return e == Extreme::max ? u > b : u < b; };
  float v = x[0], best = x[0];
  int32_t at = 0;
  for (size_t i = 0; i < count; ++i) {
    const float u = x[i * stride];
    if (std::isnan(u) || better(u, v)) v = u;
    if (better(u, best)) {
      best = u;
      at = static_cast<int32_t>(i);
    }
  }
  *val = v;
  *idx = at;
}

std::vector<float> make(size_t m, size_t n, uint32_t seed, int pattern) {
  std::vector<float> x(m * n);
  for (auto& v : x) v = static_cast<float>(static_cast<int>(lcg(&seed) >> 26) - 32);  // small ints: many ties
  for (size_t r = 0; r < m; ++r) {
    float* row = x.data() + r * n;
    switch ((r + pattern) % 6) {
      case 0: break;
      case 1: row[0] = NAN; break;
      case 2: row[n / 2] = NAN; break;
      case 3:
        for (size_t j = 0; j < n; ++j) row[j] = NAN;
        break;
      case 4:
        for (size_t j = 0; j < n; ++j) row[j] = (j % 3) ? -INFINITY : NAN;
        break;
      case 5: row[n - 1] = INFINITY; break;
    }
  }
  return x;
}

}  // namespace

TEST(rows_and_cols) {
  const size_t kDims[] = {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64, 100};
  for (Extreme e : {Extreme::max, Extreme::min})
    for (size_t m : kDims)
      for (size_t n : kDims)
        for (int pattern = 0; pattern < 2; ++pattern) {
          const auto x = make(m, n, static_cast<uint32_t>(m * 131 + n), pattern);
          const std::string ctx = std::string(e == Extreme::max ? "max" : "min") + " m=" + std::to_string(m) +
                                  " n=" + std::to_string(n);
          // rows
          std::vector<float> vals(m + 1, 777.0f), want_v(m);
          std::vector<int32_t> idx(m + 1, -7), want_i(m);
          for (size_t r = 0; r < m; ++r) tfjs_ref(e, n, 1, x.data() + r * n, &want_v[r], &want_i[r]);
          simdnet::argreduce().rows(e, m, n, x.data(), vals.data(), idx.data());
          EXPECT_CLOSE_ARRAY(vals, want_v, m, 0.0, 0.0, "rows " + ctx);
          for (size_t r = 0; r < m; ++r) EXPECT(idx[r] == want_i[r]);
          EXPECT(vals[m] == 777.0f && idx[m] == -7);
          // cols
          std::vector<float> cvals(n + 1, 777.0f), cwant_v(n);
          std::vector<int32_t> cidx(n + 1, -7), cwant_i(n);
          for (size_t j = 0; j < n; ++j) tfjs_ref(e, m, n, x.data() + j, &cwant_v[j], &cwant_i[j]);
          simdnet::argreduce().cols(e, m, n, x.data(), cvals.data(), cidx.data());
          EXPECT_CLOSE_ARRAY(cvals, cwant_v, n, 0.0, 0.0, "cols " + ctx);
          for (size_t j = 0; j < n; ++j) EXPECT(cidx[j] == cwant_i[j]);
          EXPECT(cvals[n] == 777.0f && cidx[n] == -7);
          // optional outputs
          simdnet::argreduce().rows(e, m, n, x.data(), nullptr, idx.data());
          simdnet::argreduce().cols(e, m, n, x.data(), cvals.data(), nullptr);
        }
}

CHECK_MAIN()
