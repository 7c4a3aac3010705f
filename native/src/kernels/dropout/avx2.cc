// AVX2 inverted dropout (contract: dropout.h): the shared loops of dropout-simd.inc over 8-float vectors
// (simd/vec-avx2.h), with this file's Philox pieces: Philox4x32-10 on 8 blocks at once in SoA form (one 32-bit
// counter word of 8 blocks per register), 32 mask decisions per call; a 4x8 transpose puts the words back in element
// order.
#include "simd/arch.h"
#if SIMDNET_X86
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "kernels/dropout/dropout.h"
#include "kernels/dropout/elem.h"
#include "kernels/init/philox.h"
// clang-format off
#include "simd/avx2-begin.h"
#include "simd/vec-avx2.h"
// clang-format on

namespace simdnet::avx2 {
namespace {

// hi/lo 32 bits of a * m for 8 lanes: mul_epu32 multiplies the even lanes; the odd ones are shifted down first.
static inline void mulhilo(__m256i a, __m256i m, __m256i* hi, __m256i* lo) {
  const __m256i even = _mm256_mul_epu32(a, m);
  const __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), m);
  *hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
  *lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
}

struct Philox {
  __m256i s0, s1, thr_m1;
  uint32_t k0, k1;
};
static inline Philox philox_setup(uint64_t seed, uint64_t stream, uint32_t threshold) {
  // keep iff (word >> 8) >= threshold; both sides < 2^31, so a signed compare against threshold - 1 works.
  return {_mm256_set1_epi32(static_cast<int>(static_cast<uint32_t>(stream))),
          _mm256_set1_epi32(static_cast<int>(static_cast<uint32_t>(stream >> 32))),
          _mm256_set1_epi32(static_cast<int>(threshold) - 1), static_cast<uint32_t>(seed),
          static_cast<uint32_t>(seed >> 32)};
}

static inline void philox_keep(const Philox& p, uint64_t block0, M keep[4]) {
  alignas(32) uint32_t lo[8], hi[8];
  for (int j = 0; j < 8; ++j) {
    const uint64_t b = block0 + static_cast<uint64_t>(j);
    lo[j] = static_cast<uint32_t>(b);
    hi[j] = static_cast<uint32_t>(b >> 32);
  }
  __m256i c0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(lo));
  __m256i c1 = _mm256_load_si256(reinterpret_cast<const __m256i*>(hi));
  __m256i c2 = p.s0, c3 = p.s1;
  uint32_t k0 = p.k0, k1 = p.k1;
  const __m256i m0 = _mm256_set1_epi32(static_cast<int>(philox::kM0));
  const __m256i m1 = _mm256_set1_epi32(static_cast<int>(philox::kM1));
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
  const __m256i words[4] = {_mm256_permute2x128_si256(u0, u1, 0x20), _mm256_permute2x128_si256(u2, u3, 0x20),
                            _mm256_permute2x128_si256(u0, u1, 0x31), _mm256_permute2x128_si256(u2, u3, 0x31)};
  for (int q = 0; q < 4; ++q)
    keep[q] = _mm256_castsi256_ps(_mm256_cmpgt_epi32(_mm256_srli_epi32(words[q], 8), p.thr_m1));
}

// 32 lanes of 0/-1 -> 32 bytes of 0/1 in element order (packs interleave the 128-bit halves; undo with order).
static inline void store_keep_bytes(uint8_t* mask, const M keep[4]) {
  const __m256i p01 = _mm256_packs_epi32(_mm256_castps_si256(keep[0]), _mm256_castps_si256(keep[1]));
  const __m256i p23 = _mm256_packs_epi32(_mm256_castps_si256(keep[2]), _mm256_castps_si256(keep[3]));
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  const __m256i bytes = _mm256_permutevar8x32_epi32(_mm256_packs_epi16(p01, p23), order);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(mask), _mm256_and_si256(bytes, _mm256_set1_epi8(1)));
}

static inline M load_keep(const uint8_t* mask) {
  const __m256i m = _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(mask)));
  return _mm256_castsi256_ps(_mm256_cmpgt_epi32(m, _mm256_setzero_si256()));
}

#include "kernels/dropout/dropout-simd.inc"

}  // namespace

const DropoutKernels dropout_kernels = kDropoutKernels;

}  // namespace simdnet::avx2

#include "simd/avx2-end.h"
#endif  // SIMDNET_X86
