// f32 GEMM microkernels on AVX-512 (F/DQ/BW/VL). Contract: gemm.h (GemmUkernelFn, GemmKernels::narrow).
//
// One template, MR rows x NV zmm vectors (NR = 16 NV columns), gives every tile this file offers: the chosen one
// (gemm_kernels) and the alternatives it was measured against (gemm_kernel_variants, for bench/native/gemm-bench
// --variants and the tests). 32 zmm registers hold MR*NV accumulators + NV B vectors + 1 broadcast: 12x32 and 6x64
// use 24 (oneDNN brgemm and BLIS zen4 keep 24 accumulators too), 14x32 uses 28. Which one is gemm_kernels, and
// the measurements that chose it: docs/kernels.md (GEMM).
//
// Every row count 1..MR has its own instantiation (kernels[m - 1]), so a tile of m < MR rows does m rows of work
// and reads exactly m rows of A (no clamped duplicate rows as in the AVX2 kernel). Partial N is handled by opmasks:
// B panels are zero padded, and C, bias are read and written through masked loads and stores, which never touch
// (or fault on) masked-off lanes. The epilogue runs on the accumulators in registers.
#include "simd/arch.h"

#if SIMDNET_X86
#include <immintrin.h>

#include <cstdint>
#include <cstring>
#include <utility>

#include "kernels/gemm/gemm.h"

#include "simd/avx512-begin.h"

namespace simdnet::avx512 {
namespace {

// First n (0..16) lanes.
static inline __mmask16 first_lanes(size_t n) {
  return n >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << n) - 1u);
}

// The k loop. A(i, p) = a[i*rs_a + p*cs_a]; B row p is NV vectors at b + p*rs_b (a packed panel: rs_b = 16 NV,
// 64-byte aligned; the narrow kernel: the caller's op(B) in place, rs_b = ldb, read through the lane masks bm).
// kUnitRow (rs_a == 1: a packed panel or A^T in place): the M values of step p are side by side, one pointer
// advancing cs_a floats. Otherwise (row-major A in place, cs_a == 1) rows are reached from one base per three rows
// as base, base + rs, base + 2 rs, so the loop needs ceil(M/3) pointers, not M.
template <size_t M, size_t NV, bool kUnitRow, bool kMaskB>
static inline __attribute__((always_inline)) void k_loop(size_t k, const float* a, size_t rs_a, size_t cs_a,
                                                         const float* b, size_t rs_b, const __mmask16* bm,
                                                         __m512 (&acc)[M][NV]) {
  constexpr size_t kBases = (M + 2) / 3;
  const float* base[kBases];
#pragma GCC unroll 8
  for (size_t j = 0; j < kBases; ++j) base[j] = a + 3 * j * rs_a;
  const size_t rs2 = 2 * rs_a;
#pragma GCC unroll 4
  for (size_t p = 0; p < k; ++p) {
    __m512 bv[NV];
#pragma GCC unroll 4
    for (size_t v = 0; v < NV; ++v)
      bv[v] = kMaskB ? _mm512_maskz_loadu_ps(bm[v], b + 16 * v) : _mm512_load_ps(b + 16 * v);
    b += rs_b;
#pragma GCC unroll 32
    for (size_t i = 0; i < M; ++i) {
      const float* ai = kUnitRow ? a + i : base[i / 3] + (i % 3 == 0 ? 0 : i % 3 == 1 ? rs_a : rs2);
      const __m512 x = _mm512_set1_ps(*ai);
#pragma GCC unroll 4
      for (size_t v = 0; v < NV; ++v) acc[i][v] = _mm512_fmadd_ps(x, bv[v], acc[i][v]);
    }
    if (kUnitRow) {
      a += cs_a;
    } else {
#pragma GCC unroll 8
      for (size_t j = 0; j < kBases; ++j) base[j] += 1;
    }
  }
}

