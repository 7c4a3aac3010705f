// Vectorized exp/log/log1p/sigmoid/tanh for AVX2+FMA (8 floats per __m256).
//
// HOW TO INCLUDE: this file is AVX2 code. Include it only from kernels/*/avx2.cc, AFTER simd/avx2-begin.h (so its
// functions are compiled for avx2,fma), inside `#if SIMDNET_X86`. Every function here is `static inline`: a plain
// `inline` function would have external linkage and the linker could hand this AVX2 body to baseline TUs.
//
// NaN handling: _mm256_min_ps/_mm256_max_ps return their SECOND operand when either is NaN, so every clamp here is
// written as max(bound, x) / min(bound, x): a NaN x passes through the clamp and comes out of the polynomial as NaN.
//
// Provenance: exp and log are Cephes' expf.c / logf.c (S. Moshier, Cephes Math Library 2.2, the same constants as
// sse_mathfun/avx_mathfun by J. Pommier): Cody-Waite range reduction x = n ln2 + r with ln2 split as
// C1 = 0.693359375 (exact in 9 bits) + C2 = -2.12194440e-4, |r| <= ln2/2, then a degree-6 polynomial; measured max
// error about 1-2 ulp (test/native/vunary-test.cc checks 4 ulp-equivalent against double). tanh is Cephes tanhf.c:
// an odd polynomial x + x^3 P(x^2) for |x| <= 0.625 (max rel. error ~1.3e-7 per Cephes) and 1 - 2/(exp(2|x|)+1)
// evaluated as (1-e)/(1+e), e = exp(-2|x|) <= 0.29, above it (no cancellation there).
// The including avx2.cc must include <immintrin.h>, <cstddef> and <cstdint> itself BEFORE avx2-begin.h (so no system
// header is first parsed under the target pragma); this file includes nothing.
#pragma once

namespace simdnet::avx2 {

// exp(x). Inputs are clamped to [ln(FLT_MIN), 88]: results below FLT_MIN (x < -87.3365) are flushed to exactly 0
// (so exp(-inf) = 0), and x > 88 returns exp(88) ~ 1.65e38, never Inf (every caller in simdnet passes x <= 0).
static inline __m256 vexp(__m256 x) {
  const __m256 lo = _mm256_set1_ps(-87.3365478515625f);  // ~ln(FLT_MIN): 2^n stays a normal number
  const __m256 underflow = _mm256_cmp_ps(x, lo, _CMP_LT_OQ);  // false for NaN, so NaN is kept below
  x = _mm256_min_ps(_mm256_set1_ps(88.0f), x);
  x = _mm256_max_ps(lo, x);
  const __m256 fx = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(fx, _mm256_set1_ps(0.693359375f), x);
  r = _mm256_fnmadd_ps(fx, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 p = _mm256_set1_ps(1.9875691500E-4f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507E-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073E-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894E-2f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459E-1f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201E-1f));
  const __m256 y = _mm256_add_ps(_mm256_fmadd_ps(p, _mm256_mul_ps(r, r), r), _mm256_set1_ps(1.0f));
  // 2^n from the exponent field; n in [-126, 127] after the clamp (a NaN gives n = INT_MIN -> 1.0f, y stays NaN).
  const __m256i n = _mm256_cvtps_epi32(fx);
  const __m256 pow2n = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n, _mm256_set1_epi32(127)), 23));
  return _mm256_andnot_ps(underflow, _mm256_mul_ps(y, pow2n));
}

