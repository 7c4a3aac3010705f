// f32 GEMM microkernel, 8x12 tile, AArch64 NEON. Contract: gemm.h (GemmUkernelFn).
//
// 8 rows x 3 q-registers = 24 accumulators, 3 for the B row and 2 for eight A values: 29 of 32 vector registers.
// With a packed A panel the 8 values come in two vld1q and feed vfmaq_laneq_f32 (XNNPACK's 8x12 / ruy's layout);
// with the caller's strided A each value is loaded by itself (ld1r) and used with vfmaq_n_f32.
#include "simd/arch.h"

#if SIMDNET_ARM64
#include <arm_neon.h>

#include "kernels/gemm/gemm.h"

namespace simdnet::neon {
namespace {

constexpr size_t kMR = 8, kNR = 12;

static inline float32x4_t finish(float32x4_t acc, const float* c, const float* bias, const GemmTileParams& p) {
  float32x4_t v = vmulq_n_f32(acc, p.alpha);
  if (p.beta != 0.0f) v = vfmaq_n_f32(v, vld1q_f32(c), p.beta);
  if (bias) v = vaddq_f32(v, vld1q_f32(bias));
  if (p.act == Act::relu) {
    // max(v, 0) that keeps NaN (vmaxq would too, but this states the rule): v > 0 or v is NaN -> v, else 0.
    const uint32x4_t keep = vmvnq_u32(vcleq_f32(v, vdupq_n_f32(0.0f)));
    v = vbslq_f32(keep, v, vdupq_n_f32(0.0f));
  } else if (p.act == Act::leaky_relu) {
    v = vbslq_f32(vcgtq_f32(v, vdupq_n_f32(0.0f)), v, vmulq_n_f32(v, p.slope));
  }
  return v;
}

static inline float finish1(float acc, const float* c, const float* bias, const GemmTileParams& p) {
  float v = p.alpha * acc;
  if (p.beta != 0.0f) v += p.beta * *c;
  if (bias) v += *bias;
  if (p.act == Act::relu) {
    v = v < 0.0f ? 0.0f : v;
  } else if (p.act == Act::leaky_relu) {
    v = v > 0.0f ? v : p.slope * v;
  }
  return v;
}

static inline void store_row(float* c, size_t n, const float32x4_t acc[3], const GemmTileParams& p) {
  if (n == kNR) {
    for (size_t v = 0; v < 3; ++v)
      vst1q_f32(c + 4 * v, finish(acc[v], c + 4 * v, p.bias ? p.bias + 4 * v : nullptr, p));
    return;
  }
  // leftovers: spill the row and finish it element by element (reads and writes only j < n)
  float tmp[kNR];
  for (size_t v = 0; v < 3; ++v) vst1q_f32(tmp + 4 * v, acc[v]);
  for (size_t j = 0; j < n; ++j) c[j] = finish1(tmp[j], c + j, p.bias ? p.bias + j : nullptr, p);
}

static float fma_burn(size_t iters) {
  // 12 independent 4-lane FMA chains (Cortex/Neoverse cores have 2-4 FMA pipes with 4-cycle latency).
  float32x4_t acc[12];
  for (int i = 0; i < 12; ++i) acc[i] = vdupq_n_f32(0.001f * static_cast<float>(i));
  const float32x4_t mul = vdupq_n_f32(0.9999f), add = vdupq_n_f32(1e-4f);
  for (size_t it = 0; it < iters; ++it) {
    for (int i = 0; i < 12; ++i) acc[i] = vfmaq_f32(add, acc[i], mul);
  }
  float32x4_t s = acc[0];
  for (int i = 1; i < 12; ++i) s = vaddq_f32(s, acc[i]);
  return vaddvq_f32(s);
}

}  // namespace

void f32_gemm_ukernel_8x12__neon(size_t m, size_t n, size_t k, const float* a, size_t rs_a, size_t cs_a,
                                 const float* bp, float* c, size_t ldc, const GemmTileParams& p) {
  float32x4_t acc[kMR][3];
  for (size_t i = 0; i < kMR; ++i) acc[i][0] = acc[i][1] = acc[i][2] = vdupq_n_f32(0.0f);
  if (rs_a == 1 && cs_a == kMR && m == kMR) {
    // packed panel: a[q*8 + i]
    for (size_t q = 0; q < k; ++q, a += kMR, bp += kNR) {
      const float32x4_t b0 = vld1q_f32(bp), b1 = vld1q_f32(bp + 4), b2 = vld1q_f32(bp + 8);
      const float32x4_t x0 = vld1q_f32(a), x1 = vld1q_f32(a + 4);
#define SIMDNET_NEON_ROW(i, x, lane)                      \
  acc[i][0] = vfmaq_laneq_f32(acc[i][0], b0, x, lane);    \
  acc[i][1] = vfmaq_laneq_f32(acc[i][1], b1, x, lane);    \
  acc[i][2] = vfmaq_laneq_f32(acc[i][2], b2, x, lane);
      SIMDNET_NEON_ROW(0, x0, 0)
      SIMDNET_NEON_ROW(1, x0, 1)
      SIMDNET_NEON_ROW(2, x0, 2)
      SIMDNET_NEON_ROW(3, x0, 3)
      SIMDNET_NEON_ROW(4, x1, 0)
      SIMDNET_NEON_ROW(5, x1, 1)
      SIMDNET_NEON_ROW(6, x1, 2)
      SIMDNET_NEON_ROW(7, x1, 3)
#undef SIMDNET_NEON_ROW
    }
  } else {
    // the caller's matrix (or a partial panel): rows >= m alias row m-1, so only rows < m are read
    const size_t last = m - 1;
    const float* ar[kMR];
    for (size_t i = 0; i < kMR; ++i) ar[i] = a + (i < last ? i : last) * rs_a;
    size_t off = 0;
    for (size_t q = 0; q < k; ++q, off += cs_a, bp += kNR) {
      const float32x4_t b0 = vld1q_f32(bp), b1 = vld1q_f32(bp + 4), b2 = vld1q_f32(bp + 8);
      for (size_t i = 0; i < kMR; ++i) {
        const float x = ar[i][off];
        acc[i][0] = vfmaq_n_f32(acc[i][0], b0, x);
        acc[i][1] = vfmaq_n_f32(acc[i][1], b1, x);
        acc[i][2] = vfmaq_n_f32(acc[i][2], b2, x);
      }
    }
  }
  for (size_t i = 0; i < m; ++i) store_row(c + i * ldc, n, acc[i], p);
}

extern const GemmKernels gemm_kernels = {
    /*mr=*/kMR, /*nr=*/kNR, f32_gemm_ukernel_8x12__neon, fma_burn, /*fma_flops_per_iter=*/12 * 4 * 2,
};

}  // namespace simdnet::neon
#endif  // SIMDNET_ARM64
