// f32 GEMM microkernel, 6x16 tile, AVX2+FMA. Contract: gemm.h (GemmUkernelFn).
//
// 6 rows x 2 ymm = 12 accumulators, 2 ymm for the B row, 1 for the broadcast A value: 15 of 16 registers. Per k step
// 12 independent FMAs against 2 loads + 6 broadcasts; Zen 3 retires 2 FMAs/cycle with 4-cycle latency, so 8 chains
// in flight are needed and 12 hide it with room to spare (BLIS haswell/zen sgemm uses the same 6x16 shape).
#include "simd/arch.h"

#if SIMDNET_X86
#include <immintrin.h>

#include <array>
#include <cstdint>
#include <utility>

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

// The tile epilogue, C = act(alpha*acc + beta*C + bias) for rows i < m and columns j < n, from the accumulators the
// k loop left in acc[16*i + j]. One instantiation per combination of the per-call choices, picked once per tile
// from a table: the single generic epilogue it replaces tested beta, the bias and the activation row by row and
// cost ~120 cycles per tile (as much as 20 k steps), which held back short-k products such as (128,64,10).
// kAct: 0 linear (sigmoid and tanh are applied afterwards by the driver), 1 ReLU, 2 leaky ReLU.
template <bool kFull, bool kReadC, bool kBias, bool kUnitAlpha, int kAct>
static void epilogue(const float* acc, size_t m, size_t n, float* c, size_t ldc, const GemmTileParams& p) {
  const __m256 zero = _mm256_setzero_ps();
  const __m256 alpha = _mm256_set1_ps(p.alpha), beta = _mm256_set1_ps(p.beta), slope = _mm256_set1_ps(p.slope);
  const size_t n0 = kFull ? 8 : (n < 8 ? n : 8), n1 = kFull ? 8 : (n > 8 ? n - 8 : 0);
  const __m256i mask0 = lane_mask(n0), mask1 = lane_mask(n1);
  __m256 bias0 = zero, bias1 = zero;
  if (kBias) {
    bias0 = kFull ? _mm256_loadu_ps(p.bias) : _mm256_maskload_ps(p.bias, mask0);
    bias1 = kFull ? _mm256_loadu_ps(p.bias + 8) : _mm256_maskload_ps(p.bias + 8, mask1);
  }
  const auto finish = [&](__m256 v, const float* c_old, __m256i mask, __m256 bias) {
    if (!kUnitAlpha) v = _mm256_mul_ps(v, alpha);
    // masked loads never touch the memory of masked-off lanes
    if (kReadC) v = _mm256_fmadd_ps(kFull ? _mm256_loadu_ps(c_old) : _mm256_maskload_ps(c_old, mask), beta, v);
    if (kBias) v = _mm256_add_ps(v, bias);
    if (kAct == 1) v = _mm256_max_ps(zero, v);  // max_ps returns its second operand when either is NaN: NaN stays
    if (kAct == 2) v = _mm256_blendv_ps(_mm256_mul_ps(v, slope), v, _mm256_cmp_ps(v, zero, _CMP_GT_OQ));
    return v;
  };
  for (size_t i = 0; i < m; ++i, c += ldc, acc += kNR) {
    const __m256 v0 = finish(_mm256_load_ps(acc), c, mask0, bias0);
    if (kFull) {
      const __m256 v1 = finish(_mm256_load_ps(acc + 8), c + 8, mask1, bias1);
      _mm256_storeu_ps(c, v0);
      _mm256_storeu_ps(c + 8, v1);
    } else {
      store_first(c, v0, n0);
      if (n1) store_first(c + 8, finish(_mm256_load_ps(acc + 8), c + 8, mask1, bias1), n1);
    }
  }
}

using EpilogueFn = void (*)(const float*, size_t, size_t, float*, size_t, const GemmTileParams&);

// kEpilogues[full | read_c << 1 | bias << 2 | unit_alpha << 3 | act << 4]
template <size_t... I>
static constexpr std::array<EpilogueFn, sizeof...(I)> epilogue_table(std::index_sequence<I...>) {
  return {&epilogue<(I & 1) != 0, (I & 2) != 0, (I & 4) != 0, (I & 8) != 0, int(I >> 4)>...};
}
static constexpr std::array<EpilogueFn, 48> kEpilogues = epilogue_table(std::make_index_sequence<48>{});