// log(x) for finite positive normal x (callers pass clipped probabilities or 1+e, e in [0,1]); x <= 0 gives NaN,
// denormals are treated as FLT_MIN, NaN gives NaN. The NaN needs the unordered compare: the exponent and mantissa
// arithmetic below turns a NaN's bits into an ordinary number (NaN -> ~89.4), so a NaN probability would otherwise
// give a finite loss.
static inline __m256 vlog(__m256 x) {
  const __m256 invalid = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_NGT_UQ);  // x <= 0 or NaN
  x = _mm256_max_ps(_mm256_set1_ps(1.17549435e-38f), x);
  __m256i e = _mm256_srli_epi32(_mm256_castps_si256(x), 23);
  // Mantissa into [0.5, 1).
  x = _mm256_and_ps(x, _mm256_castsi256_ps(_mm256_set1_epi32(~0x7f800000)));
  x = _mm256_or_ps(x, _mm256_set1_ps(0.5f));
  e = _mm256_sub_epi32(e, _mm256_set1_epi32(126));
  __m256 fe = _mm256_cvtepi32_ps(e);
  // If m < sqrt(1/2): use 2m - 1 and e - 1, so the polynomial argument stays in [sqrt(1/2)-1, sqrt(2)-1].
  const __m256 small = _mm256_cmp_ps(x, _mm256_set1_ps(0.707106781186547524f), _CMP_LT_OQ);
  const __m256 tmp = _mm256_and_ps(x, small);
  x = _mm256_sub_ps(x, _mm256_set1_ps(1.0f));
  fe = _mm256_sub_ps(fe, _mm256_and_ps(_mm256_set1_ps(1.0f), small));
  x = _mm256_add_ps(x, tmp);
  const __m256 z = _mm256_mul_ps(x, x);
  __m256 y = _mm256_set1_ps(7.0376836292E-2f);
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(-1.1514610310E-1f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(1.1676998740E-1f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(-1.2420140846E-1f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(1.4249322787E-1f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(-1.6668057665E-1f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(2.0000714765E-1f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(-2.4999993993E-1f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(3.3333331174E-1f));
  y = _mm256_mul_ps(_mm256_mul_ps(y, x), z);
  y = _mm256_fmadd_ps(fe, _mm256_set1_ps(-2.12194440e-4f), y);
  y = _mm256_fnmadd_ps(z, _mm256_set1_ps(0.5f), y);
  x = _mm256_add_ps(x, y);
  x = _mm256_fmadd_ps(fe, _mm256_set1_ps(0.693359375f), x);
  return _mm256_or_ps(x, invalid);  // all-ones = NaN
}

// log1p(e) for e in [0, 1] (or NaN): log(u) * e / (u - 1) with u = 1 + e corrects the rounding of u (Goldberg's
// trick, HP-15C); where u == 1 the answer is e itself.
static inline __m256 vlog1p(__m256 e) {
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 u = _mm256_add_ps(one, e);
  const __m256 d = _mm256_sub_ps(u, one);
  const __m256 exact = _mm256_cmp_ps(d, _mm256_setzero_ps(), _CMP_EQ_OQ);
  const __m256 r = _mm256_mul_ps(vlog(u), _mm256_div_ps(e, _mm256_blendv_ps(d, one, exact)));
  return _mm256_blendv_ps(r, e, exact);
}

// Stable logistic from e = exp(-|x|): 1/(1+e) for x >= 0, e/(1+e) below; NaN stays NaN.
static inline __m256 vsigmoid(__m256 x) {
  const __m256 ax = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x);
  const __m256 e = vexp(_mm256_sub_ps(_mm256_setzero_ps(), ax));
  const __m256 s = _mm256_div_ps(_mm256_set1_ps(1.0f), _mm256_add_ps(_mm256_set1_ps(1.0f), e));
  const __m256 pos = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GE_OQ);
  return _mm256_blendv_ps(_mm256_mul_ps(e, s), s, pos);
}

// tanh (Cephes tanhf, see the top of the file). Saturates to +/-1 for large |x| and +/-Inf; NaN stays NaN.
static inline __m256 vtanh(__m256 x) {
  const __m256 sign = _mm256_set1_ps(-0.0f);
  const __m256 ax = _mm256_andnot_ps(sign, x);
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 e = vexp(_mm256_mul_ps(ax, _mm256_set1_ps(-2.0f)));
  __m256 big = _mm256_div_ps(_mm256_sub_ps(one, e), _mm256_add_ps(one, e));
  big = _mm256_or_ps(big, _mm256_and_ps(sign, x));
  const __m256 s = _mm256_mul_ps(x, x);
  __m256 p = _mm256_set1_ps(-5.70498872745E-3f);
  p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(2.06390887954E-2f));
  p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(-5.37397155531E-2f));
  p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(1.33314422036E-1f));
  p = _mm256_fmadd_ps(p, s, _mm256_set1_ps(-3.33332819422E-1f));
  const __m256 small = _mm256_fmadd_ps(_mm256_mul_ps(p, s), x, x);
  const __m256 use_big = _mm256_cmp_ps(ax, _mm256_set1_ps(0.625f), _CMP_GT_OQ);  // NaN -> small branch -> NaN
  return _mm256_blendv_ps(small, big, use_big);
}

// Horizontal helpers.
static inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}
static inline double hsum_pd(__m256d v) {
  __m128d s = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
  s = _mm_add_sd(s, _mm_unpackhi_pd(s, s));
  return _mm_cvtsd_f64(s);
}
// Max over lanes; a NaN lane gives NaN (the scalar comparisons below keep it).
static inline float hmax(__m256 v) {
  alignas(32) float t[8];
  _mm256_store_ps(t, v);
  float m = t[0];
  for (int i = 1; i < 8; ++i) m = (t[i] > m || t[i] != t[i]) ? t[i] : m;
  return m;
}
// Adds the 8 floats of v to two double accumulators (the "accumulate the loss in double" rule).
static inline void acc_pd(__m256d* lo, __m256d* hi, __m256 v) {
  *lo = _mm256_add_pd(*lo, _mm256_cvtps_pd(_mm256_castps256_ps128(v)));
  *hi = _mm256_add_pd(*hi, _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));
}
// Lane mask for the first `rem` (0..8) lanes, for maskload/maskstore tails (masked-off lanes are never touched).
static inline __m256i tail_mask(size_t rem) {
  static const int32_t table[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(table + 8 - rem));
}

}  // namespace simdnet::avx2
