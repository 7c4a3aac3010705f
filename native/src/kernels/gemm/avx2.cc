// f32 GEMM microkernel, 6x16 tile, AVX2+FMA. Contract: gemm.h (GemmUkernelFn).
//
// 6 rows x 2 ymm = 12 accumulators, 2 ymm for the B row, 1 for the broadcast A value: 15 of 16 registers. Per k step
// 12 independent FMAs against 2 loads + 6 broadcasts; Zen 3 retires 2 FMAs/cycle with 4-cycle latency, so 8 chains
// in flight are needed and 12 hide it with room to spare (BLIS haswell/zen sgemm uses the same 6x16 shape).
#include "simd/arch.h"

#if SIMDNET_X86
#include <immintrin.h>

#include <algorithm>
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

// alpha*acc (+ beta*C) (+ bias) then ReLU / leaky ReLU on one 8-lane vector of a tile row: the arithmetic of both
// epilogues below. Masked loads (kFull false) never touch the memory of masked-off lanes.
template <bool kFull, bool kReadC, bool kBias, bool kUnitAlpha, int kAct>
static inline __attribute__((always_inline)) __m256 finish_lanes(__m256 v, const float* c_old, __m256i mask,
                                                                  __m256 bias, __m256 alpha, __m256 beta,
                                                                  __m256 slope) {
  const __m256 zero = _mm256_setzero_ps();
  if (!kUnitAlpha) {
    v = _mm256_mul_ps(v, alpha);
    // Rounded here, as finish_full_tile rounds its alpha product: otherwise GCC fuses this product with the bias add
    // below into one FMA, and a row finished through this table (a tile of fewer than 6 rows or 16 columns) rounded
    // alpha*acc + bias once where the same row in a full tile rounded it twice.
    __asm__("" : "+x"(v));
  }
  if (kReadC) v = _mm256_fmadd_ps(kFull ? _mm256_loadu_ps(c_old) : _mm256_maskload_ps(c_old, mask), beta, v);
  if (kBias) v = _mm256_add_ps(v, bias);
  if (kAct == 1) v = _mm256_max_ps(zero, v);  // max_ps returns its second operand when either is NaN: NaN stays
  if (kAct == 2) v = _mm256_blendv_ps(_mm256_mul_ps(v, slope), v, _mm256_cmp_ps(v, zero, _CMP_GT_OQ));
  return v;
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
    return finish_lanes<kFull, kReadC, kBias, kUnitAlpha, kAct>(v, c_old, mask, bias, alpha, beta, slope);
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
// in the intrinsic version of this loop (15 live ymm of 16). The accumulators are asm operands c0..c11 (C(i,
// 8h..8h+7) in c(2i+h), registers picked by GCC among ymm0-12), B is in ymm14-15, the broadcast A value in ymm13.
// Rows 0-2 are read at a, a+rs, a+2rs and rows 3-5 at a3, a3+rs, a3+2rs; both pointers advance by cs bytes per step
// (packed panel: rs=4, cs=24). A full tile is finished from those registers (finish_full_tile); a tile narrower
// than 16 goes through a stack buffer and the masked epilogue table.
#define SIMDNET_GEMM_6X16_STEP(boff)                   \
  "vmovaps " #boff "(%[b]), %%ymm14\n\t"               \
  "vmovaps " #boff "+32(%[b]), %%ymm15\n\t"            \
  "vbroadcastss (%[a]), %%ymm13\n\t"                   \
  "vfmadd231ps %%ymm14, %%ymm13, %[c0]\n\t"           \
  "vfmadd231ps %%ymm15, %%ymm13, %[c1]\n\t"           \
  "vbroadcastss (%[a],%[rs],1), %%ymm13\n\t"           \
  "vfmadd231ps %%ymm14, %%ymm13, %[c2]\n\t"           \
  "vfmadd231ps %%ymm15, %%ymm13, %[c3]\n\t"           \
  "vbroadcastss (%[a],%[rs],2), %%ymm13\n\t"           \
  "vfmadd231ps %%ymm14, %%ymm13, %[c4]\n\t"           \
  "vfmadd231ps %%ymm15, %%ymm13, %[c5]\n\t"           \
  "vbroadcastss (%[a3]), %%ymm13\n\t"                  \
  "vfmadd231ps %%ymm14, %%ymm13, %[c6]\n\t"           \
  "vfmadd231ps %%ymm15, %%ymm13, %[c7]\n\t"           \
  "vbroadcastss (%[a3],%[rs],1), %%ymm13\n\t"          \
  "vfmadd231ps %%ymm14, %%ymm13, %[c8]\n\t"           \
  "vfmadd231ps %%ymm15, %%ymm13, %[c9]\n\t"           \
  "vbroadcastss (%[a3],%[rs],2), %%ymm13\n\t"          \
  "vfmadd231ps %%ymm14, %%ymm13, %[c10]\n\t"           \
  "vfmadd231ps %%ymm15, %%ymm13, %[c11]\n\t"           \
  "add %[cs], %[a]\n\t"                                \
  "add %[cs], %[a3]\n\t"

// The same step for a packed panel (rs = 4, cs = 24 bytes): every A address is an immediate offset, so an unrolled
// group of 4 steps needs one pointer add instead of eight.
#define SIMDNET_GEMM_6X16_PSTEP(aoff, boff)            \
  "vmovaps " #boff "(%[b]), %%ymm14\n\t"               \
  "vmovaps " #boff "+32(%[b]), %%ymm15\n\t"            \
  "vbroadcastss " #aoff "(%[a]), %%ymm13\n\t"          \
  "vfmadd231ps %%ymm14, %%ymm13, %[c0]\n\t"           \
  "vfmadd231ps %%ymm15, %%ymm13, %[c1]\n\t"           \
  "vbroadcastss " #aoff "+4(%[a]), %%ymm13\n\t"        \
  "vfmadd231ps %%ymm14, %%ymm13, %[c2]\n\t"           \
  "vfmadd231ps %%ymm15, %%ymm13, %[c3]\n\t"           \
  "vbroadcastss " #aoff "+8(%[a]), %%ymm13\n\t"        \
  "vfmadd231ps %%ymm14, %%ymm13, %[c4]\n\t"           \
  "vfmadd231ps %%ymm15, %%ymm13, %[c5]\n\t"           \
  "vbroadcastss " #aoff "+12(%[a]), %%ymm13\n\t"       \
  "vfmadd231ps %%ymm14, %%ymm13, %[c6]\n\t"           \
  "vfmadd231ps %%ymm15, %%ymm13, %[c7]\n\t"           \
  "vbroadcastss " #aoff "+16(%[a]), %%ymm13\n\t"       \
  "vfmadd231ps %%ymm14, %%ymm13, %[c8]\n\t"           \
  "vfmadd231ps %%ymm15, %%ymm13, %[c9]\n\t"           \
  "vbroadcastss " #aoff "+20(%[a]), %%ymm13\n\t"       \
  "vfmadd231ps %%ymm14, %%ymm13, %[c10]\n\t"          \
  "vfmadd231ps %%ymm15, %%ymm13, %[c11]\n\t"

// The accumulators are outputs only (zeroed by the asm): "+x" would count each twice against GCC's 30 operands.
#define SIMDNET_GEMM_6X16_ACC                                                                           \
  [c0] "=x"(c0), [c1] "=x"(c1), [c2] "=x"(c2), [c3] "=x"(c3), [c4] "=x"(c4), [c5] "=x"(c5), [c6] "=x"(c6), \
      [c7] "=x"(c7), [c8] "=x"(c8), [c9] "=x"(c9), [c10] "=x"(c10), [c11] "=x"(c11)

#define SIMDNET_GEMM_6X16_ZERO                                                                        \
  "vxorps %[c0], %[c0], %[c0]\n\t" "vxorps %[c1], %[c1], %[c1]\n\t" "vxorps %[c2], %[c2], %[c2]\n\t"         \
  "vxorps %[c3], %[c3], %[c3]\n\t" "vxorps %[c4], %[c4], %[c4]\n\t" "vxorps %[c5], %[c5], %[c5]\n\t"         \
  "vxorps %[c6], %[c6], %[c6]\n\t" "vxorps %[c7], %[c7], %[c7]\n\t" "vxorps %[c8], %[c8], %[c8]\n\t"         \
  "vxorps %[c9], %[c9], %[c9]\n\t" "vxorps %[c10], %[c10], %[c10]\n\t" "vxorps %[c11], %[c11], %[c11]\n\t"

#define SIMDNET_GEMM_6X16_CLOBBERS "xmm13", "xmm14", "xmm15", "cc", "memory"

// Epilogue of a full 6x16 tile straight from the accumulator registers (row i in c(2i), c(2i+1)): no round trip
// through a stack buffer and no call through the epilogue table. At KC = 256 a tile is ~1536 cycles of FMAs and the
// buffered epilogue cost ~75 more (~5% at 1024^3, ~10% at k = 128); this one costs about a third of that.
template <bool kReadC, bool kBias, int kAct>
static inline __attribute__((always_inline)) void finish_row(__m256 v0, __m256 v1, float* c,
                                                             const GemmTileParams& p) {
  const __m256i all = _mm256_set1_epi32(-1);
  const __m256 beta = _mm256_set1_ps(p.beta), slope = _mm256_set1_ps(p.slope), one = _mm256_set1_ps(1.0f);
  const __m256 bias0 = kBias ? _mm256_loadu_ps(p.bias) : one, bias1 = kBias ? _mm256_loadu_ps(p.bias + 8) : one;
  _mm256_storeu_ps(c, finish_lanes<true, kReadC, kBias, true, kAct>(v0, c, all, bias0, one, beta, slope));
  _mm256_storeu_ps(c + 8, finish_lanes<true, kReadC, kBias, true, kAct>(v1, c + 8, all, bias1, one, beta, slope));
}

#define SIMDNET_GEMM_FINISH_ROWS(R, B, A)                  \
  finish_row<R, B, A>(c0, c1, c, p);                       \
  finish_row<R, B, A>(c2, c3, c + ldc, p);                 \
  finish_row<R, B, A>(c4, c5, c + 2 * ldc, p);             \
  finish_row<R, B, A>(c6, c7, c + 3 * ldc, p);             \
  finish_row<R, B, A>(c8, c9, c + 4 * ldc, p);             \
  finish_row<R, B, A>(c10, c11, c + 5 * ldc, p);           \
  return;

static inline __attribute__((always_inline)) void finish_full_tile(
    __m256 c0, __m256 c1, __m256 c2, __m256 c3, __m256 c4, __m256 c5, __m256 c6, __m256 c7, __m256 c8, __m256 c9,
    __m256 c10, __m256 c11, float* c, size_t ldc, const GemmTileParams& p) {
  if (p.alpha != 1.0f) {
    const __m256 alpha = _mm256_set1_ps(p.alpha);
    c0 = _mm256_mul_ps(c0, alpha), c1 = _mm256_mul_ps(c1, alpha), c2 = _mm256_mul_ps(c2, alpha);
    c3 = _mm256_mul_ps(c3, alpha), c4 = _mm256_mul_ps(c4, alpha), c5 = _mm256_mul_ps(c5, alpha);
    c6 = _mm256_mul_ps(c6, alpha), c7 = _mm256_mul_ps(c7, alpha), c8 = _mm256_mul_ps(c8, alpha);
    c9 = _mm256_mul_ps(c9, alpha), c10 = _mm256_mul_ps(c10, alpha), c11 = _mm256_mul_ps(c11, alpha);
  }
  const int act = p.act == Act::relu ? 1 : p.act == Act::leaky_relu ? 2 : 0;
  switch (int(p.beta != 0.0f) | int(p.bias != nullptr) << 1 | act << 2) {
    case 0: SIMDNET_GEMM_FINISH_ROWS(false, false, 0)
    case 1: SIMDNET_GEMM_FINISH_ROWS(true, false, 0)
    case 2: SIMDNET_GEMM_FINISH_ROWS(false, true, 0)
    case 3: SIMDNET_GEMM_FINISH_ROWS(true, true, 0)
    case 4: SIMDNET_GEMM_FINISH_ROWS(false, false, 1)
    case 5: SIMDNET_GEMM_FINISH_ROWS(true, false, 1)
    case 6: SIMDNET_GEMM_FINISH_ROWS(false, true, 1)
    case 7: SIMDNET_GEMM_FINISH_ROWS(true, true, 1)
    case 8: SIMDNET_GEMM_FINISH_ROWS(false, false, 2)
    case 9: SIMDNET_GEMM_FINISH_ROWS(true, false, 2)
    case 10: SIMDNET_GEMM_FINISH_ROWS(false, true, 2)
    default: SIMDNET_GEMM_FINISH_ROWS(true, true, 2)
  }
}

#undef SIMDNET_GEMM_FINISH_ROWS

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
    __m256 c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11;
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
          : [a] "+r"(a), [b] "+r"(bp), [k4] "+r"(k4), [k1] "+r"(k1), SIMDNET_GEMM_6X16_ACC
          :
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
          : [a] "+r"(a), [a3] "+r"(a3), [b] "+r"(bp), [k4] "+r"(k4), [k1] "+r"(k1), SIMDNET_GEMM_6X16_ACC
          : [rs] "r"(rs), [cs] "r"(cs)
          : SIMDNET_GEMM_6X16_CLOBBERS);
    }
    if (n == kNR) {
      finish_full_tile(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c, ldc, p);
      return;
    }
    _mm256_store_ps(acc + 0, c0), _mm256_store_ps(acc + 8, c1), _mm256_store_ps(acc + 16, c2);
    _mm256_store_ps(acc + 24, c3), _mm256_store_ps(acc + 32, c4), _mm256_store_ps(acc + 40, c5);
    _mm256_store_ps(acc + 48, c6), _mm256_store_ps(acc + 56, c7), _mm256_store_ps(acc + 64, c8);
    _mm256_store_ps(acc + 72, c9), _mm256_store_ps(acc + 80, c10), _mm256_store_ps(acc + 88, c11);
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
#undef SIMDNET_GEMM_6X16_ACC
#undef SIMDNET_GEMM_6X16_ZERO
#undef SIMDNET_GEMM_6X16_CLOBBERS

