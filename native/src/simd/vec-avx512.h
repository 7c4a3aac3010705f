// The element-wise vector vocabulary for AVX-512 (F, DQ, BW, VL): V = __m512 (W = 16 floats), masks M = __mmask16
// (opmask registers), double accumulators D = two __m512d. Contracts: simd/vec-math.inc, included at the end.
// Tails use opmask loads/stores: masked-off lanes are neither read nor written (no fault past the end).
//
// HOW TO INCLUDE: this is AVX-512 code. Include it only from kernels/*/avx512.cc, inside `#if SIMDNET_X86`, AFTER
// <immintrin.h>, <cstddef>, <cstdint> and simd/avx512-begin.h. Every function is `static inline` (see avx2-begin.h).
//
// vmaxps/vminps on zmm behave as on ymm (the SECOND operand is returned when either is NaN), so kmax/kmin pass x
// second, as in vec-avx2.h.
#pragma once

namespace simdnet::avx512 {

using V = __m512;
using M = __mmask16;
struct D { __m512d lo, hi; };
constexpr size_t W = 16;

// The first `rem` (0..16) lanes.
static inline M tail_mask(size_t rem) { return static_cast<M>((1u << rem) - 1u); }

static inline V kload(const float* p) { return _mm512_loadu_ps(p); }
static inline void kstore(float* p, V v) { _mm512_storeu_ps(p, v); }
static inline V kload_n(const float* p, size_t rem, float pad) {
  return _mm512_mask_loadu_ps(_mm512_set1_ps(pad), tail_mask(rem), p);
}
static inline void kstore_n(float* p, size_t rem, V v) { _mm512_mask_storeu_ps(p, tail_mask(rem), v); }
static inline V kzero_tail(V v, size_t rem) { return _mm512_maskz_mov_ps(tail_mask(rem), v); }
static inline V kset(float a) { return _mm512_set1_ps(a); }
static inline V kzero() { return _mm512_setzero_ps(); }
static inline V kadd(V a, V b) { return _mm512_add_ps(a, b); }
static inline V ksub(V a, V b) { return _mm512_sub_ps(a, b); }
static inline V kmul(V a, V b) { return _mm512_mul_ps(a, b); }
static inline V kdiv(V a, V b) { return _mm512_div_ps(a, b); }
static inline V kfma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
static inline V kfnma(V a, V b, V c) { return _mm512_fnmadd_ps(a, b, c); }
static inline V kfms(V a, V b, V c) { return _mm512_fmsub_ps(a, b, c); }
static inline V ksqrt(V a) { return _mm512_sqrt_ps(a); }
static inline V kmax(V x, V b) { return _mm512_max_ps(b, x); }
static inline V kmin(V x, V b) { return _mm512_min_ps(b, x); }
static inline V kmaxnan(V a, V b) {
  return _mm512_mask_mov_ps(_mm512_max_ps(a, b), _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q), a);
}
static inline V kabs(V x) { return _mm512_abs_ps(x); }
static inline V kcopysign(V mag, V s) {
  const __m512i sign = _mm512_and_si512(_mm512_castps_si512(s), _mm512_set1_epi32(INT32_MIN));
  return _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(mag), sign));
}
static inline V kround(V x) { return _mm512_roundscale_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
static inline M klt(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
static inline M kgt(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
static inline M kge(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_GE_OQ); }
static inline M keq(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ); }
static inline M kngt(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_NGT_UQ); }
static inline M kisnan(V a) { return _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q); }
static inline bool kany(M m) { return m != 0; }
static inline M kor(M a, M b) { return static_cast<M>(a | b); }
static inline M kand(M a, M b) { return static_cast<M>(a & b); }
static inline M kandnot(M a, M b) { return static_cast<M>(~a & b); }
static inline V kselect(M m, V a, V b) { return _mm512_mask_blend_ps(m, b, a); }
static inline V kmask(M m, V v) { return _mm512_maskz_mov_ps(m, v); }
static inline V kzero_if(M m, V v) { return _mm512_maskz_mov_ps(static_cast<M>(~m), v); }
static inline V knan_if(M m, V v) { return _mm512_mask_mov_ps(v, m, _mm512_castsi512_ps(_mm512_set1_epi32(-1))); }
static inline V kpow2i(V n) {
  const __m512i e = _mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127));
  return _mm512_castsi512_ps(_mm512_slli_epi32(e, 23));
}
static inline V kexponent(V x) {
  const __m512i e = _mm512_sub_epi32(_mm512_srli_epi32(_mm512_castps_si512(x), 23), _mm512_set1_epi32(126));
  return _mm512_cvtepi32_ps(e);
}
static inline V kmantissa(V x) {
  const __m512i m = _mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32(~0x7f800000));
  return _mm512_castsi512_ps(_mm512_or_si512(m, _mm512_castps_si512(_mm512_set1_ps(0.5f))));
}
// Halves to 256 bits first, then as vec-avx2.h.
static inline float khsum(V v) {
  const __m256 h = _mm256_add_ps(_mm512_castps512_ps256(v), _mm512_extractf32x8_ps(v, 1));
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}
// Without NaN lanes, a max tree (halves, as khsum); with one, the lane loop, which returns a NaN lane itself. The
// loop alone cost ~2.5% of predict on the MLP (softmax over 10-wide rows, one khmax per row; Intel Xeon host).
static inline float khmax(V v) {
  if (!kany(kisnan(v))) {
    const __m256 h = _mm256_max_ps(_mm512_castps512_ps256(v), _mm512_extractf32x8_ps(v, 1));
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
  }
  alignas(64) float t[16];
  _mm512_store_ps(t, v);
  float m = t[0];
  for (int i = 1; i < 16; ++i) m = (t[i] > m || t[i] != t[i]) ? t[i] : m;
  return m;
}
static inline D dzero() { return {_mm512_setzero_pd(), _mm512_setzero_pd()}; }
static inline void dacc(D& d, V v) {
  d.lo = _mm512_add_pd(d.lo, _mm512_cvtps_pd(_mm512_castps512_ps256(v)));
  d.hi = _mm512_add_pd(d.hi, _mm512_cvtps_pd(_mm512_extractf32x8_ps(v, 1)));
}
static inline void dacc_sq(D& d, V v) {
  const __m512d lo = _mm512_cvtps_pd(_mm512_castps512_ps256(v)), hi = _mm512_cvtps_pd(_mm512_extractf32x8_ps(v, 1));
  d.lo = _mm512_fmadd_pd(lo, lo, d.lo);
  d.hi = _mm512_fmadd_pd(hi, hi, d.hi);
}
static inline double dsum(const D& d) {
  const __m512d v = _mm512_add_pd(d.lo, d.hi);
  const __m256d h = _mm256_add_pd(_mm512_castpd512_pd256(v), _mm512_extractf64x4_pd(v, 1));
  __m128d s = _mm_add_pd(_mm256_castpd256_pd128(h), _mm256_extractf128_pd(h, 1));
  s = _mm_add_sd(s, _mm_unpackhi_pd(s, s));
  return _mm_cvtsd_f64(s);
}
// Index vectors (row_argmax): VI holds W int32 lanes.
using VI = __m512i;
static inline VI kiota() { return _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15); }
static inline VI kaddi(VI a, int32_t b) { return _mm512_add_epi32(a, _mm512_set1_epi32(b)); }
static inline VI kselecti(M m, VI a, VI b) { return _mm512_mask_blend_epi32(m, b, a); }
static inline void kstorei(int32_t* p, VI v) { _mm512_storeu_si512(p, v); }
static inline VI kloadi(const uint32_t* p) { return _mm512_loadu_si512(p); }
static inline VI kseti(uint32_t a) { return _mm512_set1_epi32(static_cast<int>(a)); }
static inline VI kxori(VI a, VI b) { return _mm512_xor_si512(a, b); }
static inline VI kshr8i(VI a) { return _mm512_srli_epi32(a, 8); }
static inline M kgti(VI a, VI b) { return _mm512_cmpgt_epi32_mask(a, b); }
// mul_epu32 multiplies the even lanes; the odd ones are shifted down first.
static inline void kmulhilo(VI a, VI b, VI* hi, VI* lo) {
  const __m512i even = _mm512_mul_epu32(a, b);
  const __m512i odd = _mm512_mul_epu32(_mm512_srli_epi64(a, 32), b);
  *hi = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 32), odd);
  *lo = _mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));
}

#include "simd/vec-math.inc"

}  // namespace simdnet::avx512
