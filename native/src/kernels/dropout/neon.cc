// NEON (AArch64) inverted dropout (contract: dropout.h). Philox4x32-10 on 4 blocks at once in SoA form (16 mask
// decisions per iteration), a 4x4 transpose back to element order; heads and leftovers through elem.h so the mask
// is bit-identical to the scalar one and the TS twin.
#include "simd/arch.h"
#if SIMDNET_ARM64
#include <arm_neon.h>

#include "kernels/dropout/dropout.h"
#include "kernels/dropout/elem.h"
#include "kernels/init/philox.h"

namespace simdnet::neon {
namespace {

static inline void mulhilo(uint32x4_t a, uint32x4_t m, uint32x4_t* hi, uint32x4_t* lo) {
  const uint64x2_t p_lo = vmull_u32(vget_low_u32(a), vget_low_u32(m));
  const uint64x2_t p_hi = vmull_high_u32(a, m);
  *hi = vuzp2q_u32(vreinterpretq_u32_u64(p_lo), vreinterpretq_u32_u64(p_hi));  // odd 32-bit halves = high words
  *lo = vmulq_u32(a, m);
}

// 4 Philox blocks with counters block0 .. block0+3; out[b] = the 4 words of block b (element order).
static inline void philox4(uint64_t block0, uint32x4_t s0, uint32x4_t s1, uint32_t k0, uint32_t k1,
                           uint32x4_t out[4]) {
  uint32_t lo[4], hi[4];
  for (int j = 0; j < 4; ++j) {
    const uint64_t b = block0 + static_cast<uint64_t>(j);
    lo[j] = static_cast<uint32_t>(b);
    hi[j] = static_cast<uint32_t>(b >> 32);
  }
  uint32x4_t c0 = vld1q_u32(lo), c1 = vld1q_u32(hi), c2 = s0, c3 = s1;
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
  out[0] = vreinterpretq_u32_u64(vtrn1q_u64(vreinterpretq_u64_u32(t0), vreinterpretq_u64_u32(t2)));
  out[1] = vreinterpretq_u32_u64(vtrn1q_u64(vreinterpretq_u64_u32(t1), vreinterpretq_u64_u32(t3)));
  out[2] = vreinterpretq_u32_u64(vtrn2q_u64(vreinterpretq_u64_u32(t0), vreinterpretq_u64_u32(t2)));
  out[3] = vreinterpretq_u32_u64(vtrn2q_u64(vreinterpretq_u64_u32(t1), vreinterpretq_u64_u32(t3)));
}

void f32_dropout_ukernel__neon(size_t n, float rate, uint64_t seed, uint64_t stream, uint64_t offset,
                               const float* x, float* y, uint8_t* mask) {
  const dropout_elem::Consts c = dropout_elem::consts(rate);
  const size_t head = dropout_elem::head_len(offset, n);
  dropout_elem::forward_range(0, head, c, seed, stream, offset, x, y, mask);
  const uint32x4_t s0 = vdupq_n_u32(static_cast<uint32_t>(stream)), s1 = vdupq_n_u32(static_cast<uint32_t>(stream >> 32));
  const uint32_t k0 = static_cast<uint32_t>(seed), k1 = static_cast<uint32_t>(seed >> 32);
  const uint32x4_t thr = vdupq_n_u32(c.threshold);
  const float32x4_t scale = vdupq_n_f32(c.scale);
  const uint8x16_t one = vdupq_n_u8(1);
  size_t i = head;
  for (; i + 16 <= n; i += 16) {
    uint32x4_t words[4], keep[4];
    philox4((offset + i) >> 2, s0, s1, k0, k1, words);
    for (int q = 0; q < 4; ++q) {
      keep[q] = vcgeq_u32(vshrq_n_u32(words[q], 8), thr);
      // x * (keep ? scale : 0): masking the product instead would turn a dropped NaN into 0
      const float32x4_t factor = vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(scale), keep[q]));
      vst1q_f32(y + i + 4 * q, vmulq_f32(vld1q_f32(x + i + 4 * q), factor));
    }
    const uint16x8_t h01 = vcombine_u16(vmovn_u32(keep[0]), vmovn_u32(keep[1]));
    const uint16x8_t h23 = vcombine_u16(vmovn_u32(keep[2]), vmovn_u32(keep[3]));
    vst1q_u8(mask + i, vandq_u8(vcombine_u8(vmovn_u16(h01), vmovn_u16(h23)), one));
  }
  dropout_elem::forward_range(i, n, c, seed, stream, offset, x, y, mask);  // leftovers
}

void f32_dropout_backward_ukernel__neon(size_t n, float rate, const uint8_t* mask, const float* dy, float* dx) {
  const float s = dropout_elem::consts(rate).scale;
  const float32x4_t scale = vdupq_n_f32(s);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const uint16x8_t m16 = vmovl_u8(vld1_u8(mask + i));
    const uint32x4_t mlo = vmovl_u16(vget_low_u16(m16)), mhi = vmovl_high_u16(m16);
    const uint32x4_t klo = vtstq_u32(mlo, mlo), khi = vtstq_u32(mhi, mhi);  // nonzero byte -> all ones
    const float32x4_t flo = vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(scale), klo));
    const float32x4_t fhi = vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(scale), khi));
    vst1q_f32(dx + i, vmulq_f32(vld1q_f32(dy + i), flo));
    vst1q_f32(dx + i + 4, vmulq_f32(vld1q_f32(dy + i + 4), fhi));
  }
  dropout_elem::backward_range(i, n, s, mask, dy, dx);
}

}  // namespace

const DropoutKernels dropout_kernels = {f32_dropout_ukernel__neon, f32_dropout_backward_ukernel__neon};

}  // namespace simdnet::neon
#endif  // SIMDNET_ARM64
