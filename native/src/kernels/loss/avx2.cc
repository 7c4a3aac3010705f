// Losses with gradients, AVX2+FMA (contract: loss.h): the shared algorithm in loss-simd.inc over 8-float vectors,
// double accumulation via vcvtps2pd, exp/log from simd/avx2-math.h.
#include "simd/arch.h"
#if SIMDNET_X86
#include <immintrin.h>

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "kernels/loss/loss.h"
// clang-format off
#include "simd/avx2-begin.h"
#include "simd/avx2-math.h"
// clang-format on

namespace simdnet::avx2 {
namespace {

using V = __m256;
using M = __m256;
struct D { __m256d lo, hi; };
constexpr size_t W = 8;

V kload(const float* p) { return _mm256_loadu_ps(p); }
void kstore(float* p, V v) { _mm256_storeu_ps(p, v); }
V kload_n(const float* p, size_t rem, float pad) {
  const __m256i m = tail_mask(rem);
  return _mm256_blendv_ps(_mm256_set1_ps(pad), _mm256_maskload_ps(p, m), _mm256_castsi256_ps(m));
}
void kstore_n(float* p, size_t rem, V v) { _mm256_maskstore_ps(p, tail_mask(rem), v); }
V kzero_tail(V v, size_t rem) { return _mm256_and_ps(v, _mm256_castsi256_ps(tail_mask(rem))); }
V kset(float a) { return _mm256_set1_ps(a); }
V kadd(V a, V b) { return _mm256_add_ps(a, b); }
V ksub(V a, V b) { return _mm256_sub_ps(a, b); }
V kmul(V a, V b) { return _mm256_mul_ps(a, b); }
V kdiv(V a, V b) { return _mm256_div_ps(a, b); }
V kclamp(V x, V lo, V hi) { return _mm256_min_ps(hi, _mm256_max_ps(lo, x)); }  // second operand = NaN x passes
V kabs(V x) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x); }
V kmax0(V x) { return _mm256_max_ps(_mm256_setzero_ps(), x); }
// Running max that keeps a NaN once seen (x86 max alone would drop it on the next step).
V kmaxnan(V acc, V x) { return _mm256_blendv_ps(_mm256_max_ps(acc, x), acc, _mm256_cmp_ps(acc, acc, _CMP_UNORD_Q)); }
M klt(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
M kgt(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
M kge(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_GE_OQ); }
M keq0(V a) { return _mm256_cmp_ps(a, _mm256_setzero_ps(), _CMP_EQ_OQ); }
M kor(M a, M b) { return _mm256_or_ps(a, b); }
V kselect(M m, V a, V b) { return _mm256_blendv_ps(b, a, m); }
D dzero() { return {_mm256_setzero_pd(), _mm256_setzero_pd()}; }
void dacc(D& d, V v) { acc_pd(&d.lo, &d.hi, v); }
double dsum(const D& d) { return hsum_pd(_mm256_add_pd(d.lo, d.hi)); }
float khsum(V v) { return hsum(v); }
float khmax(V v) { return hmax(v); }

#include "kernels/loss/loss-simd.inc"

}  // namespace

const LossKernels loss_kernels = {
    mse_impl, bce_prob_impl, bce_logits_impl, cce_prob_impl, softmax_cce_impl, sparse_softmax_cce_impl,
};

}  // namespace simdnet::avx2

#include "simd/avx2-end.h"
#endif  // SIMDNET_X86
