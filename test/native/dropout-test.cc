// Dropout: the mask is Philox's (word >> 8) * 2^-24 >= rate, identical on every ISA (heads/leftovers at every
// offset), the keep rate is right statistically, kept values are x / (1 - rate), backward reuses the mask.
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "check.h"
#include "kernels/dropout/dropout.h"
#include "kernels/init/rng.h"

using namespace simdnet;

static std::vector<float> randv(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-2.0f, 2.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

// Definition straight from dropout.h/rng.h, with nothing shared with the kernels except philox_word.
TEST(mask_follows_definition) {
  const float rate = 0.3f, scale = 1.0f / (1.0f - rate);
  for (uint64_t offset : {0ull, 1ull, 2ull, 3ull, 5ull, (1ull << 40) - 2, (1ull << 53) - 7}) {
    for (size_t n : {1, 3, 4, 15, 16, 17, 31, 32, 33, 65, 101, 1000}) {
      const uint64_t seed = 0x123456789ull, stream = 7ull << 40 | 3;
      auto x = randv(n + 2, unsigned(n));
      std::vector<float> y(n + 2, 99.0f);
      std::vector<uint8_t> mask(n + 2, 77);
      dropout().forward(n, rate, seed, stream, offset, x.data() + 1, y.data() + 1, mask.data() + 1);
      int bad = 0;
      for (size_t i = 0; i < n; ++i) {
        const float u = float(philox_word(seed, stream, offset + i) >> 8) * (1.0f / 16777216.0f);
        const bool keep = u >= rate;
        const float want = keep ? x[i + 1] * scale : 0.0f;
        if (mask[i + 1] != (keep ? 1 : 0) || y[i + 1] != want) {
          if (bad++ < 3)
            std::printf("  offset %llu n %zu index %zu: mask %d y %g want mask %d y %g\n", (unsigned long long)offset,
                        n, i, mask[i + 1], y[i + 1], keep, want);
        }
      }
      EXPECT(bad == 0);
      EXPECT(mask[0] == 77 && mask[n + 1] == 77 && y[0] == 99.0f && y[n + 1] == 99.0f);  // no writes outside
    }
  }
}

TEST(isa_equals_scalar_exactly) {
  for (float rate : {0.0f, 0.1f, 0.5f, 0.9f, 0.999f}) {
    for (uint64_t offset : {0ull, 1ull, 2ull, 3ull, 4ull, 4294967294ull * 4}) {  // last: block counter crosses 2^32
      const size_t n = 1031;
      auto x = randv(n, 5);
      std::vector<float> y(n), y2(n), dx(n), dx2(n);
      std::vector<uint8_t> m(n), m2(n);
      dropout().forward(n, rate, 42, 9, offset, x.data(), y.data(), m.data());
      scalar::dropout_kernels.forward(n, rate, 42, 9, offset, x.data(), y2.data(), m2.data());
      const std::string ctx = "rate " + std::to_string(rate) + " offset " + std::to_string(offset);
      EXPECT_CLOSE_ARRAY(m.data(), m2.data(), n, 0, 0, ctx + " mask");
      EXPECT_CLOSE_ARRAY(y.data(), y2.data(), n, 0, 0, ctx + " y");
      dropout().backward(n, rate, m.data(), x.data(), dx.data());
      scalar::dropout_kernels.backward(n, rate, m.data(), x.data(), dx2.data());
      EXPECT_CLOSE_ARRAY(dx.data(), dx2.data(), n, 0, 0, ctx + " dx");
      EXPECT_CLOSE_ARRAY(dx.data(), y.data(), n, 0, 0, ctx + " dx == y for dy == x");
    }
  }
}

TEST(keep_rate_and_identity_at_rate0) {
  const size_t n = 200000;
  std::vector<float> x(n, 1.0f), y(n);
  std::vector<uint8_t> m(n);
  for (float rate : {0.1f, 0.5f, 0.8f}) {
    dropout().forward(n, rate, 2024, 1, 0, x.data(), y.data(), m.data());
    size_t kept = 0;
    double sum = 0;
    for (size_t i = 0; i < n; ++i) {
      kept += m[i];
      sum += y[i];
    }
    // binomial sd = sqrt(n p (1-p)) <= 224; allow ~6 sd. Mean of y is 1 (inverted dropout).
    EXPECT(std::fabs(double(kept) - n * (1.0 - rate)) < 1400);
    EXPECT(std::fabs(sum / n - 1.0) < 0.01 / (1.0 - rate));
  }
  auto xr = randv(1001, 3);
  std::vector<float> yr(1001);
  std::vector<uint8_t> mr(1001);
  dropout().forward(1001, 0.0f, 1, 1, 3, xr.data(), yr.data(), mr.data());
  EXPECT_CLOSE_ARRAY(yr.data(), xr.data(), 1001, 0, 0, "rate 0 copies");
  size_t ones = 0;
  for (uint8_t b : mr) ones += b == 1;
  EXPECT(ones == 1001);
}

TEST(in_place) {
  const size_t n = 333;
  auto x = randv(n, 8), y = x, ref(x);
  std::vector<uint8_t> m(n), m2(n);
  dropout().forward(n, 0.4f, 5, 6, 7, y.data(), y.data(), m.data());  // y aliases x
  std::vector<float> want(n);
  dropout().forward(n, 0.4f, 5, 6, 7, ref.data(), want.data(), m2.data());
  EXPECT_CLOSE_ARRAY(y.data(), want.data(), n, 0, 0, "in-place forward");
  dropout().backward(n, 0.4f, m.data(), ref.data(), ref.data());  // dx aliases dy
  EXPECT_CLOSE_ARRAY(ref.data(), want.data(), n, 0, 0, "in-place backward");
}

CHECK_MAIN()

// y = x * mask * scale, as PyTorch and TF compute it: a dropped NaN or Inf is NaN (masking the product would hide a
// diverged activation as 0), a dropped negative is -0; the same for dy in backward. Body (32-wide) and tail.
TEST(dropped_values_are_x_times_zero) {
  const size_t n = 37;
  for (float special : {NAN, INFINITY, -2.0f}) {
    std::vector<float> x(n, special), y(n), dx(n);
    std::vector<uint8_t> m(n);
    dropout().forward(n, 0.5f, 7, 3, 0, x.data(), y.data(), m.data());
    dropout().backward(n, 0.5f, m.data(), x.data(), dx.data());
    size_t dropped = 0;
    for (size_t i = 0; i < n; ++i) {
      for (float v : {y[i], dx[i]}) {
        if (std::isnan(special) || (std::isinf(special) && !m[i])) EXPECT(std::isnan(v));
        else if (std::isinf(special)) EXPECT(v == INFINITY);
        else if (m[i]) EXPECT(v == -4.0f);
        else EXPECT(v == 0.0f && std::signbit(v));
      }
      dropped += m[i] == 0;
    }
    EXPECT(dropped > 0 && dropped < n);
  }
}
