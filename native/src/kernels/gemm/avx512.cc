// f32 GEMM microkernels on AVX-512 (F/DQ/BW/VL). Contract: gemm.h (GemmUkernelFn, GemmKernels::narrow).
//
// One template, MR rows x NV zmm vectors (NR = 16 NV columns), gives every tile this file offers: the chosen one
// (gemm_kernels) and the alternatives it was measured against (gemm_kernel_variants, for bench/native/gemm-bench
// --variants and the tests). 32 zmm registers hold MR*NV accumulators + NV B vectors + 1 broadcast: 12x32 and 6x64
// use 24 (oneDNN brgemm and BLIS zen4 keep 24 accumulators too), 14x32 uses 28. Which one is gemm_kernels, and
// the measurements that chose it: docs/kernels.md (GEMM).
//
// Every row count 1..MR has its own instantiation (Tiles<MR, NV, kMaskB>::fn[m - 1]), so a tile of m < MR rows does m rows of work
// and reads exactly m rows of A (no clamped duplicate rows as in the AVX2 kernel). Partial N is handled by opmasks:
// B panels are zero padded, and C, bias are read and written through masked loads and stores, which never touch
// (or fault on) masked-off lanes. The epilogue runs on the accumulators in registers.
#include "simd/arch.h"

#if SIMDNET_X86
#include <immintrin.h>

#include <array>
#include <cstdint>
#include <utility>

#include "kernels/gemm/gemm.h"

#include "simd/avx512-begin.h"

// GCC 12's avx512fintrin.h starts many intrinsics (unpack, shuffle, max, extract) from _mm512_undefined_ps(), written
// `__m512 __Y = __Y;`, and then warns about its own idiom wherever they are inlined.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

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
      if (kAct == 1) x = _mm512_max_ps(zero, x);  // max returns its second operand when either is NaN: NaN stays
      if (kAct == 2) x = _mm512_mask_mul_ps(x, _mm512_cmp_ps_mask(x, zero, _CMP_NGT_UQ), x, slope);
      _mm512_mask_storeu_ps(c + 16 * v, cm[v], x);
    }
  }
}

#define SIMDNET_FINISH_CASE(id, R, B, A) \
  case id:                               \
    finish<M, NV, R, B, A>(acc, c, ldc, cm, p); \
    return;

// The epilogue for this tile's parameters, picked once (not per row and lane).
template <size_t M, size_t NV>
static inline __attribute__((always_inline)) void finish_any(__m512 (&acc)[M][NV], float* c, size_t ldc,
                                                             const __mmask16* cm, const GemmTileParams& p) {
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

// One tile of M rows: k loop, alpha, then the epilogue picked once per tile (a branch per row and lane would cost
// as much as ~20 k steps on a short-k product such as (128,64,10), as the AVX2 kernel's history showed).
template <size_t M, size_t NV, bool kMaskB>
static void tile(size_t n, size_t k, const float* a, size_t rs_a, size_t cs_a, const float* b, size_t rs_b,
                 float* c, size_t ldc, const GemmTileParams& p) {
  // C rows are written after the k loop; start pulling their lines in now (as the AVX2 kernel does).
  for (size_t i = 0; i < M; ++i) {
    for (size_t v = 0; v < NV && 16 * v < n; ++v) _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc + 16 * v), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc + (n - 1)), _MM_HINT_T0);  // a row may straddle a line
  }
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
  finish_any<M, NV>(acc, c, ldc, cm, p);
}

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

// GemmKernels::ukernel_b: the same tile over op(B) read in place (row p at b + p*rs_b, any alignment), through the
// masked loads (maskz: lanes >= n read as 0, as a packed panel's padding does), so the sums are the packed ones.
template <size_t MR, size_t NV>
static void ukernel_b(size_t m, size_t n, size_t k, const float* a, size_t rs_a, size_t cs_a, const float* b,
                      size_t rs_b, float* c, size_t ldc, const GemmTileParams& p) {
  Tiles<MR, NV, true>::fn[m - 1](n, k, a, rs_a, cs_a, b, rs_b, c, ldc, p);
}