// C = act(acc + beta*C + bias) for M rows, lanes masked by cm (alpha is already in acc). kAct: 0 linear (sigmoid
// and tanh are applied afterwards by the driver), 1 ReLU, 2 leaky ReLU.
template <size_t M, size_t NV, bool kReadC, bool kBias, int kAct>
static inline __attribute__((always_inline)) void finish(__m512 (&acc)[M][NV], float* c, size_t ldc,
                                                         const __mmask16* cm, const GemmTileParams& p) {
  const __m512 zero = _mm512_setzero_ps(), beta = _mm512_set1_ps(p.beta), slope = _mm512_set1_ps(p.slope);
  __m512 bias[NV];
#pragma GCC unroll 4
  for (size_t v = 0; v < NV; ++v) bias[v] = kBias ? _mm512_maskz_loadu_ps(cm[v], p.bias + 16 * v) : zero;
#pragma GCC unroll 32
  for (size_t i = 0; i < M; ++i, c += ldc) {
#pragma GCC unroll 4
    for (size_t v = 0; v < NV; ++v) {
      __m512 x = acc[i][v];
      if (kReadC) x = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(cm[v], c + 16 * v), beta, x);
      if (kBias) x = _mm512_add_ps(x, bias[v]);
      // max returns its second operand when either is NaN: NaN stays NaN (the masked form: GCC 12 warns about the
      // plain one's undefined pass-through operand)
      if (kAct == 1) x = _mm512_mask_max_ps(x, __mmask16(0xFFFF), zero, x);
      if (kAct == 2) x = _mm512_mask_mul_ps(x, _mm512_cmp_ps_mask(x, zero, _CMP_NGT_UQ), x, slope);
      _mm512_mask_storeu_ps(c + 16 * v, cm[v], x);
    }
  }
}

#define SIMDNET_FINISH_CASE(id, R, B, A) \
  case id:                               \
    finish<M, NV, R, B, A>(acc, c, ldc, cm, p); \
    return;

// One tile of M rows: k loop, alpha, then the epilogue picked once per tile (a branch per row and lane would cost
// as much as ~20 k steps on a short-k product such as (128,64,10), as the AVX2 kernel's history showed).
template <size_t M, size_t NV, bool kMaskB>
static void tile(size_t n, size_t k, const float* a, size_t rs_a, size_t cs_a, const float* b, size_t rs_b,
                 float* c, size_t ldc, const GemmTileParams& p) {
  __mmask16 cm[NV];
  for (size_t v = 0; v < NV; ++v) cm[v] = first_lanes(n > 16 * v ? n - 16 * v : 0);
  __m512 acc[M][NV];
#pragma GCC unroll 32
  for (size_t i = 0; i < M; ++i)
#pragma GCC unroll 4
    for (size_t v = 0; v < NV; ++v) acc[i][v] = _mm512_setzero_ps();
  if (rs_a == 1) k_loop<M, NV, true, kMaskB>(k, a, rs_a, cs_a, b, rs_b, cm, acc);
  else k_loop<M, NV, false, kMaskB>(k, a, rs_a, cs_a, b, rs_b, cm, acc);
  if (p.alpha != 1.0f) {
    const __m512 alpha = _mm512_set1_ps(p.alpha);
#pragma GCC unroll 32
    for (size_t i = 0; i < M; ++i)
#pragma GCC unroll 4
      for (size_t v = 0; v < NV; ++v) acc[i][v] = _mm512_mul_ps(acc[i][v], alpha);
  }
  const int act = p.act == Act::relu ? 1 : p.act == Act::leaky_relu ? 2 : 0;
  switch (int(p.beta != 0.0f) | int(p.bias != nullptr) << 1 | act << 2) {
    SIMDNET_FINISH_CASE(0, false, false, 0)
    SIMDNET_FINISH_CASE(1, true, false, 0)
    SIMDNET_FINISH_CASE(2, false, true, 0)
    SIMDNET_FINISH_CASE(3, true, true, 0)
    SIMDNET_FINISH_CASE(4, false, false, 1)
    SIMDNET_FINISH_CASE(5, true, false, 1)
    SIMDNET_FINISH_CASE(6, false, true, 1)
    SIMDNET_FINISH_CASE(7, true, true, 1)
    SIMDNET_FINISH_CASE(8, false, false, 2)
    SIMDNET_FINISH_CASE(9, true, false, 2)
    SIMDNET_FINISH_CASE(10, false, true, 2)
    default:
      finish<M, NV, true, true, 2>(acc, c, ldc, cm, p);
  }
}

#undef SIMDNET_FINISH_CASE

