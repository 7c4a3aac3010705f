// The element-wise vector vocabulary for AVX2+FMA: V = __m256 (W = 8 floats), masks M = __m256 (all-ones lanes),
// double accumulators D = two __m256d. The operations and their contracts are listed once, in simd/vec-math.inc;
// this file only maps them onto intrinsics, and then includes vec-math.inc, which writes the exp/log/log1p/sigmoid/
// tanh polynomials over them.
//
// HOW TO INCLUDE: this is AVX2 code. Include it only from kernels/*/avx2.cc, inside `#if SIMDNET_X86`, AFTER
// <immintrin.h>, <cstddef>, <cstdint> and simd/avx2-begin.h (so every function here is compiled for avx2,fma and no
// system header is parsed under the target pragma). Every function is `static inline` (see avx2-begin.h).
//
// x86 max/min return their SECOND operand when either is NaN; kmax(x, b)/kmin(x, b) therefore pass x second, so a
// NaN x comes out (the bound b is never NaN).
#pragma once

namespace simdnet::avx2 {

using V = __m256;
using M = __m256;
struct D { __m256d lo, hi; };
constexpr size_t W = 8;

// Lane mask for the first `rem` (0..8) lanes, for maskload/maskstore (masked-off lanes are neither read nor written).
static inline __m256i tail_mask(size_t rem) {
  static const int32_t table[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(table + 8 - rem));
}

static inline V kload(const float* p) { return _mm256_loadu_ps(p); }
static inline void kstore(float* p, V v) { _mm256_storeu_ps(p, v); }
static inline V kload_n(const float* p, size_t rem, float pad) {
  const __m256i m = tail_mask(rem);
  return _mm256_blendv_ps(_mm256_set1_ps(pad), _mm256_maskload_ps(p, m), _mm256_castsi256_ps(m));
}
static inline void kstore_n(float* p, size_t rem, V v) { _mm256_maskstore_ps(p, tail_mask(rem), v); }
static inline V kzero_tail(V v, size_t rem) { return _mm256_and_ps(v, _mm256_castsi256_ps(tail_mask(rem))); }
static inline V kset(float a) { return _mm256_set1_ps(a); }
static inline V kzero() { return _mm256_setzero_ps(); }
static inline V kadd(V a, V b) { return _mm256_add_ps(a, b); }
static inline V ksub(V a, V b) { return _mm256_sub_ps(a, b); }
static inline V kmul(V a, V b) { return _mm256_mul_ps(a, b); }
static inline V kdiv(V a, V b) { return _mm256_div_ps(a, b); }
static inline V kfma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
static inline V kfnma(V a, V b, V c) { return _mm256_fnmadd_ps(a, b, c); }
static inline V kfms(V a, V b, V c) { return _mm256_fmsub_ps(a, b, c); }
static inline V ksqrt(V a) { return _mm256_sqrt_ps(a); }
static inline V kmax(V x, V b) { return _mm256_max_ps(b, x); }
static inline V kmin(V x, V b) { return _mm256_min_ps(b, x); }
static inline V kmaxnan(V a, V b) {
  return _mm256_blendv_ps(_mm256_max_ps(a, b), a, _mm256_cmp_ps(a, a, _CMP_UNORD_Q));
}
static inline V kabs(V x) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x); }
static inline V kcopysign(V mag, V s) { return _mm256_or_ps(mag, _mm256_and_ps(_mm256_set1_ps(-0.0f), s)); }
static inline V kround(V x) { return _mm256_round_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
static inline M klt(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
static inline M kgt(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
static inline M kge(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_GE_OQ); }
static inline M keq(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_EQ_OQ); }
static inline M kngt(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_NGT_UQ); }
static inline M kisnan(V a) { return _mm256_cmp_ps(a, a, _CMP_UNORD_Q); }
static inline bool kany(M m) { return _mm256_movemask_ps(m) != 0; }
static inline M kor(M a, M b) { return _mm256_or_ps(a, b); }
static inline M kand(M a, M b) { return _mm256_and_ps(a, b); }
static inline M kandnot(M a, M b) { return _mm256_andnot_ps(a, b); }
static inline V kselect(M m, V a, V b) { return _mm256_blendv_ps(b, a, m); }
static inline V kmask(M m, V v) { return _mm256_and_ps(m, v); }
static inline V kzero_if(M m, V v) { return _mm256_andnot_ps(m, v); }
static inline V knan_if(M m, V v) { return _mm256_or_ps(v, m); }  // all-ones lanes are a NaN
static inline V kpow2i(V n) {
  const __m256i e = _mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127));
  return _mm256_castsi256_ps(_mm256_slli_epi32(e, 23));
}
static inline V kexponent(V x) {
  const __m256i e = _mm256_sub_epi32(_mm256_srli_epi32(_mm256_castps_si256(x), 23), _mm256_set1_epi32(126));
  return _mm256_cvtepi32_ps(e);
}
static inline V kmantissa(V x) {
  const V m = _mm256_and_ps(x, _mm256_castsi256_ps(_mm256_set1_epi32(~0x7f800000)));
  return _mm256_or_ps(m, _mm256_set1_ps(0.5f));
}
static inline float khsum(V v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}
// Without NaN lanes, a max tree (as khsum); with one, the lane loop, which returns a NaN lane itself.
static inline float khmax(V v) {
  if (!kany(kisnan(v))) {
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
  }
  alignas(32) float t[8];
  _mm256_store_ps(t, v);
  float m = t[0];
  for (int i = 1; i < 8; ++i) m = (t[i] > m || t[i] != t[i]) ? t[i] : m;
  return m;
}
static inline D dzero() { return {_mm256_setzero_pd(), _mm256_setzero_pd()}; }
static inline void dacc(D& d, V v) {
  d.lo = _mm256_add_pd(d.lo, _mm256_cvtps_pd(_mm256_castps256_ps128(v)));
  d.hi = _mm256_add_pd(d.hi, _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));
}
static inline void dacc_sq(D& d, V v) {
  const __m256d lo = _mm256_cvtps_pd(_mm256_castps256_ps128(v)), hi = _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1));
  d.lo = _mm256_fmadd_pd(lo, lo, d.lo);
  d.hi = _mm256_fmadd_pd(hi, hi, d.hi);
}
static inline double dsum(const D& d) {
  const __m256d v = _mm256_add_pd(d.lo, d.hi);
  __m128d s = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
  s = _mm_add_sd(s, _mm_unpackhi_pd(s, s));
  return _mm_cvtsd_f64(s);
}
// Index vectors (row_argmax): VI holds W int32 lanes.
using VI = __m256i;
static inline VI kiota() { return _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7); }
static inline VI kaddi(VI a, int32_t b) { return _mm256_add_epi32(a, _mm256_set1_epi32(b)); }
static inline VI kselecti(M m, VI a, VI b) {
  return _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(b), _mm256_castsi256_ps(a), m));
}
static inline void kstorei(int32_t* p, VI v) { _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v); }
static inline VI kloadi(const uint32_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
static inline VI kseti(uint32_t a) { return _mm256_set1_epi32(static_cast<int>(a)); }
static inline VI kxori(VI a, VI b) { return _mm256_xor_si256(a, b); }
static inline VI kshr8i(VI a) { return _mm256_srli_epi32(a, 8); }
static inline M kgti(VI a, VI b) { return _mm256_castsi256_ps(_mm256_cmpgt_epi32(a, b)); }
// mul_epu32 multiplies the even lanes; the odd ones are shifted down first.
static inline void kmulhilo(VI a, VI b, VI* hi, VI* lo) {
  const __m256i even = _mm256_mul_epu32(a, b);
  const __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), b);
  *hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
  *lo = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
}

#include "simd/vec-math.inc"

}  // namespace simdnet::avx2