// ---- Narrow outputs (n <= 12: a classifier's output layer, n = 10). Lanes run along M, as in the AVX2 kernel: a
// tile is 32 rows of C (two 16-lane vectors of op(A)'s column p) by the n columns, one accumulator pair per column
// (24 of the 32 registers at n = 12). Per k step: two A loads, n broadcasts of B(p, j), 2n FMAs, every lane useful;
// a masked 16-lane tile along N (the "narrow_16n" variant measured in docs/kernels.md) leaves 6 of 16 lanes idle at
// n = 10 and needs one broadcast per FMA. B is read in place (op(B)(p, j) = b[p*rs_b + j]; the driver packs B^T);
// A^T (rs_a = 1) is read in place through lane masks, a row-major A (cs_a = 1) has its 32 rows transposed into
// `scratch` first. The accumulators are turned back into rows of C by 16x16 register transposes.
constexpr size_t kNarrowMR = 32, kNarrowNR = 12;

// In-register transpose of a 16x16 block: r[i] lane j -> r[j] lane i (unpack, shuffle within 128-bit blocks, then
// two rounds of 128-bit block shuffles).
static inline void transpose16(__m512 r[16]) {
  __m512 t[16], u[16];
  for (size_t q = 0; q < 8; ++q) {
    t[2 * q] = _mm512_unpacklo_ps(r[2 * q], r[2 * q + 1]);
    t[2 * q + 1] = _mm512_unpackhi_ps(r[2 * q], r[2 * q + 1]);
  }
  for (size_t q = 0; q < 4; ++q) {  // u[4q + c] block L: rows 4q..4q+3 of column 4L + c
    u[4 * q + 0] = _mm512_shuffle_ps(t[4 * q], t[4 * q + 2], 0x44);
    u[4 * q + 1] = _mm512_shuffle_ps(t[4 * q], t[4 * q + 2], 0xEE);
    u[4 * q + 2] = _mm512_shuffle_ps(t[4 * q + 1], t[4 * q + 3], 0x44);
    u[4 * q + 3] = _mm512_shuffle_ps(t[4 * q + 1], t[4 * q + 3], 0xEE);
  }
  for (size_t c = 0; c < 4; ++c) {
    const __m512 v0 = _mm512_shuffle_f32x4(u[c], u[4 + c], 0x88), v1 = _mm512_shuffle_f32x4(u[c], u[4 + c], 0xDD);
    const __m512 w0 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0x88);
    const __m512 w1 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0xDD);
    r[c] = _mm512_shuffle_f32x4(v0, w0, 0x88);
    r[4 + c] = _mm512_shuffle_f32x4(v1, w1, 0x88);
    r[8 + c] = _mm512_shuffle_f32x4(v0, w0, 0xDD);
    r[12 + c] = _mm512_shuffle_f32x4(v1, w1, 0xDD);
  }
}

// acc(i, j) = sum_p A(i, p) * b[p*rs_b + j] for i < 32, j < G, written as rows: out[16*i + j] (lanes j >= G zero).
// A's column p is 32 floats at a + p*step, read through masks m0/m1 unless kFull.
template <size_t G, bool kFull>
static void narrow_cols(size_t k, const float* a, size_t step, __mmask16 m0, __mmask16 m1, const float* b,
                        size_t rs_b, float* out) {
  const __m512 zero = _mm512_setzero_ps();
  __m512 lo[G], hi[G];
#pragma GCC unroll 16
  for (size_t j = 0; j < G; ++j) lo[j] = zero, hi[j] = zero;
#pragma GCC unroll 2
  for (size_t p = 0; p < k; ++p, a += step, b += rs_b) {
    const __m512 x0 = kFull ? _mm512_loadu_ps(a) : _mm512_maskz_loadu_ps(m0, a);
    const __m512 x1 = kFull ? _mm512_loadu_ps(a + 16) : _mm512_maskz_loadu_ps(m1, a + 16);
#pragma GCC unroll 16
    for (size_t j = 0; j < G; ++j) {
      const __m512 y = _mm512_set1_ps(b[j]);
      lo[j] = _mm512_fmadd_ps(x0, y, lo[j]);
      hi[j] = _mm512_fmadd_ps(x1, y, hi[j]);
    }
  }
  __m512 r[16];
  for (size_t j = 0; j < 16; ++j) r[j] = j < G ? lo[j] : zero;
  transpose16(r);
  for (size_t i = 0; i < 16; ++i) _mm512_store_ps(out + 16 * i, r[i]);
  for (size_t j = 0; j < 16; ++j) r[j] = j < G ? hi[j] : zero;
  transpose16(r);
  for (size_t i = 0; i < 16; ++i) _mm512_store_ps(out + 16 * (16 + i), r[i]);
}

