// Single-precision GEMM, row-major:   C = act(alpha * op(A) * op(B) + beta * C + bias)
//
//   op(A) is m x k: A itself (lda >= k) or, with trans_a, the transpose of a k x m matrix A (lda >= m);
//   op(B) is k x n: B itself (ldb >= n) or, with trans_b, the transpose of an n x k matrix B (ldb >= k);
//   C is m x n with ldc >= n. beta == 0 never reads C (so C may hold NaN garbage). k == 0 gives act(beta*C + bias).
//   The epilogue is optional (nullptr = no bias, linear): bias has n entries added to every row, then the activation
//   (kernels/vunary semantics) is applied in the same pass over the tile while it is still in registers.
//   These three products are a dense layer's forward (X W), weight gradient (X^T dY) and input gradient (dY W^T).
//   C must not overlap A, B or bias (the result is then unspecified, but every access stays inside the extents).
//
// Strategy (the driver in kernels/gemm/driver.cc): cache-blocked BLIS loops (NC, KC, MC) around an MR x NR
// microkernel. B is always packed into NR-wide panels (that is where its transpose happens); A is packed into MR-row
// panels only when it is large (then A^T's transpose also happens in packing), otherwise the microkernel reads it in
// place through (row, column) strides, which is what keeps the MLP-sized products fast. Work of at least ~0.16 MFLOP
// is split over the runtime thread pool (runtime/threadpool.h) by whole tiles along M or N, each thread running the
// serial loops on its part. Outputs at most narrow_nr columns wide (an ISA may provide a narrow kernel: AVX2 and
// AVX-512 do, for n <= 12, a classifier's output layer) skip all of that: lanes run along M instead of N, so n = 10
// does not leave 6 of 16 lanes idle, and A^T and B are read in place. No alignment is assumed on A, B, C (JS views
// are 4-byte aligned).
#pragma once
#include <array>
#include <cstddef>
#include <type_traits>
#include <utility>

#include "kernels/vunary/vunary.h"

