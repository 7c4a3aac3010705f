// Philox4x32-10 block function, header-only and `static inline` so every translation unit (scalar, the AVX2 and NEON
// dropout tails) gets its own baseline copy (see simd/avx2-begin.h for why nothing here may be plain `inline`).
// Constants and round structure: Salmon, Moraes, Dror, Shaw, "Parallel random numbers: as easy as 1, 2, 3" (SC'11),
// as in Random123's philox.h: multipliers 0xD2511F53 / 0xCD9E8D57, Weyl key increments 0x9E3779B9 / 0xBB67AE85.
#pragma once
#include <cstdint>

namespace simdnet::philox {

constexpr uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;  // round multipliers
constexpr uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;  // key schedule (golden ratio, sqrt(3)-1)
constexpr int kRounds = 10;

// c = {ctr lo, ctr hi, stream lo, stream hi}, k = {seed lo, seed hi}; on return c holds the 4 output words.
static inline void block(uint32_t c[4], uint32_t k0, uint32_t k1) noexcept {
  for (int r = 0; r < kRounds; ++r) {
    if (r > 0) {
      k0 += kW0;
      k1 += kW1;
    }
    const uint64_t p0 = static_cast<uint64_t>(kM0) * c[0];
    const uint64_t p1 = static_cast<uint64_t>(kM1) * c[2];
    const uint32_t hi0 = static_cast<uint32_t>(p0 >> 32), lo0 = static_cast<uint32_t>(p0);
    const uint32_t hi1 = static_cast<uint32_t>(p1 >> 32), lo1 = static_cast<uint32_t>(p1);
    const uint32_t n0 = hi1 ^ c[1] ^ k0, n2 = hi0 ^ c[3] ^ k1;
    c[0] = n0;
    c[1] = lo1;
    c[2] = n2;
    c[3] = lo0;
  }
}

static inline void block64(uint64_t seed, uint64_t stream, uint64_t ctr, uint32_t out[4]) noexcept {
  out[0] = static_cast<uint32_t>(ctr);
  out[1] = static_cast<uint32_t>(ctr >> 32);
  out[2] = static_cast<uint32_t>(stream);
  out[3] = static_cast<uint32_t>(stream >> 32);
  block(out, static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32));
}

// Dropout keeps element i iff uniform01(word) >= rate, uniform01(word) = (word >> 8) * 2^-24. Multiplying a float by
// 2^24 is exact, so that is the integer test (word >> 8) >= ceil(rate * 2^24): what the SIMD paths compare.
static inline uint32_t keep_threshold(float rate) noexcept {
  const float t = rate * 16777216.0f;  // exact: power-of-two scaling of a float in [0, 1)
  uint32_t ti = static_cast<uint32_t>(t);
  if (static_cast<float>(ti) < t) ++ti;  // ceil
  return ti;
}

}  // namespace simdnet::philox