using NarrowColsFn = void (*)(size_t, const float*, size_t, __mmask16, __mmask16, const float*, size_t, float*);

// kNarrowCols[2*(n - 1) + full]
static constexpr std::array<NarrowColsFn, 2 * kNarrowNR> kNarrowCols = count_flag_table<NarrowColsFn, kNarrowNR>(
    [](auto cols, auto full) { return &narrow_cols<decltype(cols)::value, decltype(full)::value>; });

// C = act(alpha*acc + beta*C + bias) on m rows of the row buffer (16 floats a row), n lanes.
template <bool kReadC, bool kBias, int kAct>
static void narrow_finish(const float* rows, size_t m, size_t n, float* c, size_t ldc, const GemmTileParams& p) {
  const __mmask16 cm = first_lanes(n);
  __m512 acc[1][1];
  for (size_t i = 0; i < m; ++i, c += ldc, rows += 16) {
    acc[0][0] = _mm512_mul_ps(_mm512_load_ps(rows), _mm512_set1_ps(p.alpha));
    finish<1, 1, kReadC, kBias, kAct>(acc, c, ldc, &cm, p);
  }
}

using NarrowFinishFn = void (*)(const float*, size_t, size_t, float*, size_t, const GemmTileParams&);

// kNarrowFinish[read_c | bias << 1 | act << 2]
template <size_t... I>
static constexpr std::array<NarrowFinishFn, sizeof...(I)> narrow_finish_table(std::index_sequence<I...>) {
  return {&narrow_finish<(I & 1) != 0, (I & 2) != 0, int(I >> 2)>...};
}
static constexpr std::array<NarrowFinishFn, 12> kNarrowFinish = narrow_finish_table(std::make_index_sequence<12>{});

static void gather_rows(const float* src, size_t ld, size_t rows, size_t kc, float* dst, size_t width);

// GemmKernels::narrow (gemm.h): C(i, j) for i < m <= 32, j < n <= 12, all of k.
static void narrow_32xn(size_t m, size_t n, size_t k, const float* a, size_t rs_a, size_t cs_a, const float* b,
                        size_t rs_b, float* c, size_t ldc, float* scratch, const GemmTileParams& p) {
  alignas(64) float rows[kNarrowMR * 16];
  bool full = m == kNarrowMR;
  size_t step = cs_a;
  if (rs_a != 1) {  // row-major A: its rows side by side first (rows beyond m are zero)
    gather_rows(a, rs_a, m, k, scratch, kNarrowMR);
    a = scratch;
    step = kNarrowMR;
    full = true;
  }
  kNarrowCols[2 * (n - 1) + full](k, a, step, first_lanes(m), first_lanes(m > 16 ? m - 16 : 0), b, rs_b, rows);
  const size_t act = p.act == Act::relu ? 1 : p.act == Act::leaky_relu ? 2 : 0;
  kNarrowFinish[size_t(p.beta != 0.0f) | size_t(p.bias != nullptr) << 1 | act << 2](rows, m, n, c, ldc, p);
}

// The alternative measured against it: a masked 16-lane tile along N, up to 16 rows, A and op(B) read in place.
constexpr size_t kNarrow16MR = 16;

static void narrow_16n(size_t m, size_t n, size_t k, const float* a, size_t rs_a, size_t cs_a, const float* b,
                       size_t rs_b, float* c, size_t ldc, float* /*scratch*/, const GemmTileParams& p) {
  Tiles<kNarrow16MR, 1, true>::fn[m - 1](n, k, a, rs_a, cs_a, b, rs_b, c, ldc, p);
}

