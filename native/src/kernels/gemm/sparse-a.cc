// When the GEMM driver skips A's zeros, and the loop around the ISA's zero-skipping kernel (GemmKernels::sparse_a,
// gemm.h; AVX-512 and AVX2 have one: kernels/gemm/avx512.cc, avx2.cc).
//
// Why: a dense layer's input is often half zeros -- the background pixels of an image (49.99% of Fashion-MNIST's test
// pixels are exactly 0), one-hot and bag-of-words features, the outputs of a ReLU. A product with a zero adds nothing
// to a sum, so a kernel that takes A's rows in pairs (on AVX-512 a pair and a third row beside it) and visits only the
// k steps where either row is nonzero does the same sums with fewer FMAs. It pays less per FMA than the dense
// microkernel (a B vector load per 2 FMAs where the 6x64 tile shares one over 6 rows), so the driver first looks at a
// sample of A's rows and keeps the dense path where too few steps would be skipped. The result is the dense path's bit
// for bit, but for the sign of a zero (ctest gemm_skip_zeros_matches_dense), so which path a batch takes changes
// nothing a caller can see but the time.
//
// Why B must be finite: 0 * inf is NaN. The dense path turns a non-finite B(p, j) into NaN in every row whose A(i, p)
// is 0; skipping would not. Non-finite weights are checked for (one pass over B) and then the dense path runs;
// a caller that has checked B already says so (GemmArgs::b_known_finite: the engine checks once per predict call).
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "kernels/gemm/gemm.h"
#include "kernels/reduce/reduce.h"
#include "runtime/threadpool.h"

namespace simdnet {
namespace {

// The kernel takes A's rows in pairs and visits the k steps where either row is nonzero, so what it costs follows
// the share of such steps (the pairs' union density), which the driver estimates on kSamplePairs pairs spread over A.
// It pays below about 0.77 of the steps at n = 128 and 0.70 at n = 64 (Intel Xeon host, AVX-512, 1 thread,
// bench/native/skip-zeros-bench: random zeros at 50% (union 0.75) 1.03x and 0.96x, at 60% (0.64) 1.16x and 1.08x;
// the Fashion-MNIST test images, 50% zeros, union about 0.67, 1.13x at n = 128). The AVX2 kernel, forced on the same
// host, breaks even a little later: 50% random zeros 0.93x at n = 128, 60% 1.12x at n = 128 and 1.01x at n = 64, the
// Fashion-MNIST images 1.06-1.09x. The limits below keep a margin on AVX-512 and sit near break-even on AVX2. (Those
// AVX-512 figures are for pairs alone. Its kernel now runs a third row of each three over that row's own steps,
// which costs no more at 0% zeros and 7-10% less from 60% zeros up: the margin only grew. The sample still counts
// pairs: they take two thirds of the rows and most of the time.)
constexpr double kMaxUnionWide = 0.72;    // n >= 128: rows of 8 vectors
constexpr double kMaxUnionNarrow = 0.64;  // narrower: less work per k step to hide the step's overhead
constexpr size_t kSamplePairs = 16;       // 16 pairs x 784 floats x 2: a few microseconds
constexpr size_t kGroupsPerUnit = 2;      // row groups a thread claims at a time

// SIMDNET_SKIP_ZEROS=0 in the environment turns the auto_ path off (read once): for comparisons, and for whoever
// wants the dense path's signed zeros.
bool enabled() noexcept {
  static const bool on = [] {
    const char* v = std::getenv("SIMDNET_SKIP_ZEROS");
    return !(v && std::strcmp(v, "0") == 0);
  }();
  return on;
}

double sample_union_density(const GemmArgs& g) noexcept {
  const size_t pairs = std::min(kSamplePairs, g.m / 2);
  if (pairs == 0) return 1.0;
  size_t used = 0;
  for (size_t s = 0; s < pairs; ++s) {
    const size_t i = (g.m / 2) * s / pairs * 2;  // an even row: the kernel's pairs start there
    const float* r0 = g.a + i * g.lda;
    const float* r1 = r0 + g.lda;
    for (size_t p = 0; p < g.k; ++p) used += (r0[p] != 0.0f) | (r1[p] != 0.0f);  // NaN counts as nonzero
  }
  return static_cast<double>(used) / static_cast<double>(pairs * g.k);
}

bool b_finite(const GemmArgs& g) noexcept {
  const ReduceKernels& r = reduce();
  if (g.ldb == g.n) return r.first_nonfinite(g.k * g.n, g.b, nullptr) == g.k * g.n;
  for (size_t p = 0; p < g.k; ++p)
    if (r.first_nonfinite(g.n, g.b + p * g.ldb, nullptr) != g.n) return false;
  return true;
}

}  // namespace

bool gemm_skip_zeros(const GemmKernels& kern, const GemmArgs& g, size_t kc, size_t threads) {
  if (g.skip_zeros == GemmArgs::ZeroSkip::off || !kern.sparse_a || g.trans_a || g.trans_b || g.k == 0 ||
      g.alpha == 0.0f || g.m == 0 || g.n == 0 || (kern.narrow && g.n <= kern.narrow_nr))
    return false;
  // B's rows 64-byte aligned (the engine's weights are): every k step loads whole rows of B, and at any other
  // alignment each 64-byte load spans two lines, which made the kernel 1.7x slower (skip-zeros-bench).
  if (reinterpret_cast<uintptr_t>(g.b) % 64 != 0 || g.ldb % 16 != 0) return false;
  if (g.skip_zeros == GemmArgs::ZeroSkip::auto_ &&
      (g.m < kSkipZerosMinRows || !enabled() ||
       sample_union_density(g) > (g.n >= 128 ? kMaxUnionWide : kMaxUnionNarrow)))
    return false;
  if (!g.b_known_finite && !b_finite(g)) return false;
  const GemmTileParams tp = tile_params(g);
  const size_t mr = kern.sparse_mr, nr = kern.sparse_nr, groups = (g.m + mr - 1) / mr;
  auto run = [&](size_t g0, size_t g1) {
    for (size_t gi = g0; gi < g1; ++gi) {
      const size_t i0 = gi * mr, mm = std::min(mr, g.m - i0);
      for (size_t j0 = 0; j0 < g.n; j0 += nr) {
        GemmTileParams p = tp;
        p.bias = g.ep.bias ? g.ep.bias + j0 : nullptr;
        kern.sparse_a(mm, std::min(nr, g.n - j0), g.k, kc, g.a + i0 * g.lda, g.lda, g.b + j0, g.ldb,
                      g.c + i0 * g.ldc + j0, g.ldc, p);
      }
      for (size_t i = i0; i < i0 + mm; ++i) apply_row_act(g.ep.act, g.n, g.c + i * g.ldc);  // sigmoid, tanh
    }
  };
  const size_t t = std::min(threads, (groups + kGroupsPerUnit - 1) / kGroupsPerUnit);
  if (t <= 1) {
    run(0, groups);
    return true;
  }
  // Units claimed from one counter: a thread taken off its core (2 vCPUs under KVM) delays a unit, not half the rows.
  std::atomic<size_t> next{0};
  parallel_for(
      t,
      [&](size_t, size_t, size_t) {
        for (size_t u; (u = next.fetch_add(kGroupsPerUnit, std::memory_order_relaxed)) < groups;)
          run(u, std::min(groups, u + kGroupsPerUnit));
      },
      t);
  return true;
}

}  // namespace simdnet
