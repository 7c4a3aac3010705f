// f32 GEMM microkernel, 6x16 tile, AVX2+FMA. Contract: gemm.h (GemmUkernelFn).
//
// 6 rows x 2 ymm = 12 accumulators, 2 ymm for the B row, 1 for the broadcast A value: 15 of 16 registers. Per k step
// 12 independent FMAs against 2 loads + 6 broadcasts; Zen 3 retires 2 FMAs/cycle with 4-cycle latency, so 8 chains
// in flight are needed and 12 hide it with room to spare (BLIS haswell/zen sgemm uses the same 6x16 shape).
#include "simd/arch.h"

#if SIMDNET_X86
#include <immintrin.h>

#include <cstdint>

#include "kernels/gemm/gemm.h"

#include "simd/avx2-begin.h"

namespace simdnet::avx2 {
namespace {

constexpr size_t kMR = 6, kNR = 16;

// Mask with the first n (0..8) lanes set: a window into -1 x8, 0 x8.
static inline __m256i lane_mask(size_t n) {
  static const int32_t kBits[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kBits + 8 - n));
}

struct Epi {
  __m256 alpha, beta, slope, bias0, bias1;
  __m256i mask0, mask1;  // valid lanes of the two halves (used when n < 16)
  bool read_c, full;
  Act act;
};

static inline __m256 finish(__m256 acc, __m256 c_old, __m256 bias, const Epi& e) {
  __m256 v = _mm256_mul_ps(acc, e.alpha);
  if (e.read_c) v = _mm256_fmadd_ps(c_old, e.beta, v);
  v = _mm256_add_ps(v, bias);
  const __m256 zero = _mm256_setzero_ps();
  if (e.act == Act::relu) {
    v = _mm256_max_ps(zero, v);  // max_ps returns its second operand when either is NaN: NaN stays NaN
  } else if (e.act == Act::leaky_relu) {
    v = _mm256_blendv_ps(_mm256_mul_ps(v, e.slope), v, _mm256_cmp_ps(v, zero, _CMP_GT_OQ));
  }
  return v;
}

static inline void store_row(float* c, __m256 acc0, __m256 acc1, const Epi& e) {
  if (e.full) {
    const __m256 z = _mm256_setzero_ps();
    const __m256 c0 = e.read_c ? _mm256_loadu_ps(c) : z;
    const __m256 c1 = e.read_c ? _mm256_loadu_ps(c + 8) : z;
    _mm256_storeu_ps(c, finish(acc0, c0, e.bias0, e));
    _mm256_storeu_ps(c + 8, finish(acc1, c1, e.bias1, e));
    return;
  }
  // Partial tile: masked loads never touch memory of masked-off lanes (no fault), masked stores never write them.
  const __m256 z = _mm256_setzero_ps();
  const __m256 c0 = e.read_c ? _mm256_maskload_ps(c, e.mask0) : z;
  _mm256_maskstore_ps(c, e.mask0, finish(acc0, c0, e.bias0, e));
  if (_mm256_testz_si256(e.mask1, e.mask1)) return;
  const __m256 c1 = e.read_c ? _mm256_maskload_ps(c + 8, e.mask1) : z;
  _mm256_maskstore_ps(c + 8, e.mask1, finish(acc1, c1, e.bias1, e));
}

#define SIMDNET_GEMM_ROW_FMA(r, x)          \
  c##r##0 = _mm256_fmadd_ps(x, b0, c##r##0); \
  c##r##1 = _mm256_fmadd_ps(x, b1, c##r##1);

// kPacked: A is a packed MR panel (a[p*6 + i], padded rows readable), so one pointer with constant offsets.
// Otherwise A is the caller's matrix with strides; rows >= m alias row m-1 so nothing outside A is read.
template <bool kPacked>
static inline void ukernel_6x16(size_t m, size_t n, size_t k, const float* a, size_t rs_a, size_t cs_a,
                                const float* bp, float* c, size_t ldc, const GemmTileParams& p) {
  __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  if (kPacked) {
#pragma GCC unroll 4
    for (size_t q = 0; q < k; ++q) {
      const __m256 b0 = _mm256_load_ps(bp), b1 = _mm256_load_ps(bp + 8);
      bp += kNR;
      __m256 x = _mm256_broadcast_ss(a + 0);
      SIMDNET_GEMM_ROW_FMA(0, x)
      x = _mm256_broadcast_ss(a + 1);
      SIMDNET_GEMM_ROW_FMA(1, x)
      x = _mm256_broadcast_ss(a + 2);
      SIMDNET_GEMM_ROW_FMA(2, x)
      x = _mm256_broadcast_ss(a + 3);
      SIMDNET_GEMM_ROW_FMA(3, x)
      x = _mm256_broadcast_ss(a + 4);
      SIMDNET_GEMM_ROW_FMA(4, x)
      x = _mm256_broadcast_ss(a + 5);
      SIMDNET_GEMM_ROW_FMA(5, x)
      a += kMR;
    }
  } else {
    const size_t last = m - 1;
    const float* a0 = a;
    const float* a1 = a + (last < 1 ? last : 1) * rs_a;
    const float* a2 = a + (last < 2 ? last : 2) * rs_a;
    const float* a3 = a + (last < 3 ? last : 3) * rs_a;
    const float* a4 = a + (last < 4 ? last : 4) * rs_a;
    const float* a5 = a + (last < 5 ? last : 5) * rs_a;
    size_t off = 0;
#pragma GCC unroll 4
    for (size_t q = 0; q < k; ++q) {
      const __m256 b0 = _mm256_load_ps(bp), b1 = _mm256_load_ps(bp + 8);
      bp += kNR;
      __m256 x = _mm256_broadcast_ss(a0 + off);
      SIMDNET_GEMM_ROW_FMA(0, x)
      x = _mm256_broadcast_ss(a1 + off);
      SIMDNET_GEMM_ROW_FMA(1, x)
      x = _mm256_broadcast_ss(a2 + off);
      SIMDNET_GEMM_ROW_FMA(2, x)
      x = _mm256_broadcast_ss(a3 + off);
      SIMDNET_GEMM_ROW_FMA(3, x)
      x = _mm256_broadcast_ss(a4 + off);
      SIMDNET_GEMM_ROW_FMA(4, x)
      x = _mm256_broadcast_ss(a5 + off);
      SIMDNET_GEMM_ROW_FMA(5, x)
      off += cs_a;
    }
  }

  Epi e;
  e.alpha = _mm256_set1_ps(p.alpha);
  e.beta = _mm256_set1_ps(p.beta);
  e.slope = _mm256_set1_ps(p.slope);
  e.read_c = p.beta != 0.0f;
  e.full = n == kNR;
  e.act = p.act;
  e.mask0 = lane_mask(n < 8 ? n : 8);
  e.mask1 = lane_mask(n > 8 ? n - 8 : 0);
  e.bias0 = e.bias1 = _mm256_setzero_ps();
  if (p.bias) {
    e.bias0 = e.full ? _mm256_loadu_ps(p.bias) : _mm256_maskload_ps(p.bias, e.mask0);
    e.bias1 = e.full ? _mm256_loadu_ps(p.bias + 8) : _mm256_maskload_ps(p.bias + 8, e.mask1);
  }
  store_row(c, c00, c01, e);
  if (m > 1) store_row(c + ldc, c10, c11, e);
  if (m > 2) store_row(c + 2 * ldc, c20, c21, e);
  if (m > 3) store_row(c + 3 * ldc, c30, c31, e);
  if (m > 4) store_row(c + 4 * ldc, c40, c41, e);
  if (m > 5) store_row(c + 5 * ldc, c50, c51, e);
}

#undef SIMDNET_GEMM_ROW_FMA

// 12 independent 8-lane FMA chains (3 per cycle of latency x 2 pipes = 8 needed on Zen 3; 12 leaves margin).
static float fma_burn(size_t iters) {
  __m256 acc[12];
  for (int i = 0; i < 12; ++i) acc[i] = _mm256_set1_ps(0.001f * static_cast<float>(i));
  const __m256 mul = _mm256_set1_ps(0.9999f), add = _mm256_set1_ps(1e-4f);
  for (size_t it = 0; it < iters; ++it) {
#pragma GCC unroll 12
    for (int i = 0; i < 12; ++i) acc[i] = _mm256_fmadd_ps(acc[i], mul, add);
  }
  __m256 s = acc[0];
  for (int i = 1; i < 12; ++i) s = _mm256_add_ps(s, acc[i]);
  float out[8];
  _mm256_storeu_ps(out, s);
  return out[0] + out[7];
}

}  // namespace

void f32_gemm_ukernel_6x16__avx2(size_t m, size_t n, size_t k, const float* a, size_t rs_a, size_t cs_a,
                                 const float* bp, float* c, size_t ldc, const GemmTileParams& p) {
  // A packed panel of a full tile; partial tiles and the caller's own matrices go the strided way, which reads only
  // rows < m (a caller's A^T with lda == 6 also looks like a panel but has no padding rows to over-read).
  if (rs_a == 1 && cs_a == kMR && m == kMR)
    ukernel_6x16<true>(m, n, k, a, rs_a, cs_a, bp, c, ldc, p);
  else
    ukernel_6x16<false>(m, n, k, a, rs_a, cs_a, bp, c, ldc, p);
}

extern const GemmKernels gemm_kernels = {
    /*mr=*/kMR, /*nr=*/kNR, f32_gemm_ukernel_6x16__avx2, fma_burn, /*fma_flops_per_iter=*/12 * 8 * 2,
};

}  // namespace simdnet::avx2

#include "simd/avx2-end.h"
#endif  // SIMDNET_X86