using TileFn = void (*)(size_t, size_t, const float*, size_t, size_t, const float*, size_t, float*, size_t,
                        const GemmTileParams&);

// Tiles<MR, NV, kMaskB>::fn[m - 1] is the m-row tile.
template <size_t MR, size_t NV, bool kMaskB, typename Seq = decltype(std::make_index_sequence<MR>{})>
struct Tiles;
template <size_t MR, size_t NV, bool kMaskB, size_t... I>
struct Tiles<MR, NV, kMaskB, std::index_sequence<I...>> {
  static constexpr TileFn fn[MR] = {&tile<I + 1, NV, kMaskB>...};
};

// GemmUkernelFn for an MR x 16 NV tile over a packed B panel.
template <size_t MR, size_t NV>
static void ukernel(size_t m, size_t n, size_t k, const float* a, size_t rs_a, size_t cs_a, const float* bp,
                    float* c, size_t ldc, const GemmTileParams& p) {
  Tiles<MR, NV, false>::fn[m - 1](n, k, a, rs_a, cs_a, bp, 16 * NV, c, ldc, p);
}

// ---- Narrow outputs (n <= 16, a classifier's output layer): a masked 16-lane tile of up to kNarrowMR rows over
// all of k, reading A and op(B) in place (B rows through the lane mask, so n = 10 reads 10 floats per row). Lanes
// past n are idle (6 of 16 at n = 10); docs/kernels.md has the measurements against the AVX2 kernel, whose lanes
// run along M instead.
constexpr size_t kNarrowMR = 16;

static void narrow_16(size_t m, size_t n, size_t k, const float* a, size_t rs_a, size_t cs_a, const float* b,
                      size_t rs_b, float* c, size_t ldc, float* /*scratch*/, const GemmTileParams& p) {
  Tiles<kNarrowMR, 1, true>::fn[m - 1](n, k, a, rs_a, cs_a, b, rs_b, c, ldc, p);
}

// ---- Packing (the layouts of gemm.h's pack_a / pack_b) for the copies that need no transpose: B row-major into
// NR-wide panels, A^T into MR-row panels. The transposing gathers (A row-major, B^T) use the driver's loops.
template <size_t NV>
static void pack_b_rows(const float* b, size_t ldb, size_t kc, size_t nc, float* dst) {
  constexpr size_t kNR = 16 * NV;
  const size_t panels = nc / kNR, tail = nc % kNR, panel_size = kc * kNR;
  __mmask16 tm[NV];
  for (size_t v = 0; v < NV; ++v) tm[v] = first_lanes(tail > 16 * v ? tail - 16 * v : 0);
  for (size_t p = 0; p < kc; ++p) {
    const float* src = b + p * ldb;
    float* d = dst + p * kNR;
    for (size_t q = 0; q < panels; ++q, src += kNR, d += panel_size)
      for (size_t v = 0; v < NV; ++v) _mm512_store_ps(d + 16 * v, _mm512_loadu_ps(src + 16 * v));
    if (tail)
      for (size_t v = 0; v < NV; ++v) _mm512_store_ps(d + 16 * v, _mm512_maskz_loadu_ps(tm[v], src + 16 * v));
  }
}

// A^T (k x m, lda between its rows) holds each k step's MR values side by side.
template <size_t MR>
static void pack_a_cols(const float* a, size_t lda, size_t mc, size_t kc, float* dst) {
  for (size_t i0 = 0; i0 < mc; i0 += MR, dst += kc * MR) {
    const size_t mm = mc - i0 < MR ? mc - i0 : MR;
    const __mmask16 m0 = first_lanes(mm), m1 = first_lanes(mm > 16 ? mm - 16 : 0);
    const __mmask16 s0 = first_lanes(MR), s1 = first_lanes(MR > 16 ? MR - 16 : 0);
    const float* src = a + i0;
    for (size_t p = 0; p < kc; ++p, src += lda) {
      _mm512_mask_storeu_ps(dst + p * MR, s0, _mm512_maskz_loadu_ps(m0, src));
      if (MR > 16) _mm512_mask_storeu_ps(dst + p * MR + 16, s1, _mm512_maskz_loadu_ps(m1, src + 16));
    }
  }
}