// ---- Zero-skipping rows (GemmKernels::sparse_a, gemm.h; when the driver uses them: kernels/gemm/sparse-a.cc).
// Lanes run along N: C rows in threes, each in NV <= 8 accumulators (128 columns), 24 of the 32 registers. Rows 0
// and 1 of a three go as a pair over the k steps where either is nonzero (NaN counts as nonzero), each B vector of
// a step loaded once for both; row 2 goes over its own nonzero steps, one of them beside each pair step, until one
// of the two runs out and the other finishes alone. A loop iteration costs three broadcasts, NV loads for the pair,
// NV FMAs with a memory operand for row 2 and 3 NV FMAs. Why the third row: a pair step does 2 NV FMAs but only NV
// loads, a lone row's step NV loads for NV FMAs, and what the kernel runs into is the FMA ports for a pair and the
// loads (about 1.5 distinct cache lines a cycle on the Intel host) for lone rows; a pair and a lone row together use
// both. Where each row is nonzero is the set bits of a 64-bit compare mask per span. B is read in place; its rows
// of one span (at most kSparseKS of them: 32 KiB at n = 128) stay in L1 while the span runs over the group's
// kSparseMR rows, whose partial sums wait in `part` between spans. The spans cut each of the driver's k blocks (kc)
// without changing the order of its sums; each block starts from zero and is then combined with C and finished by
// the dense kernel's own epilogue (finish_any), so every C element is the dense microkernel's result but for the
// sign of a zero (skipping 0*b adds nothing to a sum, and b is finite), and it does not depend on the row's
// neighbours (a pair's row adds 0*b where only its partner is nonzero, which is again nothing).
// Measured on the Intel Xeon host (family 6 model 207, 1 thread, skip-zeros-bench, alternating rounds), (1000,128,784)
// on the first 1000 Fashion-MNIST test images: threes 0.959-1.004 ms against 1.027-1.053 for pairs alone (7 rounds);
// random zeros at 60 / 70 / 80 / 90%: 0.91 / 0.76-0.78 / 0.62-0.63 / 0.43-0.45 ms against 0.99 / 0.83-0.85 / 0.68 /
// 0.49; at 0% the same (1.27-1.40). (1000,64,128) on a trained model's first hidden layer (58% zeros): 0.078-0.081
// against 0.085-0.087. Groups of 30 and 36 rows ran the same; 30 keeps the partial sums at 15 KiB.
// Tried and not kept (same host and bench): pairs alone, 32 rows a group (the kernel before, figures above); two
// rows each over its own steps side by side (1.029-1.031 ms on the Fashion rows: 16 distinct lines loaded per 16
// FMAs, load-bound), and that or pairs chosen per span by a cost model (1.024-1.046); one row at a time (1.17-1.20 at
// KC 352, against 1.10-1.13 for pairs); three rows over their union (1.09-1.14, against 1.08-1.10). Pairing rows by
// their count of nonzeros or by their zero patterns instead of adjacent rows: fewer steps, slower (docs/kernels.md).
constexpr size_t kSparseMR = 30, kSparseNV = 8, kSparseKS = 64;

// The k steps of one span (len <= 64) where any of R rows (A row r at a + r*lda) is nonzero, as bits.
template <size_t R>
static inline __attribute__((always_inline)) uint64_t span_mask(const float* a, size_t lda, size_t len) {
  const __m512 zero = _mm512_setzero_ps();
  uint64_t nz = 0;
  for (size_t q = 0; q < len; q += 16) {
    const __mmask16 lm = first_lanes(len - q);
    __mmask16 any = 0;
#pragma GCC unroll 2
    for (size_t r = 0; r < R; ++r)
      any |= _mm512_mask_cmp_ps_mask(lm, _mm512_maskz_loadu_ps(lm, a + r * lda + q), zero, _CMP_NEQ_UQ);
    nz |= uint64_t(any) << q;
  }
  return nz;
}

// alpha and the epilogue on R finished rows of partial sums. Not inlined: inlined into the loops of sparse_rows,
// its loop-invariant bias, beta and slope vectors were hoisted out of them and held in registers across the k
// steps, and the k loop's broadcasts spilled to the stack (1.5 ms instead of 1.2 on (1000,128,784)).
template <size_t R, size_t NV>
static __attribute__((noinline)) void sparse_finish(const float* part, float* c, size_t ldc, const __mmask16* cm,
                                                    const GemmTileParams& tp) {
  __m512 acc[R][NV];
  for (size_t r = 0; r < R; ++r)
    for (size_t v = 0; v < NV; ++v) {
      acc[r][v] = _mm512_load_ps(part + (r * NV + v) * 16);
      if (tp.alpha != 1.0f) acc[r][v] = _mm512_mul_ps(acc[r][v], _mm512_set1_ps(tp.alpha));
    }
  finish_any<R, NV>(acc, c, ldc, cm, tp);
}

