// Reductions, AVX2+FMA (contract: reduce.h). col_sum keeps a 32-column strip of sums in four registers while it walks
// the rows (float accumulation, as scalar.cc); sum/sum_squares widen every float to double (vcvtps2pd) and keep four
// double accumulators; row_argmax tracks per-lane (max, index) and finishes over the 8 lanes.
#include "simd/arch.h"
#if SIMDNET_X86
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "kernels/reduce/reduce.h"
// clang-format off
#include "simd/avx2-begin.h"
#include "simd/avx2-math.h"
// clang-format on

namespace simdnet::avx2 {
namespace {

void f32_col_sum_ukernel__avx2_32(size_t m, size_t n, const float* x, size_t ldx, bool accumulate, float* out) noexcept {
  size_t j = 0;
  for (; j + 32 <= n; j += 32) {  // loop: 32-column strips
    __m256 a0 = accumulate ? _mm256_loadu_ps(out + j) : _mm256_setzero_ps();
    __m256 a1 = accumulate ? _mm256_loadu_ps(out + j + 8) : _mm256_setzero_ps();
    __m256 a2 = accumulate ? _mm256_loadu_ps(out + j + 16) : _mm256_setzero_ps();
    __m256 a3 = accumulate ? _mm256_loadu_ps(out + j + 24) : _mm256_setzero_ps();
    for (size_t r = 0; r < m; ++r) {
      const float* xr = x + r * ldx + j;
      a0 = _mm256_add_ps(a0, _mm256_loadu_ps(xr));
      a1 = _mm256_add_ps(a1, _mm256_loadu_ps(xr + 8));
      a2 = _mm256_add_ps(a2, _mm256_loadu_ps(xr + 16));
      a3 = _mm256_add_ps(a3, _mm256_loadu_ps(xr + 24));
    }
    _mm256_storeu_ps(out + j, a0);
    _mm256_storeu_ps(out + j + 8, a1);
    _mm256_storeu_ps(out + j + 16, a2);
    _mm256_storeu_ps(out + j + 24, a3);
  }
  for (; j < n; j += 8) {  // leftovers: 8 (or fewer, masked) columns at a time
    const __m256i tm = tail_mask(n - j < 8 ? n - j : 8);
    __m256 a = accumulate ? _mm256_maskload_ps(out + j, tm) : _mm256_setzero_ps();
    for (size_t r = 0; r < m; ++r) a = _mm256_add_ps(a, _mm256_maskload_ps(x + r * ldx + j, tm));
    _mm256_maskstore_ps(out + j, tm, a);
  }
}

void f32_row_argmax_ukernel__avx2(size_t m, size_t n, const float* x, size_t ldx, int32_t* out) noexcept {
  const size_t nv = n & ~size_t{7};
  for (size_t r = 0; r < m; ++r) {
    const float* xr = x + r * ldx;
    int32_t best = n ? 0 : -1;
    if (nv >= 8) {
      // Per lane: strictly greater (or a first NaN) replaces, so each lane keeps its first maximum.
      __m256 vbest = _mm256_loadu_ps(xr);
      __m256i ibest = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
      __m256i idx = ibest;
      const __m256i eight = _mm256_set1_epi32(8);
      for (size_t j = 8; j < nv; j += 8) {
        idx = _mm256_add_epi32(idx, eight);
        const __m256 v = _mm256_loadu_ps(xr + j);
        const __m256 take = _mm256_or_ps(
            _mm256_cmp_ps(v, vbest, _CMP_GT_OQ),
            _mm256_andnot_ps(_mm256_cmp_ps(vbest, vbest, _CMP_UNORD_Q), _mm256_cmp_ps(v, v, _CMP_UNORD_Q)));
        vbest = _mm256_blendv_ps(vbest, v, take);
        ibest = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(ibest), _mm256_castsi256_ps(idx), take));
      }
      alignas(32) float bv[8];
      alignas(32) int32_t bi[8];
      _mm256_store_ps(bv, vbest);
      _mm256_store_si256(reinterpret_cast<__m256i*>(bi), ibest);
      // Lanes: a NaN with the smallest index wins; else the largest value with the smallest index.
      best = bi[0];
      float bval = bv[0];
      for (int l = 1; l < 8; ++l) {
        const bool bnan = bval != bval, lnan = bv[l] != bv[l];
        const bool better = bnan ? (lnan && bi[l] < best) : (lnan || bv[l] > bval || (bv[l] == bval && bi[l] < best));
        if (better) { best = bi[l]; bval = bv[l]; }
      }
    }
    // leftovers (all of a row shorter than 8): indices above every lane's, so only strictly better replaces.
    for (size_t j = nv >= 8 ? nv : 1; j < n; ++j) {
      const float b = xr[best];
      if (b != b) break;
      if (xr[j] > b || xr[j] != xr[j]) best = static_cast<int32_t>(j);
    }
    out[r] = best;
  }
}

double f64_sum_ukernel__avx2(size_t n, const float* x) noexcept {
  __m256d a0 = _mm256_setzero_pd(), a1 = _mm256_setzero_pd(), a2 = _mm256_setzero_pd(), a3 = _mm256_setzero_pd();
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    acc_pd(&a0, &a1, _mm256_loadu_ps(x + i));
    acc_pd(&a2, &a3, _mm256_loadu_ps(x + i + 8));
  }
  if (i + 8 <= n) { acc_pd(&a0, &a1, _mm256_loadu_ps(x + i)); i += 8; }
  if (i < n) acc_pd(&a2, &a3, _mm256_maskload_ps(x + i, tail_mask(n - i)));
  return hsum_pd(_mm256_add_pd(_mm256_add_pd(a0, a1), _mm256_add_pd(a2, a3)));
}

// Squares are formed in double (exact for float inputs), so the result matches the scalar double loop closely.
void sq(__m256d* acc, __m128 v) {
  const __m256d d = _mm256_cvtps_pd(v);
  *acc = _mm256_fmadd_pd(d, d, *acc);
}

double f64_sum_squares_ukernel__avx2(size_t n, const float* x) noexcept {
  __m256d a0 = _mm256_setzero_pd(), a1 = _mm256_setzero_pd(), a2 = _mm256_setzero_pd(), a3 = _mm256_setzero_pd();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(x + i);
    sq(&a0, _mm256_castps256_ps128(v));
    sq(&a1, _mm256_extractf128_ps(v, 1));
  }
  if (i < n) {
    const __m256 v = _mm256_maskload_ps(x + i, tail_mask(n - i));
    sq(&a2, _mm256_castps256_ps128(v));
    sq(&a3, _mm256_extractf128_ps(v, 1));
  }
  return hsum_pd(_mm256_add_pd(_mm256_add_pd(a0, a1), _mm256_add_pd(a2, a3)));
}

}  // namespace

const ReduceKernels reduce_kernels = {
    f32_col_sum_ukernel__avx2_32,
    f32_row_argmax_ukernel__avx2,
    f64_sum_ukernel__avx2,
    f64_sum_squares_ukernel__avx2,
};

}  // namespace simdnet::avx2

#include "simd/avx2-end.h"
#endif  // SIMDNET_X86
