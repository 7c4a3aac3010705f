// Philox known answers and initializer statistics. (Exact native == TS agreement is tested in
// test/kernels/init.test.ts, which runs both.)
#include <cmath>
#include <cstdio>
#include <vector>

#include "check.h"
#include "kernels/init/init.h"
#include "kernels/init/rng.h"

using namespace simdnet;

// Random123 kat_vectors, "philox4x32 10" lines: counter words, key words -> outputs. Our counter is
// {ctr lo, ctr hi, stream lo, stream hi} and the key {seed lo, seed hi}.
TEST(philox_known_answers) {
  struct Kat {
    uint32_t c[4], k[2], want[4];
  } kats[] = {
      {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u}},
      {{0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu},
       {0xffffffffu, 0xffffffffu},
       {0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu}},
      {{0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u},
       {0xa4093822u, 0x299f31d0u},
       {0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}},
  };
  for (const Kat& t : kats) {
    const uint64_t ctr = (uint64_t(t.c[1]) << 32) | t.c[0], stream = (uint64_t(t.c[3]) << 32) | t.c[2];
    const uint64_t seed = (uint64_t(t.k[1]) << 32) | t.k[0];
    uint32_t out[4];
    philox4x32(seed, stream, ctr, out);
    for (int j = 0; j < 4; ++j) {
      if (out[j] != t.want[j]) std::printf("  word %d got %08x want %08x\n", j, out[j], t.want[j]);
      EXPECT(out[j] == t.want[j]);
      if (ctr < (uint64_t{1} << 62)) EXPECT(philox_word(seed, stream, ctr * 4 + j) == t.want[j]);
    }
  }
}

static void moments(const std::vector<float>& w, double* mean, double* var, double* lo, double* hi) {
  double s = 0, s2 = 0;
  *lo = INFINITY;
  *hi = -INFINITY;
  for (float x : w) {
    s += x;
    s2 += double(x) * x;
    *lo = std::fmin(*lo, x);
    *hi = std::fmax(*hi, x);
  }
  *mean = s / w.size();
  *var = s2 / w.size() - *mean * *mean;
}

TEST(init_moments) {
  const size_t n = 200000, fi = 300, fo = 100;
  struct Case {
    Init kind;
    double want_std, bound;  // bound: max |w| (0 = unbounded)
  } cases[] = {
      {Init::glorot_uniform, std::sqrt(6.0 / (fi + fo)) / std::sqrt(3.0), std::sqrt(6.0 / (fi + fo))},
      {Init::he_uniform, std::sqrt(2.0 / fi), std::sqrt(6.0 / fi)},
      {Init::lecun_uniform, std::sqrt(1.0 / fi), std::sqrt(3.0 / fi)},
      // Truncated normals with Keras's .8796 correction have the nominal std; bounded by 2 * std/.8796.
      {Init::glorot_normal, std::sqrt(2.0 / (fi + fo)), 2 * std::sqrt(2.0 / (fi + fo)) / 0.87962566103423978},
      {Init::he_normal, std::sqrt(2.0 / fi), 2 * std::sqrt(2.0 / fi) / 0.87962566103423978},
      {Init::lecun_normal, std::sqrt(1.0 / fi), 2 * std::sqrt(1.0 / fi) / 0.87962566103423978},
  };
  for (const Case& c : cases) {
    InitArgs a;
    a.kind = c.kind;
    a.fan_in = fi;
    a.fan_out = fo;
    a.seed = 42;
    a.stream = 3;
    std::vector<float> w(n);
    init_fill(a, n, w.data());
    double mean, var, lo, hi;
    moments(w, &mean, &var, &lo, &hi);
    const double sd = std::sqrt(var);
    if (!(std::fabs(mean) < 0.01 * c.want_std * 5 && std::fabs(sd / c.want_std - 1) < 0.01))
      std::printf("  kind %d mean %g std %g want std %g\n", int(c.kind), mean, sd, c.want_std);
    EXPECT(std::fabs(mean) < 0.05 * c.want_std);
    EXPECT(std::fabs(sd / c.want_std - 1) < 0.01);
    EXPECT(hi <= c.bound * (1 + 1e-6) && lo >= -c.bound * (1 + 1e-6));
    EXPECT(hi > 0.9 * c.bound && lo < -0.9 * c.bound);
  }
}