// R rows' partial sums (R x NV vectors at `part`): from `part`, or zero on a k block's first span; and back.
template <size_t R, size_t NV>
static inline __attribute__((always_inline)) void sparse_load(const float* part, bool first, __m512 (&acc)[R][NV]) {
#pragma GCC unroll 2
  for (size_t r = 0; r < R; ++r)
#pragma GCC unroll 8
    for (size_t v = 0; v < NV; ++v) acc[r][v] = first ? _mm512_setzero_ps() : _mm512_load_ps(part + (r * NV + v) * 16);
}

template <size_t R, size_t NV>
static inline __attribute__((always_inline)) void sparse_store(float* part, const __m512 (&acc)[R][NV]) {
#pragma GCC unroll 2
  for (size_t r = 0; r < R; ++r)
#pragma GCC unroll 8
    for (size_t v = 0; v < NV; ++v) _mm512_store_ps(part + (r * NV + v) * 16, acc[r][v]);
}

// One k step p of R rows (A row r at a + r*lda): each row's A(r, p) broadcast, B row p loaded once, R FMAs per vector.
template <size_t R, size_t NV, bool kMask>
static inline __attribute__((always_inline)) void sparse_step(const float* a, size_t lda, size_t p, const float* b,
                                                              size_t ldb, const __mmask16* cm, __m512 (&acc)[R][NV]) {
  const float* bp = b + p * ldb;
  // bp opaque to the compiler, so the loads below address it as base + displacement: GCC otherwise keeps b + 16 v
  // in NV registers and indexes them by p * ldb (an indexed memory operand of an FMA is two uops at rename).
  __asm__("" : "+r"(bp));
  __m512 x[R];
#pragma GCC unroll 2
  for (size_t r = 0; r < R; ++r) x[r] = _mm512_set1_ps(a[r * lda + p]);
#pragma GCC unroll 8
  for (size_t v = 0; v < NV; ++v) {
    __m512 bv = kMask ? _mm512_maskz_loadu_ps(cm[v], bp + 16 * v) : _mm512_loadu_ps(bp + 16 * v);
    if (R > 1) __asm__("" : "+v"(bv));  // one load for the R FMAs (GCC would fold it into each FMA: R loads)
#pragma GCC unroll 2
    for (size_t r = 0; r < R; ++r) acc[r][v] = _mm512_fmadd_ps(x[r], bv, acc[r][v]);
  }
}

// Rows [0, R) of one span, over the steps in nz (a row's zero in a step another row needs adds its 0 * b, which
// changes nothing but the sign of a zero, as skipping it would): partial sums from `part` (or zero on the k block's
// first span), the steps, then back to `part`, from where the block's last span finishes them into C.
template <size_t R, size_t NV, bool kMask>
static inline __attribute__((always_inline)) void sparse_visit(const float* a, size_t lda, uint64_t nz, const float* b,
                                                               size_t ldb, const __mmask16* cm, float* part,
                                                               bool first, bool last, float* c, size_t ldc,
                                                               const GemmTileParams& tp) {
  __m512 acc[R][NV];
  sparse_load<R, NV>(part, first, acc);
  for (; nz; nz &= nz - 1) sparse_step<R, NV, kMask>(a, lda, size_t(__builtin_ctzll(nz)), b, ldb, cm, acc);
  sparse_store<R, NV>(part, acc);
  if (last) sparse_finish<R, NV>(part, c, ldc, cm, tp);
}