static inline EpilogueFn pick_epilogue(size_t n, const GemmTileParams& p) {
  const size_t act = p.act == Act::relu ? 1 : p.act == Act::leaky_relu ? 2 : 0;
  return kEpilogues[size_t(n == kNR) | size_t(p.beta != 0.0f) << 1 | size_t(p.bias != nullptr) << 2 |
                    size_t(p.alpha == 1.0f) << 3 | act << 4];
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

// The same step for a packed panel (rs = 4, cs = 24 bytes): every A address is an immediate offset, so an unrolled
// group of 4 steps needs one pointer add instead of eight.
#define SIMDNET_GEMM_6X16_PSTEP(aoff, boff)            \
  "vmovaps " #boff "(%[b]), %%ymm14\n\t"               \
  "vmovaps " #boff "+32(%[b]), %%ymm15\n\t"            \
  "vbroadcastss " #aoff "(%[a]), %%ymm13\n\t"          \
  "vfmadd231ps %%ymm14, %%ymm13, %%ymm0\n\t"           \
  "vfmadd231ps %%ymm15, %%ymm13, %%ymm1\n\t"           \
  "vbroadcastss " #aoff "+4(%[a]), %%ymm13\n\t"        \
  "vfmadd231ps %%ymm14, %%ymm13, %%ymm2\n\t"           \
  "vfmadd231ps %%ymm15, %%ymm13, %%ymm3\n\t"           \
  "vbroadcastss " #aoff "+8(%[a]), %%ymm13\n\t"        \
  "vfmadd231ps %%ymm14, %%ymm13, %%ymm4\n\t"           \
  "vfmadd231ps %%ymm15, %%ymm13, %%ymm5\n\t"           \
  "vbroadcastss " #aoff "+12(%[a]), %%ymm13\n\t"       \
  "vfmadd231ps %%ymm14, %%ymm13, %%ymm6\n\t"           \
  "vfmadd231ps %%ymm15, %%ymm13, %%ymm7\n\t"           \
  "vbroadcastss " #aoff "+16(%[a]), %%ymm13\n\t"       \
  "vfmadd231ps %%ymm14, %%ymm13, %%ymm8\n\t"           \
  "vfmadd231ps %%ymm15, %%ymm13, %%ymm9\n\t"           \
  "vbroadcastss " #aoff "+20(%[a]), %%ymm13\n\t"       \
  "vfmadd231ps %%ymm14, %%ymm13, %%ymm10\n\t"          \
  "vfmadd231ps %%ymm15, %%ymm13, %%ymm11\n\t"

#define SIMDNET_GEMM_6X16_ZERO                                                                   \
  "vxorps %%xmm0, %%xmm0, %%xmm0\n\t"                                                            \
  "vmovaps %%ymm0, %%ymm1\n\t" "vmovaps %%ymm0, %%ymm2\n\t" "vmovaps %%ymm0, %%ymm3\n\t"         \
  "vmovaps %%ymm0, %%ymm4\n\t" "vmovaps %%ymm0, %%ymm5\n\t" "vmovaps %%ymm0, %%ymm6\n\t"         \
  "vmovaps %%ymm0, %%ymm7\n\t" "vmovaps %%ymm0, %%ymm8\n\t" "vmovaps %%ymm0, %%ymm9\n\t"         \
  "vmovaps %%ymm0, %%ymm10\n\t" "vmovaps %%ymm0, %%ymm11\n\t"

#define SIMDNET_GEMM_6X16_SAVE                                                                   \
  "vmovaps %%ymm0, 0(%[acc])\n\t" "vmovaps %%ymm1, 32(%[acc])\n\t"                               \
  "vmovaps %%ymm2, 64(%[acc])\n\t" "vmovaps %%ymm3, 96(%[acc])\n\t"                              \
  "vmovaps %%ymm4, 128(%[acc])\n\t" "vmovaps %%ymm5, 160(%[acc])\n\t"                            \
  "vmovaps %%ymm6, 192(%[acc])\n\t" "vmovaps %%ymm7, 224(%[acc])\n\t"                            \
  "vmovaps %%ymm8, 256(%[acc])\n\t" "vmovaps %%ymm9, 288(%[acc])\n\t"                            \
  "vmovaps %%ymm10, 320(%[acc])\n\t" "vmovaps %%ymm11, 352(%[acc])\n\t"

#define SIMDNET_GEMM_6X16_CLOBBERS                                                                      \
  "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", \
      "xmm13", "xmm14", "xmm15", "cc", "memory"

#define SIMDNET_GEMM_ROW_FMA(r, x)          \
  c##r##0 = _mm256_fmadd_ps(x, b0, c##r##0); \
  c##r##1 = _mm256_fmadd_ps(x, b1, c##r##1);

// A(i, p) = a[i*rs_a + p*cs_a] for i < m (rows >= m alias row m-1, so nothing outside A is read; a packed panel is
// rs_a = 1, cs_a = 6). Full 6-row tiles run the assembly loop; the last partial row block runs intrinsics.
static inline void ukernel_6x16(size_t m, size_t n, size_t k, const float* a, size_t rs_a, size_t cs_a,
                                const float* bp, float* c, size_t ldc, const GemmTileParams& p) {
  // C rows are written after the loop; start pulling them in now (each 16-float row may straddle two lines).
  for (size_t i = 0; i < m; ++i) {
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc + 15), _MM_HINT_T0);
  }
  alignas(32) float acc[kMR * kNR];
  if (m == kMR) {
    size_t k4 = k / 4, k1 = k % 4;
    if (rs_a == 1 && cs_a == kMR) {
      __asm__ volatile(
          SIMDNET_GEMM_6X16_ZERO
          "test %[k4], %[k4]\n\t"
          "jz 2f\n\t"
          ".p2align 5\n\t"
          "1:\n\t"
          SIMDNET_GEMM_6X16_PSTEP(0, 0)
          SIMDNET_GEMM_6X16_PSTEP(24, 64)
          SIMDNET_GEMM_6X16_PSTEP(48, 128)
          SIMDNET_GEMM_6X16_PSTEP(72, 192)
          "add $96, %[a]\n\t"
          "add $256, %[b]\n\t"
          "dec %[k4]\n\t"
          "jnz 1b\n\t"
          "2:\n\t"
          "test %[k1], %[k1]\n\t"
          "jz 4f\n\t"
          "3:\n\t"
          SIMDNET_GEMM_6X16_PSTEP(0, 0)
          "add $24, %[a]\n\t"
          "add $64, %[b]\n\t"
          "dec %[k1]\n\t"
          "jnz 3b\n\t"
          "4:\n\t"
          SIMDNET_GEMM_6X16_SAVE
          : [a] "+r"(a), [b] "+r"(bp), [k4] "+r"(k4), [k1] "+r"(k1)
          : [acc] "r"(acc)
          : SIMDNET_GEMM_6X16_CLOBBERS);
    } else {
      const float* a3 = a + 3 * rs_a;
      const size_t rs = rs_a * sizeof(float), cs = cs_a * sizeof(float);
      __asm__ volatile(
          SIMDNET_GEMM_6X16_ZERO
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
          SIMDNET_GEMM_6X16_SAVE
          : [a] "+r"(a), [a3] "+r"(a3), [b] "+r"(bp), [k4] "+r"(k4), [k1] "+r"(k1)
          : [rs] "r"(rs), [cs] "r"(cs), [acc] "r"(acc)
          : SIMDNET_GEMM_6X16_CLOBBERS);
    }
  } else {
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00;
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
    _mm256_store_ps(acc + 0, c00), _mm256_store_ps(acc + 8, c01);
    _mm256_store_ps(acc + 16, c10), _mm256_store_ps(acc + 24, c11);
    _mm256_store_ps(acc + 32, c20), _mm256_store_ps(acc + 40, c21);
    _mm256_store_ps(acc + 48, c30), _mm256_store_ps(acc + 56, c31);
    _mm256_store_ps(acc + 64, c40), _mm256_store_ps(acc + 72, c41);
  }
  pick_epilogue(n, p)(acc, m, n, c, ldc, p);
}

#undef SIMDNET_GEMM_ROW_FMA
#undef SIMDNET_GEMM_6X16_STEP
#undef SIMDNET_GEMM_6X16_PSTEP
#undef SIMDNET_GEMM_6X16_ZERO
#undef SIMDNET_GEMM_6X16_SAVE
#undef SIMDNET_GEMM_6X16_CLOBBERS

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