TEST(init_plain_kinds) {
  const size_t n = 100001;
  std::vector<float> w(n);
  InitArgs a;
  a.seed = 7;
  a.kind = Init::zeros;
  init_fill(a, n, w.data());
  for (float x : w) EXPECT(x == 0.0f);
  a.kind = Init::ones;
  init_fill(a, n, w.data());
  for (float x : w) EXPECT(x == 1.0f);
  a.kind = Init::constant;
  a.value = -2.5f;
  init_fill(a, n, w.data());
  for (float x : w) EXPECT(x == -2.5f);
  // uniform [2, 5): mean 3.5, var 9/12
  a.kind = Init::uniform;
  a.a = 2.0f;
  a.b = 5.0f;
  init_fill(a, n, w.data());
  double mean, var, lo, hi;
  moments(w, &mean, &var, &lo, &hi);
  EXPECT(std::fabs(mean - 3.5) < 0.02 && std::fabs(var - 0.75) < 0.01 && lo >= 2.0 && hi < 5.0);
  // normal(1, 3): also checks the tails exist (|z| > 3 has probability 0.27%)
  a.kind = Init::normal;
  a.a = 1.0f;
  a.b = 3.0f;
  init_fill(a, n, w.data());
  moments(w, &mean, &var, &lo, &hi);
  EXPECT(std::fabs(mean - 1.0) < 0.05 && std::fabs(std::sqrt(var) - 3.0) < 0.03 && lo < 1 - 9 && hi > 1 + 9);
  size_t within1 = 0;
  for (float x : w) within1 += std::fabs(x - 1.0) <= 3.0;
  EXPECT(std::fabs(double(within1) / n - 0.6827) < 0.01);
  // truncated normal(0, 1): all in [-2, 2], variance of the truncated unit normal = .87962566^2
  a.kind = Init::truncated_normal;
  a.a = 0.0f;
  a.b = 1.0f;
  init_fill(a, n, w.data());
  moments(w, &mean, &var, &lo, &hi);
  EXPECT(lo >= -2.0 && hi <= 2.0 && std::fabs(std::sqrt(var) - 0.87962566) < 0.01);
}

TEST(init_is_deterministic_and_stream_separated) {
  const size_t n = 1000;
  std::vector<float> a1(n), a2(n), b(n), prefix(n / 2);
  InitArgs a;
  a.kind = Init::he_normal;
  a.fan_in = 10;
  a.seed = 123;
  a.stream = 4;
  init_fill(a, n, a1.data());
  init_fill(a, n, a2.data());
  init_fill(a, n / 2, prefix.data());  // element i does not depend on n
  a.stream = 5;
  init_fill(a, n, b.data());
  size_t same = 0;
  for (size_t i = 0; i < n; ++i) {
    EXPECT(a1[i] == a2[i]);
    same += a1[i] == b[i];
  }
  for (size_t i = 0; i < n / 2; ++i) EXPECT(prefix[i] == a1[i]);
  EXPECT(same < 5);
}

// The sampler's own log/cos series (used for bit-exact agreement with JS) must match libm's Box-Muller.
TEST(normal_matches_libm_box_muller) {
  const size_t n = 20000;
  std::vector<float> w(n), want(n);
  InitArgs a;
  a.kind = Init::normal;
  a.a = 0.0f;
  a.b = 1.0f;
  a.seed = 99;
  a.stream = 1;
  init_fill(a, n, w.data());
  for (size_t i = 0; i < n; ++i) {
    uint32_t r[4];
    philox4x32(a.seed, a.stream, i, r);
    const double u1 = (double(r[0]) + 1.0) / 4294967296.0, u2 = double(r[1]) / 4294967296.0;
    want[i] = float(std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2));
  }
  EXPECT_CLOSE_ARRAY(w.data(), want.data(), n, 1e-6, 1e-6, "normal vs libm");
}

CHECK_MAIN()