// Rows 0-2 of one span: rows 0 and 1 over the steps in nzp (where either is nonzero), row 2 over those in nz2, one
// of each per iteration (the pair's B vectors held in registers for its two FMAs, row 2's memory operands of its
// FMAs), then what is left of either alone. Partial sums from `part` and back, as sparse_visit.
template <size_t NV, bool kMask>
static inline __attribute__((always_inline)) void sparse_visit3(const float* a, size_t lda, uint64_t nzp, uint64_t nz2,
                                                                const float* b, size_t ldb, const __mmask16* cm,
                                                                float* part, bool first, bool last, float* c,
                                                                size_t ldc, const GemmTileParams& tp) {
  __m512 pair[2][NV], row2[1][NV];
  float* const part2 = part + 2 * NV * 16;
  const float* const a2 = a + 2 * lda;
  sparse_load<2, NV>(part, first, pair);
  sparse_load<1, NV>(part2, first, row2);
  while (nzp && nz2) {
    const size_t p = size_t(__builtin_ctzll(nzp)), q = size_t(__builtin_ctzll(nz2));
    nzp &= nzp - 1;
    nz2 &= nz2 - 1;
    sparse_step<2, NV, kMask>(a, lda, p, b, ldb, cm, pair);
    sparse_step<1, NV, kMask>(a2, lda, q, b, ldb, cm, row2);
  }
  for (; nzp; nzp &= nzp - 1) sparse_step<2, NV, kMask>(a, lda, size_t(__builtin_ctzll(nzp)), b, ldb, cm, pair);
  for (; nz2; nz2 &= nz2 - 1) sparse_step<1, NV, kMask>(a2, lda, size_t(__builtin_ctzll(nz2)), b, ldb, cm, row2);
  sparse_store<2, NV>(part, pair);
  sparse_store<1, NV>(part2, row2);
  if (last) sparse_finish<3, NV>(part, c, ldc, cm, tp);
}

// C(i, j) for i < m <= kSparseMR, j < n (16 (NV - 1) < n <= 16 NV), all of k in blocks of kc; rows in threes (the
// last one or two rows of m as one visit of their own). Each three's masks of span s + 1 are found right after its
// visit of span s, so their loads of A (from L3: A is read once) go out while that visit's FMAs still run, and the
// visits of span s + 1 find A in L1. Only span 0's masks are found before any visit.
// Measured (Intel Xeon host, model 207): the 10,000-image predict, 2 threads, 4 alternating runs of 200 calls,
// medians 6.08-6.23 ms against 6.25-6.42 when the masks of 8 spans were found for every three before their visits
// (2 spans: 6.16-6.28); skip-zeros-bench on the Fashion rows, 1 thread, 0.944-0.983 ms against 1.002-1.009.
template <size_t NV, bool kMask>
static void sparse_rows(size_t m, size_t n, size_t k, size_t kc, const float* a, size_t lda, const float* b,
                        size_t ldb, float* c, size_t ldc, const GemmTileParams& p) {
  constexpr size_t kThrees = kSparseMR / 3;
  alignas(64) float part[kSparseMR * NV * 16];
  uint64_t pair_masks[2][kThrees], row2_masks[2][kThrees];  // span s in [s % 2], span s + 1 in the other
  __mmask16 cm[NV];
  for (size_t v = 0; v < NV; ++v) cm[v] = first_lanes(n > 16 * v ? n - 16 * v : 0);
  const size_t threes = m / 3, rest = m - 3 * threes;
  for (size_t pc = 0; pc < k; pc += kc) {
    const size_t kcb = k - pc < kc ? k - pc : kc;
    const KSpans cut = k_spans(kcb, kSparseKS);
    const size_t spans = cut.count, ks = cut.len;
    const GemmTileParams tp = k_block_params(p, pc, kcb, k);
    auto span_start = [&](size_t s) { return pc + s * ks; };
    auto span_len = [&](size_t s) { return pc + kcb - span_start(s) < ks ? pc + kcb - span_start(s) : ks; };
    auto find_masks = [&](size_t t, size_t s) __attribute__((always_inline)) {
      const float* at = a + 3 * t * lda + span_start(s);
      pair_masks[s % 2][t] = span_mask<2>(at, lda, span_len(s));
      row2_masks[s % 2][t] = span_mask<1>(at + 2 * lda, lda, span_len(s));
    };
    for (size_t t = 0; t < threes; ++t) find_masks(t, 0);
    for (size_t s = 0; s < spans; ++s) {
      const size_t s0 = span_start(s), len = span_len(s);
      const bool first = s == 0, last = s + 1 == spans;
      for (size_t t = 0; t < threes; ++t) {
        sparse_visit3<NV, kMask>(a + 3 * t * lda + s0, lda, pair_masks[s % 2][t], row2_masks[s % 2][t], b + s0 * ldb,
                                 ldb, cm, part + 3 * t * NV * 16, first, last, c + 3 * t * ldc, ldc, tp);
        if (!last) find_masks(t, s + 1);
      }
      const size_t i = 3 * threes;
      if (rest == 2)
        sparse_visit<2, NV, kMask>(a + i * lda + s0, lda, span_mask<2>(a + i * lda + s0, lda, len), b + s0 * ldb, ldb,
                                   cm, part + i * NV * 16, first, last, c + i * ldc, ldc, tp);
      else if (rest == 1)
        sparse_visit<1, NV, kMask>(a + i * lda + s0, lda, span_mask<1>(a + i * lda + s0, lda, len), b + s0 * ldb, ldb,
                                   cm, part + i * NV * 16, first, last, c + i * ldc, ldc, tp);
    }
  }
}

