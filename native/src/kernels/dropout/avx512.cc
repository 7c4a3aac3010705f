// AVX-512 inverted dropout (contract: dropout.h): the shared loops of dropout-simd.inc over 16-float vectors
// (simd/vec-avx512.h), with this file's Philox pieces: Philox4x32-10 on 16 blocks at once in SoA form (one 32-bit
// counter word of 16 blocks per register), 64 mask decisions per call; a 4x16 transpose (within 128-bit lanes, then
// across them) puts the words back in element order; the keep decisions are opmasks.
#include "simd/arch.h"
#if SIMDNET_X86
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 reports its own _mm512_undefined_*() (a self-initialised local) as (maybe-)uninitialized wherever it
// inlines an AVX-512 intrinsic built on it; the state at the intrinsic's line decides, so this precedes <immintrin.h>.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "kernels/dropout/dropout.h"
#include "kernels/dropout/elem.h"
#include "kernels/init/philox.h"
// clang-format off
#include "simd/avx512-begin.h"
#include "simd/vec-avx512.h"
// clang-format on

namespace simdnet::avx512 {
namespace {

// hi/lo 32 bits of a * m for 16 lanes: mul_epu32 multiplies the even lanes; the odd ones are shifted down first.
static inline void mulhilo(__m512i a, __m512i m, __m512i* hi, __m512i* lo) {
  const __m512i even = _mm512_mul_epu32(a, m);
  const __m512i odd = _mm512_mul_epu32(_mm512_srli_epi64(a, 32), m);
  *hi = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 32), odd);
  *lo = _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));
}

struct Philox {
  __m512i s0, s1, thr;
  uint32_t k0, k1;
};
static inline Philox philox_setup(uint64_t seed, uint64_t stream, uint32_t threshold) {
  return {_mm512_set1_epi32(static_cast<int>(static_cast<uint32_t>(stream))),
          _mm512_set1_epi32(static_cast<int>(static_cast<uint32_t>(stream >> 32))),
          _mm512_set1_epi32(static_cast<int>(threshold)), static_cast<uint32_t>(seed),
          static_cast<uint32_t>(seed >> 32)};
}

static inline void philox_keep(const Philox& p, uint64_t block0, M keep[4]) {
  alignas(64) uint32_t lo[16], hi[16];
  for (int j = 0; j < 16; ++j) {
    const uint64_t b = block0 + static_cast<uint64_t>(j);
    lo[j] = static_cast<uint32_t>(b);
    hi[j] = static_cast<uint32_t>(b >> 32);
  }
  __m512i c0 = _mm512_load_si512(lo), c1 = _mm512_load_si512(hi), c2 = p.s0, c3 = p.s1;
  uint32_t k0 = p.k0, k1 = p.k1;
  const __m512i m0 = _mm512_set1_epi32(static_cast<int>(philox::kM0));
  const __m512i m1 = _mm512_set1_epi32(static_cast<int>(philox::kM1));
  for (int r = 0; r < philox::kRounds; ++r) {
    if (r > 0) {
      k0 += philox::kW0;
      k1 += philox::kW1;
    }
    __m512i hi0, lo0, hi1, lo1;
    mulhilo(c0, m0, &hi0, &lo0);
    mulhilo(c2, m1, &hi1, &lo1);
    const __m512i n0 = _mm512_xor_si512(_mm512_xor_si512(hi1, c1), _mm512_set1_epi32(static_cast<int>(k0)));
    const __m512i n2 = _mm512_xor_si512(_mm512_xor_si512(hi0, c3), _mm512_set1_epi32(static_cast<int>(k1)));
    c0 = n0;
    c1 = lo1;
    c2 = n2;
    c3 = lo0;
  }
  // Within each 128-bit lane L (blocks 4L .. 4L+3): u_k lane L = the 4 words of block 4L+k.
  const __m512i t0 = _mm512_unpacklo_epi32(c0, c1), t1 = _mm512_unpackhi_epi32(c0, c1);
  const __m512i t2 = _mm512_unpacklo_epi32(c2, c3), t3 = _mm512_unpackhi_epi32(c2, c3);
  const __m512i u0 = _mm512_unpacklo_epi64(t0, t2), u1 = _mm512_unpackhi_epi64(t0, t2);
  const __m512i u2 = _mm512_unpacklo_epi64(t1, t3), u3 = _mm512_unpackhi_epi64(t1, t3);
  // Across lanes: words[q] = (u0, u1, u2, u3) lane q = blocks 4q .. 4q+3, a 4x4 transpose of 128-bit lanes.
  const __m512i v0 = _mm512_shuffle_i32x4(u0, u1, 0x44), v1 = _mm512_shuffle_i32x4(u0, u1, 0xEE);
  const __m512i v2 = _mm512_shuffle_i32x4(u2, u3, 0x44), v3 = _mm512_shuffle_i32x4(u2, u3, 0xEE);
  const __m512i words[4] = {_mm512_shuffle_i32x4(v0, v2, 0x88), _mm512_shuffle_i32x4(v0, v2, 0xDD),
                            _mm512_shuffle_i32x4(v1, v3, 0x88), _mm512_shuffle_i32x4(v1, v3, 0xDD)};
  for (int q = 0; q < 4; ++q) keep[q] = _mm512_cmpge_epu32_mask(_mm512_srli_epi32(words[q], 8), p.thr);
}

static inline void store_keep_bytes(uint8_t* mask, const M keep[4]) {
  for (int q = 0; q < 4; ++q)
    _mm_storeu_si128(reinterpret_cast<__m128i*>(mask + 16 * q), _mm_maskz_set1_epi8(keep[q], 1));
}

static inline M load_keep(const uint8_t* mask) {
  const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(mask));
  return _mm_test_epi8_mask(b, b);
}

#include "kernels/dropout/dropout-simd.inc"

}  // namespace

const DropoutKernels dropout_kernels = kDropoutKernels;

}  // namespace simdnet::avx512

#include "simd/avx512-end.h"
#endif  // SIMDNET_X86
