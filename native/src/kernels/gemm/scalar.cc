// f32 GEMM microkernel, 4x4 tile, portable C++ (the fallback on CPUs without AVX2/NEON). Contract: gemm.h.
// 16 accumulators in locals; the compiler keeps them in registers and may vectorise for the baseline ISA.
#include <cstddef>

#include "kernels/gemm/gemm.h"

namespace simdnet::scalar {
namespace {

constexpr size_t kMR = 4, kNR = 4;

static inline float finish(float acc, const float* c, const GemmTileParams& p, size_t j) {
  float v = p.alpha * acc;
  if (p.beta != 0.0f) v += p.beta * *c;
  if (p.bias) v += p.bias[j];
  if (p.act == Act::relu) {
    v = v < 0.0f ? 0.0f : v;  // NaN compares false: NaN stays NaN
  } else if (p.act == Act::leaky_relu) {
    v = v > 0.0f ? v : p.slope * v;
  }
  return v;
}

static float fma_burn(size_t iters) {
  // 12 independent multiply-add chains, as on the SIMD ISAs (the compiler may or may not fuse them).
  float acc[12];
  for (int i = 0; i < 12; ++i) acc[i] = 0.001f * static_cast<float>(i);
  for (size_t it = 0; it < iters; ++it) {
    for (int i = 0; i < 12; ++i) acc[i] = acc[i] * 0.9999f + 1e-4f;
  }
  float s = 0.0f;
  for (int i = 0; i < 12; ++i) s += acc[i];
  return s;
}

}  // namespace

void f32_gemm_ukernel_4x4__scalar(size_t m, size_t n, size_t k, const float* a, size_t rs_a, size_t cs_a,
                                  const float* bp, float* c, size_t ldc, const GemmTileParams& p) {
  float acc[kMR][kNR] = {};
  const size_t last = m - 1;
  const float* ar[kMR];
  for (size_t i = 0; i < kMR; ++i) ar[i] = a + (i < last ? i : last) * rs_a;  // rows >= m alias row m-1
  size_t off = 0;
  for (size_t q = 0; q < k; ++q, off += cs_a, bp += kNR) {
    for (size_t i = 0; i < kMR; ++i) {
      const float x = ar[i][off];
      for (size_t j = 0; j < kNR; ++j) acc[i][j] += x * bp[j];
    }
  }
  for (size_t i = 0; i < m; ++i) {
    float* ci = c + i * ldc;
    for (size_t j = 0; j < n; ++j) ci[j] = finish(acc[i][j], ci + j, p, j);
  }
}

extern const GemmKernels gemm_kernels = {
    /*mr=*/kMR, /*nr=*/kNR, f32_gemm_ukernel_4x4__scalar, fma_burn, /*fma_flops_per_iter=*/12 * 2,
};

}  // namespace simdnet::scalar