using SparseRowsFn = void (*)(size_t, size_t, size_t, size_t, const float*, size_t, const float*, size_t, float*,
                              size_t, const GemmTileParams&);

// kSparseRows[2*(NV - 1) + masked]
static constexpr std::array<SparseRowsFn, 2 * kSparseNV> kSparseRows = count_flag_table<SparseRowsFn, kSparseNV>(
    [](auto nv, auto masked) { return &sparse_rows<decltype(nv)::value, decltype(masked)::value>; });

// GemmKernels::sparse_a (gemm.h): m <= kSparseMR rows, n <= 16 kSparseNV columns.
static void sparse_a(size_t m, size_t n, size_t k, size_t kc, const float* a, size_t lda, const float* b, size_t ldb,
                     float* c, size_t ldc, const GemmTileParams& p) {
  kSparseRows[2 * ((n + 15) / 16 - 1) + (n % 16 != 0)](m, n, k, kc, a, lda, b, ldb, c, ldc, p);
}

// ---- Packing (the layouts of gemm.h's pack_a / pack_b): B row-major into NR-wide panels and A^T into MR-row
// panels are copies; A row-major and B^T are gathered with 8x8 register transposes.
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

// The transposing gather of both packings: `rows` source rows side by side, dst[p*width + i] = src[i*ld + p] for
// p < kc, i < rows, and 0 for rows <= i < width. Groups of 8 rows are read 8 floats at a time, transposed in
// registers and stored through a lane mask (width need not be a multiple of 8: 12, 14, 6). The scalar loops this
// replaces cost ~4% at 1024^3 (A) and ~10% at 1024^3 A.B^T (B^T).
static void gather_rows(const float* src, size_t ld, size_t rows, size_t kc, float* dst, size_t width) {
  const __m256 zero = _mm256_setzero_ps();
  for (size_t g0 = 0; g0 < width; g0 += 8) {
    const size_t lanes = width - g0 < 8 ? width - g0 : 8, valid = rows > g0 ? (rows - g0 < 8 ? rows - g0 : 8) : 0;
    const __mmask8 mask = __mmask8((1u << lanes) - 1u);
    const float* r[8];
    for (size_t i = 0; i < 8; ++i) r[i] = src + (g0 + (i < valid ? i : 0)) * ld;
    size_t p = 0;
    for (; p + 8 <= kc; p += 8) {
      __m256 v[8];
      for (size_t i = 0; i < 8; ++i) v[i] = i < valid ? _mm256_loadu_ps(r[i] + p) : zero;
      transpose8(v);
      float* d = dst + p * width + g0;
      for (size_t q = 0; q < 8; ++q) _mm256_mask_storeu_ps(d + q * width, mask, v[q]);
    }
    for (; p < kc; ++p)  // leftovers
      for (size_t i = 0; i < lanes; ++i) dst[p * width + g0 + i] = i < valid ? r[i][p] : 0.0f;
  }
}

template <size_t MR>
static void pack_a_tile(bool trans, const float* a, size_t lda, size_t mc, size_t kc, float* dst) {
  if (trans) {
    pack_a_cols<MR>(a, lda, mc, kc, dst);
    return;
  }
  for (size_t i0 = 0; i0 < mc; i0 += MR, dst += kc * MR)
    gather_rows(a + i0 * lda, lda, mc - i0 < MR ? mc - i0 : MR, kc, dst, MR);
}