// Scalar fallbacks of the transposing gathers, the driver's layout (kept here so one table is self-contained).
template <size_t MR>
static void pack_a_tile(bool trans, const float* a, size_t lda, size_t mc, size_t kc, float* dst) {
  if (trans) {
    pack_a_cols<MR>(a, lda, mc, kc, dst);
    return;
  }
  for (size_t i0 = 0; i0 < mc; i0 += MR, dst += kc * MR) {
    const size_t mm = mc - i0 < MR ? mc - i0 : MR;
    const float* rows[MR];
    for (size_t i = 0; i < MR; ++i) rows[i] = a + (i0 + (i < mm ? i : 0)) * lda;
    for (size_t p = 0; p < kc; ++p) {
      float* d = dst + p * MR;
      for (size_t i = 0; i < MR; ++i) d[i] = i < mm ? rows[i][p] : 0.0f;
    }
  }
}

template <size_t NV>
static void pack_b_tile(bool trans, const float* b, size_t ldb, size_t kc, size_t nc, float* dst) {
  constexpr size_t kNR = 16 * NV;
  if (!trans) {
    pack_b_rows<NV>(b, ldb, kc, nc, dst);
    return;
  }
  for (size_t j0 = 0; j0 < nc; j0 += kNR, dst += kc * kNR) {
    const size_t nn = nc - j0 < kNR ? nc - j0 : kNR;
    const float* rows[kNR];
    for (size_t j = 0; j < kNR; ++j) rows[j] = b + (j0 + (j < nn ? j : 0)) * ldb;
    for (size_t p = 0; p < kc; ++p) {
      float* d = dst + p * kNR;
      for (size_t j = 0; j < kNR; ++j) d[j] = j < nn ? rows[j][p] : 0.0f;
    }
  }
}

// 12 independent 16-lane FMA chains: enough in flight for two 512-bit FMA pipes at 4-cycle latency (Intel server
// cores), and for Zen 4, which runs each zmm FMA as two 256-bit halves.
static float fma_burn(size_t iters) {
  __m512 acc[12];
  for (int i = 0; i < 12; ++i) acc[i] = _mm512_set1_ps(0.001f * static_cast<float>(i));
  const __m512 mul = _mm512_set1_ps(0.9999f), add = _mm512_set1_ps(1e-4f);
  for (size_t it = 0; it < iters; ++it) {
#pragma GCC unroll 12
    for (int i = 0; i < 12; ++i) acc[i] = _mm512_fmadd_ps(acc[i], mul, add);
  }
  __m512 s = acc[0];
  for (int i = 1; i < 12; ++i) s = _mm512_add_ps(s, acc[i]);
  alignas(64) float out[16];
  _mm512_store_ps(out, s);
  return out[0] + out[15];
}

template <size_t MR, size_t NV>
static constexpr GemmKernels make_table() {
  GemmKernels t{};
  t.mr = MR;
  t.nr = 16 * NV;
  t.ukernel = &ukernel<MR, NV>;
  t.fma_burn = &fma_burn;
  t.fma_flops_per_iter = 12 * 16 * 2;
  t.pack_a = &pack_a_tile<MR>;
  t.pack_b = &pack_b_tile<NV>;
  t.narrow_mr = kNarrowMR;
  t.narrow_nr = 16;
  t.narrow = &narrow_16;
  t.mc = 120 / MR * MR;  // the driver's MC (a 120 x 342 A block: 160 KiB of L2), rounded down to whole tiles
  return t;
}

}  // namespace

// The tile in use (docs/kernels.md, GEMM: why this one) and the ones it was measured against.
extern const GemmKernels gemm_kernels = make_table<12, 2>();
static const GemmKernels kTable14x32 = make_table<14, 2>();
static const GemmKernels kTable8x32 = make_table<8, 2>();
static const GemmKernels kTable6x64 = make_table<6, 4>();

extern const GemmKernelVariant gemm_kernel_variants[] = {
    {"12x32", &gemm_kernels}, {"14x32", &kTable14x32}, {"8x32", &kTable8x32}, {"6x64", &kTable6x64}};
extern const size_t gemm_kernel_variant_count = sizeof(gemm_kernel_variants) / sizeof(gemm_kernel_variants[0]);

}  // namespace simdnet::avx512

#include "simd/avx512-end.h"
#endif  // SIMDNET_X86
