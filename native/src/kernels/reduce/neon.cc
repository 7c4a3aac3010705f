// Reductions, AArch64 NEON (contract: reduce.h). col_sum: 16-column strips in four registers over the rows (float
// accumulation, as scalar.cc); sum/sum_squares widen to float64x2 lanes; row_argmax per-lane (max, index).
#include "simd/arch.h"
#if SIMDNET_ARM64
#include <arm_neon.h>

#include <cstddef>
#include <cstdint>

#include "kernels/reduce/reduce.h"
#include "simd/neon-math.h"

namespace simdnet::neon {
namespace {

void f32_col_sum_ukernel__neon_16(size_t m, size_t n, const float* x, size_t ldx, bool accumulate, float* out) noexcept {
  size_t j = 0;
  const float32x4_t zero = vdupq_n_f32(0.0f);
  for (; j + 16 <= n; j += 16) {
    float32x4_t a0 = accumulate ? vld1q_f32(out + j) : zero;
    float32x4_t a1 = accumulate ? vld1q_f32(out + j + 4) : zero;
    float32x4_t a2 = accumulate ? vld1q_f32(out + j + 8) : zero;
    float32x4_t a3 = accumulate ? vld1q_f32(out + j + 12) : zero;
    for (size_t r = 0; r < m; ++r) {
      const float* xr = x + r * ldx + j;
      a0 = vaddq_f32(a0, vld1q_f32(xr));
      a1 = vaddq_f32(a1, vld1q_f32(xr + 4));
      a2 = vaddq_f32(a2, vld1q_f32(xr + 8));
      a3 = vaddq_f32(a3, vld1q_f32(xr + 12));
    }
    vst1q_f32(out + j, a0);
    vst1q_f32(out + j + 4, a1);
    vst1q_f32(out + j + 8, a2);
    vst1q_f32(out + j + 12, a3);
  }
  for (; j + 4 <= n; j += 4) {
    float32x4_t a = accumulate ? vld1q_f32(out + j) : zero;
    for (size_t r = 0; r < m; ++r) a = vaddq_f32(a, vld1q_f32(x + r * ldx + j));
    vst1q_f32(out + j, a);
  }
  for (; j < n; ++j) {  // leftovers
    float a = accumulate ? out[j] : 0.0f;
    for (size_t r = 0; r < m; ++r) a += x[r * ldx + j];
    out[j] = a;
  }
}

void f32_row_argmax_ukernel__neon(size_t m, size_t n, const float* x, size_t ldx, int32_t* out) noexcept {
  const size_t nv = n & ~size_t{3};
  for (size_t r = 0; r < m; ++r) {
    const float* xr = x + r * ldx;
    int32_t best = n ? 0 : -1;
    if (nv >= 4) {
      float32x4_t vbest = vld1q_f32(xr);
      const int32_t i0[4] = {0, 1, 2, 3};
      int32x4_t idx = vld1q_s32(i0);
      int32x4_t ibest = idx;
      for (size_t j = 4; j < nv; j += 4) {
        idx = vaddq_s32(idx, vdupq_n_s32(4));
        const float32x4_t v = vld1q_f32(xr + j);
        const uint32x4_t vnan = vmvnq_u32(vceqq_f32(v, v));
        const uint32x4_t bnum = vceqq_f32(vbest, vbest);
        const uint32x4_t take = vorrq_u32(vcgtq_f32(v, vbest), vandq_u32(vnan, bnum));
        vbest = vbslq_f32(take, v, vbest);
        ibest = vbslq_s32(take, idx, ibest);
      }
      float bv[4];
      int32_t bi[4];
      vst1q_f32(bv, vbest);
      vst1q_s32(bi, ibest);
      best = bi[0];
      float bval = bv[0];
      for (int l = 1; l < 4; ++l) {
        const bool bnan = bval != bval, lnan = bv[l] != bv[l];
        const bool better = bnan ? (lnan && bi[l] < best) : (lnan || bv[l] > bval || (bv[l] == bval && bi[l] < best));
        if (better) { best = bi[l]; bval = bv[l]; }
      }
    }
    for (size_t j = nv >= 4 ? nv : 1; j < n; ++j) {  // leftovers
      const float b = xr[best];
      if (b != b) break;
      if (xr[j] > b || xr[j] != xr[j]) best = static_cast<int32_t>(j);
    }
    out[r] = best;
  }
}

double f64_sum_ukernel__neon(size_t n, const float* x) noexcept {
  float64x2_t a0 = vdupq_n_f64(0.0), a1 = a0, a2 = a0, a3 = a0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    acc_pd(&a0, &a1, vld1q_f32(x + i));
    acc_pd(&a2, &a3, vld1q_f32(x + i + 4));
  }
  if (i + 4 <= n) { acc_pd(&a0, &a1, vld1q_f32(x + i)); i += 4; }
  if (i < n) acc_pd(&a2, &a3, load_tail(x + i, n - i, 0.0f));
  return hsum_pd(vaddq_f64(a0, a1), vaddq_f64(a2, a3));
}

double f64_sum_squares_ukernel__neon(size_t n, const float* x) noexcept {
  float64x2_t a0 = vdupq_n_f64(0.0), a1 = a0;
  size_t i = 0;
  for (; i < n; i += 4) {
    const float32x4_t v = (i + 4 <= n) ? vld1q_f32(x + i) : load_tail(x + i, n - i, 0.0f);
    const float64x2_t lo = vcvt_f64_f32(vget_low_f32(v)), hi = vcvt_high_f64_f32(v);
    a0 = vfmaq_f64(a0, lo, lo);
    a1 = vfmaq_f64(a1, hi, hi);
  }
  return hsum_pd(a0, a1);
}

}  // namespace

const ReduceKernels reduce_kernels = {
    f32_col_sum_ukernel__neon_16,
    f32_row_argmax_ukernel__neon,
    f64_sum_ukernel__neon,
    f64_sum_squares_ukernel__neon,
};

}  // namespace simdnet::neon
#endif  // SIMDNET_ARM64