template <size_t NV>
static void pack_b_tile(bool trans, const float* b, size_t ldb, size_t kc, size_t nc, float* dst) {
  constexpr size_t kNR = 16 * NV;
  if (!trans) {
    pack_b_rows<NV>(b, ldb, kc, nc, dst);
    return;
  }
  for (size_t j0 = 0; j0 < nc; j0 += kNR, dst += kc * kNR)
    gather_rows(b + j0 * ldb, ldb, nc - j0 < kNR ? nc - j0 : kNR, kc, dst, kNR);
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
  t.ukernel_b = &ukernel_b<MR, NV>;
  t.fma_burn = &fma_burn;
  t.fma_flops_per_iter = 12 * 16 * 2;
  t.pack_a = &pack_a_tile<MR>;
  t.pack_b = &pack_b_tile<NV>;
  t.narrow_mr = kNarrowMR;
  t.narrow_nr = kNarrowNR;
  t.narrow = &narrow_32xn;
  t.sparse_mr = kSparseMR;
  t.sparse_nr = 16 * kSparseNV;
  t.sparse_a = &sparse_a;
  // KC 800 (the driver's default is 352): k up to 800 in one block, so 784 -> 1 x 784 instead of 3 x 262 and 1024 ->
  // 2 x 512 instead of 3 x 342. One pass of C through the epilogue instead of three, on the dense path and on the
  // zero-skipping one, which follows the same k blocks. A 6 x 784 A sliver is 18 KiB of L1, a 784 x 64 B panel 196 KiB
  // of L2. Intel Xeon host (model 207), alternating rounds: 6x64 on (1000,128,784), 1 thread, 170-174 GFLOP/s median
  // against 163-169 (4 rounds); skip-zeros on the first 1000 Fashion-MNIST test images 1.01-1.03 ms against 1.04-1.08;
  // the 10,000-image predict on 2 threads 6.13-6.48 ms against 6.51-6.79 (5 alternating runs of 300 calls); 1024^3 on
  // 6x64 at KC 352 / 512 / 1024: medians 159-169 / 160-177 / 159-173 over 6 rounds, the same within the noise; the
  // training batch's (128,784,128) on 12x32: 1.01x on 1 thread, 1.02x on 2 (node A/B of the two builds, 3 rounds),
  // though its 784 x 32 B panel (98 KiB) now streams from L2 where a 262 x 32 one (33 KiB) stayed in L1.
  // Every AVX-512 table has the same KC, so a tall product's rows are still the same sums as a short one's.
  t.kc = 800;
  t.mc = 120 / MR * MR;  // the driver's MC (a 120 x 800 A block: 375 KiB of L2), rounded down to whole tiles
  return t;
}

}  // namespace

// The tile in use (docs/kernels.md, GEMM: why this one) and the ones it was measured against.
static const GemmKernels kTable14x32 = make_table<14, 2>();
static const GemmKernels kTable8x32 = make_table<8, 2>();
static const GemmKernels kTable6x64 = make_table<6, 4>();
// 12x32, with 6x64 for tall products whose n is a multiple of 64: predict's first layer, (1000,784,128) in 1000-row
// batches, ran at 114-117 GFLOP/s on 6x64 against 104-110 on 12x32 (gemm-bench --variants --cpu-time, 1 thread,
// 4 rounds, Zen 4), and the 10,000-image predict on 1 thread in 22.8-24.2 ms against 24.9-28.3 (3 alternating
// rounds): two 64-wide panels read each packed A tile once per 24 FMAs where four 32-wide ones read it twice as
// often. The training batches (128 rows) stay on 12x32, where the tiles were within the noise of each other.
static constexpr GemmKernels tall_table() {
  GemmKernels t = make_table<12, 2>();
  t.tall = &kTable6x64;
  t.tall_min_m = 256;
  return t;
}
extern const GemmKernels gemm_kernels = tall_table();
static constexpr GemmKernels narrow_16n_table() {
  GemmKernels t = make_table<12, 2>();
  t.narrow_mr = kNarrow16MR;
  t.narrow_nr = 16;
  t.narrow = &narrow_16n;
  return t;
}
static const GemmKernels kTableNarrow16n = narrow_16n_table();

extern const GemmKernelVariant gemm_kernel_variants[] = {
    {"12x32", &gemm_kernels}, {"14x32", &kTable14x32}, {"8x32", &kTable8x32}, {"6x64", &kTable6x64},
    {"12x32+narrow_16n", &kTableNarrow16n}};
extern const size_t gemm_kernel_variant_count = sizeof(gemm_kernel_variants) / sizeof(gemm_kernel_variants[0]);

}  // namespace simdnet::avx512

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#include "simd/avx512-end.h"
#endif  // SIMDNET_X86
