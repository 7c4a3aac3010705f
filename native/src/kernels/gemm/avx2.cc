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
  size_t n0, n1;         // their counts
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

// Stores the first cnt (0..8) lanes of v. Built from 4/2/1-lane stores rather than vmaskmovps, whose store form is
// microcoded and slow on AMD (Zen 2/3: about one per ~10 cycles), which dominated narrow outputs such as n = 10.
static inline void store_first(float* c, __m256 v, size_t cnt) {
  if (cnt == 8) {
    _mm256_storeu_ps(c, v);
    return;
  }
  __m128 x = _mm256_castps256_ps128(v);
  if (cnt >= 4) {
    _mm_storeu_ps(c, x);
    x = _mm256_extractf128_ps(v, 1);
    c += 4;
    cnt -= 4;
  }
  if (cnt >= 2) {
    _mm_storel_pi(reinterpret_cast<__m64*>(c), x);
    x = _mm_movehl_ps(x, x);
    c += 2;
    cnt -= 2;
  }
  if (cnt) _mm_store_ss(c, x);
}

static inline void store_row(float* c, __m256 acc0, __m256 acc1, const Epi& e) {
  const __m256 z = _mm256_setzero_ps();
  if (e.full) {
    const __m256 c0 = e.read_c ? _mm256_loadu_ps(c) : z;
    const __m256 c1 = e.read_c ? _mm256_loadu_ps(c + 8) : z;
    _mm256_storeu_ps(c, finish(acc0, c0, e.bias0, e));
    _mm256_storeu_ps(c + 8, finish(acc1, c1, e.bias1, e));
    return;
  }
  // Partial tile: masked loads never touch memory of masked-off lanes (and are fast); stores write only j < n.
  const __m256 c0 = e.read_c ? _mm256_maskload_ps(c, e.mask0) : z;
  store_first(c, finish(acc0, c0, e.bias0, e), e.n0);
  if (e.n1 == 0) return;
  const __m256 c1 = e.read_c ? _mm256_maskload_ps(c + 8, e.mask1) : z;
  store_first(c + 8, finish(acc1, c1, e.bias1, e), e.n1);
}

// One k step of the full 6x16 tile in assembly: GCC's allocator spilled one of the 12 accumulators to the stack
// in the intrinsic version of this loop (15 live ymm of 16). Accumulators live in ymm0-11 (C(i, 8h..8h+7) in
// ymm(2i+h)), B in ymm14-15, the broadcast A value in ymm13. Rows 0-2 are read at a, a+rs, a+2rs and rows 3-5 at
// a3, a3+rs, a3+2rs; both pointers advance by cs bytes per step (packed panel: rs=4, cs=24). The loop leaves the
// tile in a stack buffer for the intrinsic epilogue (12 stores + 12 L1 loads per tile: noise next to k steps).
#define SIMDNET_GEMM_6X16_STEP(boff)                   \
  "vmovaps " #boff "(%[b]), %%ymm14\n\t"               \
  "vmovaps " #boff "+32(%[b]), %%ymm15\n\t"            \
  "vbroadcastss (%[a]), %%ymm13\n\t"                   \
  "vfmadd231ps %%ymm14, %%ymm13, %%ymm0\n\t"           \
  "vfmadd231ps %%ymm15, %%ymm13, %%ymm1\n\t"           \
  "vbroadcastss (%[a],%[rs],1), %%ymm13\n\t"           \
  "vfmadd231ps %%ymm14, %%ymm13, %%ymm2\n\t"           \
  "vfmadd231ps %%ymm15, %%ymm13, %%ymm3\n\t"           \
  "vbroadcastss (%[a],%[rs],2), %%ymm13\n\t"           \
  "vfmadd231ps %%ymm14, %%ymm13, %%ymm4\n\t"           \
  "vfmadd231ps %%ymm15, %%ymm13, %%ymm5\n\t"           \
  "vbroadcastss (%[a3]), %%ymm13\n\t"                  \
  "vfmadd231ps %%ymm14, %%ymm13, %%ymm6\n\t"           \
  "vfmadd231ps %%ymm15, %%ymm13, %%ymm7\n\t"           \
  "vbroadcastss (%[a3],%[rs],1), %%ymm13\n\t"          \
  "vfmadd231ps %%ymm14, %%ymm13, %%ymm8\n\t"           \
  "vfmadd231ps %%ymm15, %%ymm13, %%ymm9\n\t"           \
  "vbroadcastss (%[a3],%[rs],2), %%ymm13\n\t"          \
  "vfmadd231ps %%ymm14, %%ymm13, %%ymm10\n\t"           \
  "vfmadd231ps %%ymm15, %%ymm13, %%ymm11\n\t"           \
  "add %[cs], %[a]\n\t"                                \
  "add %[cs], %[a3]\n\t"

#define SIMDNET_GEMM_ROW_FMA(r, x)          \
  c##r##0 = _mm256_fmadd_ps(x, b0, c##r##0); \
  c##r##1 = _mm256_fmadd_ps(x, b1, c##r##1);

