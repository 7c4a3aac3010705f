// AVX2 inverted dropout (contract: dropout.h). Philox4x32-10 runs on 8 blocks at once in SoA form (one 32-bit
// counter word of 8 blocks per register), giving 32 mask decisions per iteration; a 4x8 transpose puts the words
// back in element order. Heads (up to a Philox block boundary) and leftovers go through elem.h, so the mask is
// bit-identical to the scalar one (and to the TS twin).
#include "simd/arch.h"
#if SIMDNET_X86
#include <immintrin.h>

#include "kernels/dropout/dropout.h"
#include "kernels/dropout/elem.h"
#include "kernels/init/philox.h"

#include "simd/avx2-begin.h"

namespace simdnet::avx2 {
namespace {

// hi/lo 32 bits of a * m for 8 lanes: mul_epu32 multiplies the even lanes; the odd ones are shifted down first.
static inline void mulhilo(__m256i a, __m256i m, __m256i* hi, __m256i* lo) {
  const __m256i even = _mm256_mul_epu32(a, m);
  const __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), m);
  *hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
  *lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
}

// 8 Philox blocks with counters block0 .. block0+7; out[k] = outputs of 8 consecutive words... in element order:
// out[0] = words of blocks 0,1; out[1] = blocks 2,3; out[2] = blocks 4,5; out[3] = blocks 6,7.
static inline void philox8(uint64_t block0, __m256i s0, __m256i s1, uint32_t k0, uint32_t k1, __m256i out[4]) {
  alignas(32) uint32_t lo[8], hi[8];
  for (int j = 0; j < 8; ++j) {
    const uint64_t b = block0 + static_cast<uint64_t>(j);
    lo[j] = static_cast<uint32_t>(b);
    hi[j] = static_cast<uint32_t>(b >> 32);
  }
  __m256i c0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(lo));
  __m256i c1 = _mm256_load_si256(reinterpret_cast<const __m256i*>(hi));
  __m256i c2 = s0, c3 = s1;
  const __m256i m0 = _mm256_set1_epi32(static_cast<int>(philox::kM0)), m1 = _mm256_set1_epi32(static_cast<int>(philox::kM1));
  for (int r = 0; r < philox::kRounds; ++r) {
    if (r > 0) {
      k0 += philox::kW0;
      k1 += philox::kW1;
    }
    __m256i hi0, lo0, hi1, lo1;
    mulhilo(c0, m0, &hi0, &lo0);
    mulhilo(c2, m1, &hi1, &lo1);
    const __m256i n0 = _mm256_xor_si256(_mm256_xor_si256(hi1, c1), _mm256_set1_epi32(static_cast<int>(k0)));
    const __m256i n2 = _mm256_xor_si256(_mm256_xor_si256(hi0, c3), _mm256_set1_epi32(static_cast<int>(k1)));
    c0 = n0;
    c1 = lo1;
    c2 = n2;
    c3 = lo0;
  }
  // 4x8 transpose: from "word j of blocks 0..7" to "words 0..3 of block b" in element order.
  const __m256i t0 = _mm256_unpacklo_epi32(c0, c1), t1 = _mm256_unpackhi_epi32(c0, c1);
  const __m256i t2 = _mm256_unpacklo_epi32(c2, c3), t3 = _mm256_unpackhi_epi32(c2, c3);
  const __m256i u0 = _mm256_unpacklo_epi64(t0, t2), u1 = _mm256_unpackhi_epi64(t0, t2);  // blocks 0|4, 1|5
  const __m256i u2 = _mm256_unpacklo_epi64(t1, t3), u3 = _mm256_unpackhi_epi64(t1, t3);  // blocks 2|6, 3|7
  out[0] = _mm256_permute2x128_si256(u0, u1, 0x20);
  out[1] = _mm256_permute2x128_si256(u2, u3, 0x20);
  out[2] = _mm256_permute2x128_si256(u0, u1, 0x31);
  out[3] = _mm256_permute2x128_si256(u2, u3, 0x31);
}

void f32_dropout_ukernel__avx2(size_t n, float rate, uint64_t seed, uint64_t stream, uint64_t offset,
                               const float* x, float* y, uint8_t* mask) {
  const dropout_elem::Consts c = dropout_elem::consts(rate);
  const size_t head = dropout_elem::head_len(offset, n);
  dropout_elem::forward_range(0, head, c, seed, stream, offset, x, y, mask);
  const __m256i s0 = _mm256_set1_epi32(static_cast<int>(static_cast<uint32_t>(stream)));
  const __m256i s1 = _mm256_set1_epi32(static_cast<int>(static_cast<uint32_t>(stream >> 32)));
  const uint32_t k0 = static_cast<uint32_t>(seed), k1 = static_cast<uint32_t>(seed >> 32);
  // keep iff (word >> 8) >= threshold; both sides < 2^31, so a signed compare against threshold - 1 works.
  const __m256i thr_m1 = _mm256_set1_epi32(static_cast<int>(c.threshold) - 1);
  const __m256 scale = _mm256_set1_ps(c.scale);
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7), one = _mm256_set1_epi8(1);
  size_t i = head;
  for (; i + 32 <= n; i += 32) {
    __m256i words[4], keep[4];
    philox8((offset + i) >> 2, s0, s1, k0, k1, words);
    for (int q = 0; q < 4; ++q) {
      keep[q] = _mm256_cmpgt_epi32(_mm256_srli_epi32(words[q], 8), thr_m1);
      // x * (keep ? scale : 0): masking the product instead would turn a dropped NaN into 0
      const __m256 factor = _mm256_and_ps(scale, _mm256_castsi256_ps(keep[q]));
      _mm256_storeu_ps(y + i + 8 * q, _mm256_mul_ps(_mm256_loadu_ps(x + i + 8 * q), factor));
    }
    // 32 lanes of 0/-1 -> 32 bytes of 0/1 in element order (packs interleave the 128-bit halves; undo with order).
    const __m256i p01 = _mm256_packs_epi32(keep[0], keep[1]), p23 = _mm256_packs_epi32(keep[2], keep[3]);
    const __m256i bytes = _mm256_permutevar8x32_epi32(_mm256_packs_epi16(p01, p23), order);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(mask + i), _mm256_and_si256(bytes, one));
  }
  dropout_elem::forward_range(i, n, c, seed, stream, offset, x, y, mask);  // leftovers
}

void f32_dropout_backward_ukernel__avx2(size_t n, float rate, const uint8_t* mask, const float* dy, float* dx) {
  const float s = dropout_elem::consts(rate).scale;
  const __m256 scale = _mm256_set1_ps(s);
  const __m256i zero = _mm256_setzero_si256();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256i m = _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(mask + i)));
    const __m256 drop = _mm256_castsi256_ps(_mm256_cmpeq_epi32(m, zero));
    _mm256_storeu_ps(dx + i, _mm256_mul_ps(_mm256_loadu_ps(dy + i), _mm256_andnot_ps(drop, scale)));
  }
  dropout_elem::backward_range(i, n, s, mask, dy, dx);
}

}  // namespace

const DropoutKernels dropout_kernels = {f32_dropout_ukernel__avx2, f32_dropout_backward_ukernel__avx2};

}  // namespace simdnet::avx2

#include "simd/avx2-end.h"
#endif  // SIMDNET_X86
