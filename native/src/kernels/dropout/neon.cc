// NEON (AArch64) inverted dropout (contract: dropout.h): the shared loops of dropout-simd.inc over 4-float vectors
// (simd/vec-neon.h), with this file's Philox pieces: Philox4x32-10 on 4 blocks at once in SoA form (16 mask
// decisions per call), a 4x4 transpose back to element order.
#include "simd/arch.h"
#if SIMDNET_ARM64
#include <arm_neon.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/dropout/dropout.h"
#include "kernels/dropout/elem.h"
#include "kernels/init/philox.h"
#include "simd/vec-neon.h"

namespace simdnet::neon {
namespace {

static inline void mulhilo(uint32x4_t a, uint32x4_t m, uint32x4_t* hi, uint32x4_t* lo) {
  const uint64x2_t p_lo = vmull_u32(vget_low_u32(a), vget_low_u32(m));
  const uint64x2_t p_hi = vmull_high_u32(a, m);
  *hi = vuzp2q_u32(vreinterpretq_u32_u64(p_lo), vreinterpretq_u32_u64(p_hi));  // odd 32-bit halves = high words
  *lo = vmulq_u32(a, m);
}

struct Philox {
  uint32x4_t s0, s1, thr;
  uint32_t k0, k1;
};
static inline Philox philox_setup(uint64_t seed, uint64_t stream, uint32_t threshold) {
  return {vdupq_n_u32(static_cast<uint32_t>(stream)), vdupq_n_u32(static_cast<uint32_t>(stream >> 32)),
          vdupq_n_u32(threshold), static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32)};
}

// 4 Philox blocks with counters block0 .. block0+3; keep[b] = the decisions of the 4 words of block b.
static inline void philox_keep(const Philox& p, uint64_t block0, M keep[4]) {
  uint32_t lo[4], hi[4];
  for (int j = 0; j < 4; ++j) {
    const uint64_t b = block0 + static_cast<uint64_t>(j);
    lo[j] = static_cast<uint32_t>(b);
    hi[j] = static_cast<uint32_t>(b >> 32);
  }
  uint32x4_t c0 = vld1q_u32(lo), c1 = vld1q_u32(hi), c2 = p.s0, c3 = p.s1;
  uint32_t k0 = p.k0, k1 = p.k1;
  const uint32x4_t m0 = vdupq_n_u32(philox::kM0), m1 = vdupq_n_u32(philox::kM1);
  for (int r = 0; r < philox::kRounds; ++r) {
    if (r > 0) {
      k0 += philox::kW0;
      k1 += philox::kW1;
    }
    uint32x4_t hi0, lo0, hi1, lo1;
    mulhilo(c0, m0, &hi0, &lo0);
    mulhilo(c2, m1, &hi1, &lo1);
    const uint32x4_t n0 = veorq_u32(veorq_u32(hi1, c1), vdupq_n_u32(k0));
    const uint32x4_t n2 = veorq_u32(veorq_u32(hi0, c3), vdupq_n_u32(k1));
    c0 = n0;
    c1 = lo1;
    c2 = n2;
    c3 = lo0;
  }
  const uint32x4_t t0 = vtrn1q_u32(c0, c1), t1 = vtrn2q_u32(c0, c1);
  const uint32x4_t t2 = vtrn1q_u32(c2, c3), t3 = vtrn2q_u32(c2, c3);
  const uint32x4_t words[4] = {
      vreinterpretq_u32_u64(vtrn1q_u64(vreinterpretq_u64_u32(t0), vreinterpretq_u64_u32(t2))),
      vreinterpretq_u32_u64(vtrn1q_u64(vreinterpretq_u64_u32(t1), vreinterpretq_u64_u32(t3))),
      vreinterpretq_u32_u64(vtrn2q_u64(vreinterpretq_u64_u32(t0), vreinterpretq_u64_u32(t2))),
      vreinterpretq_u32_u64(vtrn2q_u64(vreinterpretq_u64_u32(t1), vreinterpretq_u64_u32(t3)))};
  for (int q = 0; q < 4; ++q) keep[q] = vcgeq_u32(vshrq_n_u32(words[q], 8), p.thr);
}

static inline void store_keep_bytes(uint8_t* mask, const M keep[4]) {
  const uint16x8_t h01 = vcombine_u16(vmovn_u32(keep[0]), vmovn_u32(keep[1]));
  const uint16x8_t h23 = vcombine_u16(vmovn_u32(keep[2]), vmovn_u32(keep[3]));
  vst1q_u8(mask, vandq_u8(vcombine_u8(vmovn_u16(h01), vmovn_u16(h23)), vdupq_n_u8(1)));
}

// Exactly 4 bytes read (a wider load could run past the end of the mask).
static inline M load_keep(const uint8_t* mask) {
  uint32_t b;
  std::memcpy(&b, mask, 4);
  const uint32x4_t m = vmovl_u16(vget_low_u16(vmovl_u8(vreinterpret_u8_u32(vdup_n_u32(b)))));
  return vtstq_u32(m, m);
}

#include "kernels/dropout/dropout-simd.inc"

}  // namespace

const DropoutKernels dropout_kernels = kDropoutKernels;

}  // namespace simdnet::neon
#endif  // SIMDNET_ARM64