namespace simdnet {

struct GemmEpilogue {
  const float* bias = nullptr;  // n floats or nullptr
  Act act = Act::linear;
  float alpha = 0.0f;  // leaky ReLU slope
};

struct GemmArgs {
  bool trans_a = false, trans_b = false;
  size_t m = 0, n = 0, k = 0;
  float alpha = 1.0f;
  const float* a = nullptr;
  size_t lda = 0;
  const float* b = nullptr;
  size_t ldb = 0;
  float beta = 0.0f;
  float* c = nullptr;
  size_t ldc = 0;
  GemmEpilogue ep{};
  // A hint that A (row-major) may hold many exact zeros, as raw inputs and ReLU outputs do: the driver may then skip
  // their products (kernels/gemm/sparse-a.cc), with the same result but for the sign of a zero. auto_ tries it when
  // a sample of A's rows is sparse enough; force skips that test (tests); either way only where the ISA has the
  // kernel and B is finite.
  enum class ZeroSkip : unsigned char { off, auto_, force };
  ZeroSkip skip_zeros = ZeroSkip::off;
  // The caller has checked that every element of B is finite (the engine does, once per predict call, for weights that
  // do not change during it), so the zero-skipping path need not check it again on every call.
  bool b_known_finite = false;
};

// Dispatched GEMM on the ISA in use with the thread count of the runtime pool (threads = 0) or the given count.
void gemm(const GemmArgs& args, size_t threads = 0);

// Measured FMA throughput of this CPU in GFLOP/s (2 flops per lane per FMA) on the ISA in use: every thread
// (0 = the pool's count) runs independent FMA chains for about `ms` milliseconds. For benchmarks (% of peak).
double fma_peak(double ms, size_t threads = 0);

// ---- Microkernel contract (what each ISA provides; the driver in driver.cc does blocking, packing, threading) ----
//
// Per-tile parameters. The microkernel computes, for i < m <= MR, j < n <= NR:
//   acc(i,j) = sum_{p<k} A(i,p) * Bp[p*NR + j],      A(i,p) = a[i*rs_a + p*cs_a]
//   C(i,j)   = alpha*acc + (beta != 0 ? beta*C(i,j) : 0)  [+ bias[j]]  [then relu / leaky_relu]
// with C(i,j) = c[i*ldc + j]. A is read only for rows i < m (rows >= m are never touched, so A may be the caller's
// unpadded matrix: rs_a/cs_a = lda/1 for A, 1/lda for A^T, 1/MR for a packed panel). Bp is a packed B panel,
// k x NR, zero padded to NR columns, 64-byte aligned:
//
//        j ->  0 1 ... NR-1
//   p = 0    [ b b ... b ]     Bp[p*NR + j] = op(B)(p, j) for j < n, 0 for n <= j < NR
//   p = 1    [ b b ... b ]
//   ...
//
// bias == nullptr means no bias; act is applied only for linear, relu and leaky_relu (sigmoid and tanh are applied
// by the driver on the finished rows with vunary().forward, still hot in L1). k may be 0 (acc = 0).
struct GemmTileParams {
  float alpha = 1.0f;
  float beta = 0.0f;
  const float* bias = nullptr;  // NR-aligned slice for this tile (n valid entries) or nullptr
  Act act = Act::linear;
  float slope = 0.0f;  // leaky ReLU
};

using GemmUkernelFn = void (*)(size_t m, size_t n, size_t k, const float* a, size_t rs_a, size_t cs_a,
                               const float* bp, float* c, size_t ldc, const GemmTileParams& p);

struct GemmKernels {
  size_t mr, nr;
  GemmUkernelFn ukernel;
  // Runs `iters` iterations of independent FMA chains; returns a value derived from them so nothing is optimised
  // away. flops_per_iter is the floating-point work of one iteration (2 per lane per FMA).
  float (*fma_burn)(size_t iters);
  double fma_flops_per_iter;
  // Optional packing of this ISA (nullptr: the driver's portable loops), same layouts as the driver's:
  //   pack_a: op(A)[0:mc, 0:kc] -> panels of mr rows, dst[panel*kc*mr + p*mr + i], zero padded to mr rows; `a`
  //           points at op(A)(0, 0) (A itself with lda between rows, or with trans the k x m matrix A^T).
  //   pack_b: op(B)[0:kc, 0:nc] -> panels of nr columns, dst[panel*kc*nr + p*nr + j], zero padded to nr columns.
  // dst is 64-byte aligned; nothing outside the source extents is read.
  void (*pack_a)(bool trans, const float* a, size_t lda, size_t mc, size_t kc, float* dst) = nullptr;
  void (*pack_b)(bool trans, const float* b, size_t ldb, size_t kc, size_t nc, float* dst) = nullptr;
  // Optional kernel for narrow outputs (n <= narrow_nr; nullptr: none), used for the whole product when n is that
  // small: C(i, j) for i < m <= narrow_mr, j < n, over all of k (no k blocking), with the same epilogue as the
  // microkernel. A(i, p) = a[i*rs_a + p*cs_a] with rs_a == 1 (A^T, read in place) or cs_a == 1 (A, gathered into
  // `scratch`, narrow_mr * k floats); op(B)(p, j) = b[p*rs_b + j] (the driver packs B^T).
  size_t narrow_mr = 0, narrow_nr = 0;
  void (*narrow)(size_t m, size_t n, size_t k, const float* a, size_t rs_a, size_t cs_a, const float* b,
                 size_t rs_b, float* c, size_t ldc, float* scratch, const GemmTileParams& p) = nullptr;
  // Optional microkernel reading op(B) in place instead of a packed panel (nullptr: none): same contract as ukernel
  // but B row p at b + p*rs_b (any alignment, n valid columns), and the same sums bit for bit. The driver uses it
  // where packing B would not pay (driver.cc, in_place_b).
  void (*ukernel_b)(size_t m, size_t n, size_t k, const float* a, size_t rs_a, size_t cs_a, const float* b,
                    size_t rs_b, float* c, size_t ldc, const GemmTileParams& p) = nullptr;
  // Optional zero-skipping kernel for row-major A (nullptr: none; kernels/gemm/sparse-a.cc says when the driver
  // uses it): C(i, j) for i < m <= sparse_mr, j < n <= sparse_nr, over all of k in blocks of kc (the driver's k
  // blocks), adding only the products of nonzero A(i, p) = a[i*lda + p] with B(p, j) = b[p*ldb + j] (read in place),
  // in the microkernel's order within each block, each block combined with C and finished as block_rows does. With
  // B finite, every C element is then the dense result but for the sign of a zero.
  size_t sparse_mr = 0, sparse_nr = 0;
  void (*sparse_a)(size_t m, size_t n, size_t k, size_t kc, const float* a, size_t lda, const float* b, size_t ldb,
                   float* c, size_t ldc, const GemmTileParams& p) = nullptr;
  // Cache blocking in floats (0: the driver's defaults, kMC/kKC/kNC in driver.cc, which the AVX2 and NEON tables
  // use): mc a multiple of mr, nc a multiple of nr; k is cut into equal blocks of at most kc.
  size_t mc = 0, kc = 0, nc = 0;
  // Optional table for tall products: row-major A of at least tall_min_m rows and n a positive multiple of
  // tall->nr (nullptr: none). The driver runs those on it instead (kernels/gemm/avx512.cc: why). Same k blocking,
  // so every C element is the same sum in the same order: the result is bitwise that of this table.
  const GemmKernels* tall = nullptr;
  size_t tall_min_m = 0;
};

// A named table, for benchmarks and tests that compare an ISA's alternative tiles.
struct GemmKernelVariant {
  const char* name;
  const GemmKernels* kernels;
};

namespace scalar { extern const GemmKernels gemm_kernels; }
namespace avx2 { extern const GemmKernels gemm_kernels; }
namespace neon { extern const GemmKernels gemm_kernels; }
// kernels/gemm/avx512.cc: the table in use and every tile it was measured against (the first is gemm_kernels).
namespace avx512 {
extern const GemmKernels gemm_kernels;
extern const GemmKernelVariant gemm_kernel_variants[];
extern const size_t gemm_kernel_variant_count;
}  // namespace avx512

const GemmKernels& gemm_kernels();  // dispatched table (dispatch/gemm.cc)

// The five-loop driver over one ISA's table (driver.cc); gemm() calls it with gemm_kernels().
void gemm_run(const GemmKernels& kern, const GemmArgs& args, size_t threads);
// The zero-skipping path (sparse-a.cc), tried first by gemm_run when args.skip_zeros is set; kc is the k block of
// the dense path it stands in for. Returns false (having written nothing) where it does not apply.
// With ZeroSkip::auto_ it is not tried below this many rows of A: the sample and the B check would cost more than
// skipping saves (and a caller need not check B for it then: GemmArgs::b_known_finite).
constexpr size_t kSkipZerosMinRows = 64;
bool gemm_skip_zeros(const GemmKernels& kern, const GemmArgs& args, size_t kc, size_t threads);
// The driver's sigmoid/tanh pass on a finished row of n (other activations are applied in the tile; nothing here).
void apply_row_act(Act act, size_t n, float* y) noexcept;
double fma_peak_run(const GemmKernels& kern, double ms, size_t threads);

// A product's epilogue as a tile's parameters (the bias for the whole row: a tile's caller offsets it to its columns).
inline GemmTileParams tile_params(const GemmArgs& g) {
  GemmTileParams tp;
  tp.alpha = g.alpha;
  tp.beta = g.beta;
  tp.bias = g.ep.bias;
  tp.act = g.ep.act;
  tp.slope = g.ep.alpha;
  return tp;
}

// The parameters of the k block [pc, pc + kcb) of a product over k, for the driver's block_rows and the
// zero-skipping kernels (GemmKernels::sparse_a) alike: beta only on the first block (later blocks add to the partial
// sums already in C), the bias and activation only on the last. The zero-skipping kernels cut a block into `count`
// spans of `len` steps (the last shorter), each at most `most` long.
inline GemmTileParams k_block_params(const GemmTileParams& p, size_t pc, size_t kcb, size_t k) {
  GemmTileParams tp = p;
  tp.beta = pc == 0 ? p.beta : 1.0f;
  if (pc + kcb != k) tp.bias = nullptr, tp.act = Act::linear;
  return tp;
}
struct KSpans {
  size_t count, len;
};
inline KSpans k_spans(size_t kcb, size_t most) {
  const size_t count = (kcb + most - 1) / most;
  return {count, (kcb + count - 1) / count};
}

// For the ISA files' kernel tables: the instantiations K<count, flag> of a kernel template for count = 1..N, each
// without and with the flag (a masked last vector, a full tile), as entry 2 (count - 1) + flag. `make` takes
// (std::integral_constant<size_t, count>, std::bool_constant<flag>) and returns the instantiation's address.
template <typename Fn, typename Make, size_t... I>
constexpr std::array<Fn, sizeof...(I)> count_flag_table_of(Make make, std::index_sequence<I...>) {
  return {make(std::integral_constant<size_t, I / 2 + 1>{}, std::bool_constant<(I & 1) != 0>{})...};
}
template <typename Fn, size_t N, typename Make>
constexpr std::array<Fn, 2 * N> count_flag_table(Make make) {
  return count_flag_table_of<Fn>(make, std::make_index_sequence<2 * N>{});
}

}  // namespace simdnet
