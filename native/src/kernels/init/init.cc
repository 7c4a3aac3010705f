// Weight initializers (contract: init.h). Scalar on every target: they run once per model.
//
// Bit-exact agreement with the TS twin (lib/kernels/reference/init.ts) is a requirement, so every value is computed
// with IEEE double operations that JS performs identically (+ - * / sqrt, each correctly rounded) and rounded to
// float once at the end. libm's log/cos are NOT used: glibc and V8 may differ in the last bit, so the normal
// sampler uses its own log and cos (series below), evaluated in the same order in both languages. Contraction of
// a*b+c into FMA (GCC does it by default where FMA is baseline, e.g. AArch64) would change the rounding, so it is
// switched off for this file.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=off")
#endif
#if defined(__clang__)
#pragma clang fp contract(off)
#endif

#include "kernels/init/init.h"

#include <cmath>

#include "kernels/init/philox.h"

namespace simdnet {
namespace {

constexpr double kTwo32Inv = 1.0 / 4294967296.0;   // 2^-32
constexpr double kTwo24Inv = 1.0 / 16777216.0;     // 2^-24
constexpr double kLn2 = 0.6931471805599453;        // nearest double to ln 2
constexpr double kSqrt2 = 1.4142135623730951;      // nearest double to sqrt 2
constexpr double kTwoPi = 6.283185307179586;       // nearest double to 2 pi
// Standard deviation of a unit normal truncated to [-2, 2]; Keras VarianceScaling divides by it so the truncated
// draw has the intended variance (keras/src/initializers/random_initializers.py).
constexpr double kTruncStd = 0.87962566103423978;

// log(v * 2^-32) for an integer v in [1, 2^32]: v = m * 2^e with m in [sqrt(1/2), sqrt(2)], then
// log m = 2 atanh(s), s = (m-1)/(m+1), |s| <= 0.1716, series to s^23 (next term < 1e-18 relative).
double log_u32(double v) {
  int e = 0;
  double m = v;
  while (m >= 2.0) {  // exact: halving a double
    m *= 0.5;
    ++e;
  }
  if (m > kSqrt2) {
    m *= 0.5;
    ++e;
  }
  const double f = m - 1.0;  // exact (Sterbenz)
  const double s = f / (2.0 + f);
  const double s2 = s * s;
  double p = 1.0 / 23.0;
  p = p * s2 + 1.0 / 21.0;
  p = p * s2 + 1.0 / 19.0;
  p = p * s2 + 1.0 / 17.0;
  p = p * s2 + 1.0 / 15.0;
  p = p * s2 + 1.0 / 13.0;
  p = p * s2 + 1.0 / 11.0;
  p = p * s2 + 1.0 / 9.0;
  p = p * s2 + 1.0 / 7.0;
  p = p * s2 + 1.0 / 5.0;
  p = p * s2 + 1.0 / 3.0;
  p = p * s2 + 1.0;
  return static_cast<double>(e - 32) * kLn2 + 2.0 * s * p;
}

// cos(x) and sin(x) for x in [0, pi/4] by Taylor series (cos to x^18/18!, sin to x^19/19!: error < 1e-17).
double cos_series(double x) {
  const double x2 = x * x;
  double p = -1.0 / 6402373705728000.0;  // -1/18!
  p = p * x2 + 1.0 / 20922789888000.0;   // 1/16!
  p = p * x2 - 1.0 / 87178291200.0;      // 1/14!
  p = p * x2 + 1.0 / 479001600.0;        // 1/12!
  p = p * x2 - 1.0 / 3628800.0;          // 1/10!
  p = p * x2 + 1.0 / 40320.0;
  p = p * x2 - 1.0 / 720.0;
  p = p * x2 + 1.0 / 24.0;
  p = p * x2 - 1.0 / 2.0;
  return p * x2 + 1.0;
}
double sin_series(double x) {
  const double x2 = x * x;
  double p = -1.0 / 121645100408832000.0;  // -1/19!
  p = p * x2 + 1.0 / 355687428096000.0;    // 1/17!
  p = p * x2 - 1.0 / 1307674368000.0;      // 1/15!
  p = p * x2 + 1.0 / 6227020800.0;         // 1/13!
  p = p * x2 - 1.0 / 39916800.0;           // 1/11!
  p = p * x2 + 1.0 / 362880.0;
  p = p * x2 - 1.0 / 5040.0;
  p = p * x2 + 1.0 / 120.0;
  p = p * x2 - 1.0 / 6.0;
  return (p * x2) * x + x;
}

// cos(2 pi t) for t = w * 2^-32 in [0, 1): octant reduction with exact subtractions on t.
double cos_2pi(double t) {
  if (t >= 0.5) t = 1.0 - t;  // cos(2pi(1-t)) = cos(2pi t)
  double sign = 1.0;
  if (t > 0.25) {  // cos(pi - x) = -cos x
    t = 0.5 - t;
    sign = -1.0;
  }
  if (t > 0.125) return sign * sin_series(kTwoPi * (0.25 - t));  // cos(pi/2 - x) = sin x
  return sign * cos_series(kTwoPi * t);
}

// Standard normal number `attempt` for element i: Box-Muller on words 0 and 1 of Philox block
// (seed, stream, ctr = i | attempt << 48): u1 = (w0 + 1) 2^-32 in (0, 1], u2 = w1 2^-32 in [0, 1),
// z = sqrt(-2 log u1) cos(2 pi u2). (Element indices stay below 2^40, so the attempt bits never collide.)
double std_normal(uint64_t seed, uint64_t stream, uint64_t i, uint64_t attempt) {
  uint32_t w[4];
  philox::block64(seed, stream, i | (attempt << 48), w);
  const double r = std::sqrt(-2.0 * log_u32(static_cast<double>(w[0]) + 1.0));
  return r * cos_2pi(static_cast<double>(w[1]) * kTwo32Inv);
}

// Keras TruncatedNormal: redraw while |z| > 2 (P(reject) = 4.55%; 2^16 attempts never run out in practice, and if
// they did the element gets the mean).
double trunc_normal(uint64_t seed, uint64_t stream, uint64_t i) {
  for (uint64_t k = 0; k < (uint64_t{1} << 16); ++k) {
    const double z = std_normal(seed, stream, i, k);
    if (z >= -2.0 && z <= 2.0) return z;
  }
  return 0.0;
}

// value = float(lo + (hi - lo) * u), u = (word_i >> 8) 2^-24: words taken four per Philox block.
void fill_uniform(double lo, double hi, uint64_t seed, uint64_t stream, size_t n, float* w) {
  const double span = hi - lo;
  for (size_t base = 0; base < n; base += 4) {
    uint32_t r[4];
    philox::block64(seed, stream, base >> 2, r);
    for (size_t j = 0; j < 4 && base + j < n; ++j) {
      const double u = static_cast<double>(r[j] >> 8) * kTwo24Inv;
      w[base + j] = static_cast<float>(lo + span * u);
    }
  }
}

void fill_normal(double mean, double std, bool truncated, uint64_t seed, uint64_t stream, size_t n, float* w) {
  for (size_t i = 0; i < n; ++i) {
    const double z = truncated ? trunc_normal(seed, stream, i) : std_normal(seed, stream, i, 0);
    w[i] = static_cast<float>(mean + std * z);
  }
}

}  // namespace

void init_fill(const InitArgs& args, size_t n, float* w) {
  const double fan_in = static_cast<double>(args.fan_in), fan_sum = static_cast<double>(args.fan_in + args.fan_out);
  const uint64_t seed = args.seed, stream = args.stream;
  switch (args.kind) {
    case Init::zeros:
      for (size_t i = 0; i < n; ++i) w[i] = 0.0f;
      return;
    case Init::ones:
      for (size_t i = 0; i < n; ++i) w[i] = 1.0f;
      return;
    case Init::constant:
      for (size_t i = 0; i < n; ++i) w[i] = args.value;
      return;
    case Init::uniform:
      return fill_uniform(args.a, args.b, seed, stream, n, w);
    case Init::normal:
      return fill_normal(args.a, args.b, false, seed, stream, n, w);
    case Init::truncated_normal:
      return fill_normal(args.a, args.b, true, seed, stream, n, w);
    case Init::glorot_uniform: {
      const double l = std::sqrt(6.0 / fan_sum);
      return fill_uniform(-l, l, seed, stream, n, w);
    }
    case Init::he_uniform: {
      const double l = std::sqrt(6.0 / fan_in);
      return fill_uniform(-l, l, seed, stream, n, w);
    }
    case Init::lecun_uniform: {
      const double l = std::sqrt(3.0 / fan_in);
      return fill_uniform(-l, l, seed, stream, n, w);
    }
    case Init::glorot_normal:
      return fill_normal(0.0, std::sqrt(2.0 / fan_sum) / kTruncStd, true, seed, stream, n, w);
    case Init::he_normal:
      return fill_normal(0.0, std::sqrt(2.0 / fan_in) / kTruncStd, true, seed, stream, n, w);
    case Init::lecun_normal:
      return fill_normal(0.0, std::sqrt(1.0 / fan_in) / kTruncStd, true, seed, stream, n, w);
  }
}

}  // namespace simdnet