// ---- Packing (the layouts of gemm.h's pack_a / pack_b). The portable loops in driver.cc move one float at a
// time through a gather; here rows are read 8 floats at a time and transposed in registers.

// In-register transpose of an 8x8 block: r[i] lane j -> r[j] lane i.
static inline void transpose8(__m256 r[8]) {
  const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
  const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
  const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
  const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
  const __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
  const __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
  const __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
  const __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
  r[0] = _mm256_permute2f128_ps(u0, u4, 0x20);
  r[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
  r[2] = _mm256_permute2f128_ps(u2, u6, 0x20);
  r[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
  r[4] = _mm256_permute2f128_ps(u0, u4, 0x31);
  r[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
  r[6] = _mm256_permute2f128_ps(u2, u6, 0x31);
  r[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
}

// Gathers `rows` (<= 8) source rows side by side: dst[p*stride + i] = src[i*ld_src + p] for p < kc, i < rows, and
// zero for rows <= i < width. width is 8 (any stride) or 6 (stride 6: a packed A panel), where each 8-lane store
// spills two lanes into the next p's slot and the next store overwrites them; the last p stores 6 lanes only, so
// nothing past the panel is written. `next` (next_rows rows, same ld) is the block the caller gathers after this
// one: its lines are prefetched as this one is read, since short row segments (1 KiB at KC = 256, rows 4 KiB
// apart at 1024^3) end before the hardware prefetchers ramp up -- packing read from memory cost ~7% at 1024^3.
static inline void gather_rows(const float* src, size_t ld_src, size_t rows, size_t kc, float* dst, size_t stride,
                               size_t width, const float* next = nullptr, size_t next_rows = 0) {
  const float* r[8];
  for (size_t i = 0; i < 8; ++i) r[i] = src + (i < rows ? i : 0) * ld_src;
  const __m256 zero = _mm256_setzero_ps();
  size_t p = 0;
  for (; p + 8 <= kc; p += 8) {
    if (p % 16 == 0)
      for (size_t i = 0; i < next_rows; ++i) _mm_prefetch(reinterpret_cast<const char*>(next + i * ld_src + p), _MM_HINT_T0);
    __m256 v[8];
    for (size_t i = 0; i < 8; ++i) v[i] = i < rows ? _mm256_loadu_ps(r[i] + p) : zero;
    transpose8(v);
    float* d = dst + p * stride;
    if (width == 8) {
      for (size_t q = 0; q < 8; ++q) _mm256_storeu_ps(d + q * stride, v[q]);
    } else {
      for (size_t q = 0; q < 7; ++q) _mm256_storeu_ps(d + q * 6, v[q]);
      if (p + 8 < kc) _mm256_storeu_ps(d + 7 * 6, v[7]);
      else store_first(d + 7 * 6, v[7], 6);
    }
  }
  for (; p < kc; ++p) {
    float* d = dst + p * stride;
    for (size_t i = 0; i < width; ++i) d[i] = i < rows ? r[i][p] : 0.0f;
  }
}

// pack_a for the 6-row panels. A^T (k x m, lda between its rows) already holds each k step's 6 values side by side.
static void pack_a_6(bool trans, const float* a, size_t lda, size_t mc, size_t kc, float* dst) {
  for (size_t i0 = 0; i0 < mc; i0 += kMR, dst += kc * kMR) {
    const size_t mm = mc - i0 < kMR ? mc - i0 : kMR;
    if (!trans) {
      const size_t next_rows = mc - i0 > kMR ? std::min(kMR, mc - i0 - kMR) : 0;
      gather_rows(a + i0 * lda, lda, mm, kc, dst, kMR, kMR, a + (i0 + kMR) * lda, next_rows);
    } else {
      const __m256i mask = lane_mask(mm);
      const float* src = a + i0;
      for (size_t p = 0; p < kc; ++p, src += lda) store_first(dst + p * kMR, _mm256_maskload_ps(src, mask), kMR);
    }
  }
}

// pack_b for the 16-column panels. B is read row by row across all the panels (one sequential stream: reading
// one panel at a time touched a new 4 KiB row per 64 bytes at 1024^3, ~2x slower from memory); B^T (n x k) is
// gathered 8 of its rows at a time, as pack_a gathers A.
static void pack_b_16(bool trans, const float* b, size_t ldb, size_t kc, size_t nc, float* dst) {
  if (!trans) {
    const size_t panels = nc / kNR, tail = nc % kNR, panel_size = kc * kNR;
    const size_t n0 = tail < 8 ? tail : 8, n1 = tail - n0;
    const __m256i mask0 = lane_mask(n0), mask1 = lane_mask(n1);
    for (size_t p = 0; p < kc; ++p) {
      const float* src = b + p * ldb;
      float* d = dst + p * kNR;
      for (size_t q = 0; q < panels; ++q, src += kNR, d += panel_size) {
        _mm256_store_ps(d, _mm256_loadu_ps(src));
        _mm256_store_ps(d + 8, _mm256_loadu_ps(src + 8));
      }
      if (tail) {
        _mm256_store_ps(d, _mm256_maskload_ps(src, mask0));
        _mm256_store_ps(d + 8, _mm256_maskload_ps(src + 8, mask1));
      }
    }
    return;
  }
  for (size_t j0 = 0; j0 < nc; j0 += kNR, dst += kc * kNR) {
    // two 8-column halves, each an 8-row gather of B^T written with a row stride of 16
    const size_t nn = nc - j0 < kNR ? nc - j0 : kNR;
    const size_t n0 = nn < 8 ? nn : 8, n1 = nn - n0;
    const size_t next = nc - j0 > kNR ? std::min(kNR, nc - j0 - kNR) : 0;
    const float* nb = b + (j0 + kNR) * ldb;
    gather_rows(b + j0 * ldb, ldb, n0, kc, dst, kNR, 8, nb, next < 8 ? next : 8);
    gather_rows(b + (j0 + 8) * ldb, ldb, n1, kc, dst + 8, kNR, 8, nb + 8 * ldb, next > 8 ? next - 8 : 0);
  }
}

// ---- Narrow outputs (n <= 12: a classifier's output layer, n = 10). The 6x16 tile would leave 6 of its 16 lanes
// idle at n = 10; this kernel turns the tile around: lanes run along M, a tile is 16 rows of C (two 8-row vectors
// of op(A)'s column p) by a group of up to 6 columns, one accumulator pair per column; n = 10 runs as two groups of
// 5 over the same A panel. Per k step and group: two A loads, G broadcasts of B(p, j), 2G FMAs -- one broadcast per
// two FMAs, as in the 6x16 tile (with 8 rows, one broadcast per FMA, the broadcasts capped it at ~60% of peak on
// Zen 3). B is read in place (op(B)(p, j) = b[p*rs_b + j]; the driver packs B^T); the A column pair is contiguous
// for A^T (rs_a = 1) and read in place, a row-major A (cs_a = 1) has its 16 rows transposed into `scratch` first.
// The accumulators are transposed back to rows of C and finished by the 6x16 tile's epilogue.
constexpr size_t kNarrowMR = 16, kNarrowNR = 12, kNarrowGroup = 6;

#define SIMDNET_NARROW_FMA(j)                                       \
  if constexpr (G > j) {                                            \
    const __m256 y = _mm256_broadcast_ss(bp + j);                   \
    lo##j = _mm256_fmadd_ps(x0, y, lo##j);                          \
    hi##j = _mm256_fmadd_ps(x1, y, hi##j);                          \
  }

// One column group: out[16*i + j] = sum_p A(i, p) * b[p*rs_b + j] for i < 16, j < G (8 lanes are stored per row,
// the ones past G being zero; the next group overwrites them). A's column p is at a + p*step, 16 floats, masked to
// m lanes unless kFull (then 16 are readable).
template <size_t G, bool kFull>
static void narrow_group(size_t k, const float* a, size_t step, size_t m, const float* bp, size_t rs_b, float* out) {
  const __m256 z = _mm256_setzero_ps();
  __m256 lo0 = z, lo1 = z, lo2 = z, lo3 = z, lo4 = z, lo5 = z, hi0 = z, hi1 = z, hi2 = z, hi3 = z, hi4 = z, hi5 = z;
  const __m256i mask0 = lane_mask(m < 8 ? m : 8), mask1 = lane_mask(m > 8 ? m - 8 : 0);
#pragma GCC unroll 4
  for (size_t p = 0; p < k; ++p, a += step, bp += rs_b) {
    const __m256 x0 = kFull ? _mm256_loadu_ps(a) : _mm256_maskload_ps(a, mask0);
    const __m256 x1 = kFull ? _mm256_loadu_ps(a + 8) : _mm256_maskload_ps(a + 8, mask1);
    SIMDNET_NARROW_FMA(0) SIMDNET_NARROW_FMA(1) SIMDNET_NARROW_FMA(2)
    SIMDNET_NARROW_FMA(3) SIMDNET_NARROW_FMA(4) SIMDNET_NARROW_FMA(5)
  }
  // columns -> rows
  __m256 v[8] = {lo0, lo1, lo2, lo3, lo4, lo5, z, z};
  transpose8(v);
  for (size_t i = 0; i < 8; ++i) _mm256_storeu_ps(out + i * kNR, v[i]);
  __m256 w[8] = {hi0, hi1, hi2, hi3, hi4, hi5, z, z};
  transpose8(w);
  for (size_t i = 0; i < 8; ++i) _mm256_storeu_ps(out + (8 + i) * kNR, w[i]);
}

#undef SIMDNET_NARROW_FMA

using NarrowGroupFn = void (*)(size_t, const float*, size_t, size_t, const float*, size_t, float*);

// kNarrowGroups[2*(G-1) + full]
static constexpr std::array<NarrowGroupFn, 2 * kNarrowGroup> kNarrowGroups =
    count_flag_table<NarrowGroupFn, kNarrowGroup>(
        [](auto g, auto full) { return &narrow_group<decltype(g)::value, decltype(full)::value>; });

// GemmKernels::narrow (gemm.h): C(i, j) for i < m <= 16, j < n <= 12, all of k.
void f32_gemm_ukernel_16xn__avx2(size_t m, size_t n, size_t k, const float* a, size_t rs_a, size_t cs_a,
                                 const float* b, size_t rs_b, float* c, size_t ldc, float* scratch,
                                 const GemmTileParams& p) {
  alignas(32) float acc[kNarrowMR * kNR];
  bool full = m == kNarrowMR;
  size_t step = cs_a;
  if (rs_a != 1) {  // row-major A: its 16 rows side by side first (rows beyond m are zero)
    gather_rows(a, rs_a, m < 8 ? m : 8, k, scratch, kNarrowMR, 8);
    gather_rows(a + 8 * rs_a, rs_a, m > 8 ? m - 8 : 0, k, scratch + 8, kNarrowMR, 8);
    a = scratch;
    step = kNarrowMR;
    full = true;
  }
  const size_t groups = (n + kNarrowGroup - 1) / kNarrowGroup;  // equal groups: 10 -> 5 + 5
  for (size_t g = 0, j0 = 0; g < groups; ++g) {
    const size_t cols = (n - j0) / (groups - g);
    kNarrowGroups[2 * (cols - 1) + full](k, a, step, m, b + j0, rs_b, acc + j0);
    j0 += cols;
  }
  pick_epilogue(n, p)(acc, m, n, c, ldc, p);
}

// ---- Zero-skipping rows (GemmKernels::sparse_a, gemm.h; when the driver uses them: kernels/gemm/sparse-a.cc). The
// AVX-512 kernel's scheme (avx512.cc: why pairs, spans and partial sums) on 16 ymm registers: a pair of C rows over a
// chunk of at most 48 columns, 2 x 6 accumulators, the two broadcasts and one B vector loaded once for both rows (15
// registers). A k step costs two broadcasts, NV loads and 2 NV FMAs and is taken only where either row's A(i, p) is
// nonzero (NaN counts as nonzero). Rows of up to 128 columns take their chunks (48, 48, 32) one after the other over
// the same masks, each chunk's B rows of a span (at most 64 x 192 bytes) in L1 while the group's pairs go over them.
// The partial sums wait in `part`, laid out as the 16-column tiles of the dense microkernel's epilogue table (a tile
// of all the group's rows, 16 floats a row), and each k block is finished by that epilogue, one call per tile, so
// every C element is the dense result (one FMA chain over each of the driver's k blocks, then the same epilogue) but
// for the sign of a zero.
constexpr size_t kSparseMR = 32, kSparseNR = 128, kSparseKS = 64, kSparseNV = 6, kSparseSpans = 8;
constexpr size_t kSparseTile = kSparseMR * kNR;  // floats of one 16-column tile of part: row i at 16 i

// The k steps of one span (len <= 64) where any of R rows (row r at a + r*lda) is nonzero, as bits.
template <size_t R>
static inline uint64_t span_mask(const float* a, size_t lda, size_t len) {
  const __m256 zero = _mm256_setzero_ps();
  uint64_t nz = 0;
  for (size_t q = 0; q < len; q += 8) {
    const size_t lanes = len - q < 8 ? len - q : 8;
    const __m256i lm = lane_mask(lanes);
    unsigned any = 0;
    for (size_t r = 0; r < R; ++r) {
      const __m256 x = lanes == 8 ? _mm256_loadu_ps(a + r * lda + q) : _mm256_maskload_ps(a + r * lda + q, lm);
      any |= unsigned(_mm256_movemask_ps(_mm256_cmp_ps(x, zero, _CMP_NEQ_UQ)));
    }
    nz |= uint64_t(any) << q;
  }
  return nz;
}

// Rows [0, R) (row r at a + r*lda) over the steps in nz, B columns [0, 8 NV) at b (row p at b + p*ldb; with kMask
// the last vector through `tail`). Row r's vector v waits in tile v / 2 of `tiles`: tiles + kSparseTile (v / 2) +
// 16 r + 8 (v % 2); `first` starts from zero.
template <size_t R, size_t NV, bool kMask>
static inline __attribute__((always_inline)) void sparse_visit(const float* a, size_t lda, uint64_t nz, const float* b,
                                                               size_t ldb, __m256i tail, float* tiles, bool first) {
  __m256 acc[R][NV];
#pragma GCC unroll 2
  for (size_t r = 0; r < R; ++r)
#pragma GCC unroll 6
    for (size_t v = 0; v < NV; ++v)
      acc[r][v] = first ? _mm256_setzero_ps() : _mm256_load_ps(tiles + kSparseTile * (v / 2) + 16 * r + 8 * (v % 2));
  while (nz) {
    const size_t p = size_t(__builtin_ctzll(nz));
    nz &= nz - 1;
    const float* bp = b + p * ldb;
    __asm__("" : "+r"(bp));  // base + displacement addressing for the loads (as in avx512.cc's sparse_visit)
    __m256 x[R];
#pragma GCC unroll 2
    for (size_t r = 0; r < R; ++r) x[r] = _mm256_broadcast_ss(a + r * lda + p);
#pragma GCC unroll 6
    for (size_t v = 0; v < NV; ++v) {
      __m256 bv = kMask && v == NV - 1 ? _mm256_maskload_ps(bp + 8 * v, tail) : _mm256_loadu_ps(bp + 8 * v);
      if (R > 1) __asm__("" : "+x"(bv));  // one load for the R FMAs
#pragma GCC unroll 2
      for (size_t r = 0; r < R; ++r) acc[r][v] = _mm256_fmadd_ps(x[r], bv, acc[r][v]);
    }
  }
#pragma GCC unroll 2
  for (size_t r = 0; r < R; ++r)
#pragma GCC unroll 6
    for (size_t v = 0; v < NV; ++v) _mm256_store_ps(tiles + kSparseTile * (v / 2) + 16 * r + 8 * (v % 2), acc[r][v]);
}

// One column chunk (columns [c0, c0 + 8 NV) of B at b; with kMask its last vector has tail_lanes lanes) over the
// spans [0, spans) of a stretch of k whose span sp starts at sp * ks (a and b already at the stretch's start), for
// the `pairs` row pairs and, with odd, the row after them. masks[q][sp]: visit q's steps in span sp.
struct SparseChunk {
  size_t pairs, spans, ks, lda, ldb, c0;
  bool odd, first;  // first: the stretch starts its k block
  const float* a;
  const float* b;
  const uint64_t (*masks)[kSparseSpans];
  float* part;
};

template <size_t NV, bool kMask>
static void sparse_chunk(const SparseChunk& s, size_t tail_lanes) {
  const __m256i tail = lane_mask(tail_lanes);
  for (size_t sp = 0; sp < s.spans; ++sp) {
    const size_t s0 = sp * s.ks;
    const bool first = s.first && sp == 0;
    const float* b = s.b + s0 * s.ldb + s.c0;
    for (size_t q = 0; q < s.pairs; ++q)
      sparse_visit<2, NV, kMask>(s.a + 2 * q * s.lda + s0, s.lda, s.masks[q][sp], b, s.ldb, tail,
                                 s.part + s.c0 / kNR * kSparseTile + 2 * q * kNR, first);
    if (s.odd)
      sparse_visit<1, NV, kMask>(s.a + 2 * s.pairs * s.lda + s0, s.lda, s.masks[s.pairs][sp], b, s.ldb, tail,
                                 s.part + s.c0 / kNR * kSparseTile + 2 * s.pairs * kNR, first);
  }
}

using SparseChunkFn = void (*)(const SparseChunk&, size_t);
// kSparseChunks[2*(NV - 1) + masked]
static constexpr std::array<SparseChunkFn, 2 * kSparseNV> kSparseChunks = count_flag_table<SparseChunkFn, kSparseNV>(
    [](auto nv, auto masked) { return &sparse_chunk<decltype(nv)::value, decltype(masked)::value>; });

// GemmKernels::sparse_a (gemm.h): C(i, j) for i < m <= kSparseMR, j < n <= kSparseNR, all of k in blocks of kc.
static void sparse_a(size_t m, size_t n, size_t k, size_t kc, const float* a, size_t lda, const float* b, size_t ldb,
                     float* c, size_t ldc, const GemmTileParams& p) {
  alignas(64) float part[kSparseMR * kSparseNR];  // tile t, row i: part + t kSparseTile + 16 i
  uint64_t masks[kSparseMR / 2 + 1][kSparseSpans];
  const size_t pairs = m / 2, visits = (m + 1) / 2, tiles = (n + kNR - 1) / kNR;
  for (size_t pc = 0; pc < k; pc += kc) {
    const size_t kcb = k - pc < kc ? k - pc : kc;
    const KSpans cut = k_spans(kcb, kSparseKS);
    const size_t spans = cut.count, ks = cut.len;
    const GemmTileParams tp = k_block_params(p, pc, kcb, k);
    for (size_t sp0 = 0; sp0 < spans; sp0 += kSparseSpans) {  // a stretch of at most kSparseSpans spans
      const size_t count = spans - sp0 < kSparseSpans ? spans - sp0 : kSparseSpans, start = pc + sp0 * ks;
      for (size_t q = 0; q < visits; ++q)
        for (size_t sp = 0; sp < count; ++sp) {
          const size_t s0 = start + sp * ks, len = pc + kcb - s0 < ks ? pc + kcb - s0 : ks;
          const float* rows = a + 2 * q * lda + s0;
          masks[q][sp] = q < pairs ? span_mask<2>(rows, lda, len) : span_mask<1>(rows, lda, len);
        }
      SparseChunk s{pairs, count, ks, lda, ldb, 0, m % 2 != 0, sp0 == 0, a + start, b + start * ldb, masks, part};
      for (size_t c0 = 0; c0 < n; c0 += 8 * kSparseNV) {
        const size_t cols = n - c0 < 8 * kSparseNV ? n - c0 : 8 * kSparseNV, nv = (cols + 7) / 8;
        s.c0 = c0;
        kSparseChunks[2 * (nv - 1) + (cols % 8 != 0)](s, cols - 8 * (nv - 1));
      }
    }
    // The block's sums are complete: finish them into C, 16-column tiles through the dense kernel's epilogue table.
    for (size_t t = 0; t < tiles; ++t) {
      const size_t nn = n - t * kNR < kNR ? n - t * kNR : kNR;
      GemmTileParams tt = tp;
      if (tp.bias) tt.bias = tp.bias + t * kNR;
      pick_epilogue(nn, tt)(part + t * kSparseTile, m, nn, c + t * kNR, ldc, tt);
    }
  }
}

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

static constexpr GemmKernels make_table() {
  GemmKernels t{kMR, kNR, f32_gemm_ukernel_6x16__avx2, fma_burn, /*fma_flops_per_iter=*/12 * 8 * 2};
  t.pack_a = pack_a_6;
  t.pack_b = pack_b_16;
  t.narrow_mr = kNarrowMR;
  t.narrow_nr = kNarrowNR;
  t.narrow = f32_gemm_ukernel_16xn__avx2;
  t.sparse_mr = kSparseMR;
  t.sparse_nr = kSparseNR;
  t.sparse_a = sparse_a;
  return t;
}
extern const GemmKernels gemm_kernels = make_table();

}  // namespace simdnet::avx2

#include "simd/avx2-end.h"
#endif  // SIMDNET_X86