// A(i, p) = a[i*rs_a + p*cs_a] for i < m (rows >= m alias row m-1, so nothing outside A is read; a packed panel is
// rs_a = 1, cs_a = 6). Full 6-row tiles run the assembly loop; the last partial row block runs intrinsics.
static inline void ukernel_6x16(size_t m, size_t n, size_t k, const float* a, size_t rs_a, size_t cs_a,
                                const float* bp, float* c, size_t ldc, const GemmTileParams& p) {
  __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
  __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  // C rows are written after the loop; start pulling them in now (each 16-float row may straddle two lines).
  for (size_t i = 0; i < m; ++i) {
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc + 15), _MM_HINT_T0);
  }
  if (m == kMR) {
    const float* a3 = a + 3 * rs_a;
    const size_t rs = rs_a * sizeof(float), cs = cs_a * sizeof(float);
    size_t k4 = k / 4, k1 = k % 4;
    alignas(32) float acc[kMR * kNR];
    __asm__ volatile(
        "vxorps %%xmm0, %%xmm0, %%xmm0\n\t"
        "vmovaps %%ymm0, %%ymm1\n\t" "vmovaps %%ymm0, %%ymm2\n\t" "vmovaps %%ymm0, %%ymm3\n\t"
        "vmovaps %%ymm0, %%ymm4\n\t" "vmovaps %%ymm0, %%ymm5\n\t" "vmovaps %%ymm0, %%ymm6\n\t"
        "vmovaps %%ymm0, %%ymm7\n\t" "vmovaps %%ymm0, %%ymm8\n\t" "vmovaps %%ymm0, %%ymm9\n\t"
        "vmovaps %%ymm0, %%ymm10\n\t" "vmovaps %%ymm0, %%ymm11\n\t"
        "test %[k4], %[k4]\n\t"
        "jz 2f\n\t"
        ".p2align 5\n\t"
        "1:\n\t"
        SIMDNET_GEMM_6X16_STEP(0)
        SIMDNET_GEMM_6X16_STEP(64)
        SIMDNET_GEMM_6X16_STEP(128)
        SIMDNET_GEMM_6X16_STEP(192)
        "add $256, %[b]\n\t"
        "dec %[k4]\n\t"
        "jnz 1b\n\t"
        "2:\n\t"
        "test %[k1], %[k1]\n\t"
        "jz 4f\n\t"
        "3:\n\t"
        SIMDNET_GEMM_6X16_STEP(0)
        "add $64, %[b]\n\t"
        "dec %[k1]\n\t"
        "jnz 3b\n\t"
        "4:\n\t"
        "vmovaps %%ymm0, 0(%[acc])\n\t" "vmovaps %%ymm1, 32(%[acc])\n\t"
        "vmovaps %%ymm2, 64(%[acc])\n\t" "vmovaps %%ymm3, 96(%[acc])\n\t"
        "vmovaps %%ymm4, 128(%[acc])\n\t" "vmovaps %%ymm5, 160(%[acc])\n\t"
        "vmovaps %%ymm6, 192(%[acc])\n\t" "vmovaps %%ymm7, 224(%[acc])\n\t"
        "vmovaps %%ymm8, 256(%[acc])\n\t" "vmovaps %%ymm9, 288(%[acc])\n\t"
        "vmovaps %%ymm10, 320(%[acc])\n\t" "vmovaps %%ymm11, 352(%[acc])\n\t"
        : [a] "+r"(a), [a3] "+r"(a3), [b] "+r"(bp), [k4] "+r"(k4), [k1] "+r"(k1)
        : [rs] "r"(rs), [cs] "r"(cs), [acc] "r"(acc)
        : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12",
          "xmm13", "xmm14", "xmm15", "cc", "memory");
    c00 = _mm256_load_ps(acc + 0), c01 = _mm256_load_ps(acc + 8);
    c10 = _mm256_load_ps(acc + 16), c11 = _mm256_load_ps(acc + 24);
    c20 = _mm256_load_ps(acc + 32), c21 = _mm256_load_ps(acc + 40);
    c30 = _mm256_load_ps(acc + 48), c31 = _mm256_load_ps(acc + 56);
    c40 = _mm256_load_ps(acc + 64), c41 = _mm256_load_ps(acc + 72);
    c50 = _mm256_load_ps(acc + 80), c51 = _mm256_load_ps(acc + 88);
  } else {
    const size_t last = m - 1;
    const float* a0 = a;
    const float* a1 = a + (last < 1 ? last : 1) * rs_a;
    const float* a2 = a + (last < 2 ? last : 2) * rs_a;
    const float* a3 = a + (last < 3 ? last : 3) * rs_a;
    const float* a4 = a + (last < 4 ? last : 4) * rs_a;
    size_t off = 0;
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
  e.n0 = n < 8 ? n : 8;
  e.n1 = n > 8 ? n - 8 : 0;
  e.mask0 = lane_mask(e.n0);
  e.mask1 = lane_mask(e.n1);
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
#undef SIMDNET_GEMM_6X16_STEP

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
  ukernel_6x16(m, n, k, a, rs_a, cs_a, bp, c, ldc, p);
}

extern const GemmKernels gemm_kernels = {
    /*mr=*/kMR, /*nr=*/kNR, f32_gemm_ukernel_6x16__avx2, fma_burn, /*fma_flops_per_iter=*/12 * 8 * 2,
};

}  // namespace simdnet::avx2

#include "simd/avx2-end.h"
#endif  // SIMDNET_X86
