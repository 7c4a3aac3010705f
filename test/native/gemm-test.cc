// GEMM against a float64 reference on every ISA: all transpose combinations, leading dimensions larger than the
// rows, sizes around the microkernel tile (1, MR-1, MR, MR+1, 2MR+1, NR+-1, primes > 100), k = 0 and k across KC
// blocks, alpha/beta (beta = 0 with NaN in C), bias + every activation, 1 and 2 threads. Buffers are allocated to
// their exact extent so a sanitizer build catches any over-read; C's padding columns must stay untouched.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "check.h"
#include "dispatch/isa.h"
#include "kernels/gemm/gemm.h"
#include "simd/arch.h"
#include "runtime/threadpool.h"

using simdnet::Act;

namespace {

struct Rng {
  uint64_t s;
  explicit Rng(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 1) {}
  float uniform() {  // [-1, 1)
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return static_cast<float>((s >> 40) * (1.0 / 16777216.0)) * 2.0f - 1.0f;
  }
};

struct Case {
  bool ta = false, tb = false;
  size_t m = 1, n = 1, k = 1;
  size_t pad_a = 0, pad_b = 0, pad_c = 0;  // leading dimension = row length + pad
  float alpha = 1.0f, beta = 0.0f;
  bool bias = false;
  Act act = Act::linear;
  float slope = 0.01f;
  size_t threads = 1;
};

const char* act_name(Act a) {
  switch (a) {
    case Act::linear: return "linear";
    case Act::sigmoid: return "sigmoid";
    case Act::tanh: return "tanh";
    case Act::relu: return "relu";
    case Act::leaky_relu: return "leakyRelu";
  }
  return "?";
}

size_t extent(size_t rows, size_t cols, size_t ld) { return rows == 0 || cols == 0 ? 0 : (rows - 1) * ld + cols; }

// C = A B, untransposed, no epilogue: the arguments the tests below start from.
simdnet::GemmArgs plain_args(size_t m, size_t n, size_t k, const float* a, size_t lda, const float* b, size_t ldb,
                             float* c, size_t ldc) {
  simdnet::GemmArgs g;
  g.m = m;
  g.n = n;
  g.k = k;
  g.a = a;
  g.lda = lda;
  g.b = b;
  g.ldb = ldb;
  g.c = c;
  g.ldc = ldc;
  return g;
}

double act_ref(Act a, double v, double slope) {
  switch (a) {
    case Act::sigmoid: return 1.0 / (1.0 + std::exp(-v));
    case Act::tanh: return std::tanh(v);
    case Act::relu: return v > 0 ? v : 0.0;
    case Act::leaky_relu: return v > 0 ? v : slope * v;
    default: return v;
  }
}

int g_seed = 1;
const simdnet::GemmKernels* g_kern = nullptr;  // when set, run_case drives this table instead of the dispatched one

void run_case(const Case& cs) {
  Rng rng(static_cast<uint64_t>(g_seed++));
  const size_t a_rows = cs.ta ? cs.k : cs.m, a_cols = cs.ta ? cs.m : cs.k;
  const size_t b_rows = cs.tb ? cs.n : cs.k, b_cols = cs.tb ? cs.k : cs.n;
  const size_t lda = a_cols + cs.pad_a, ldb = b_cols + cs.pad_b, ldc = cs.n + cs.pad_c;
  std::vector<float> a(extent(a_rows, a_cols, lda)), b(extent(b_rows, b_cols, ldb));
  std::vector<float> c(extent(cs.m, cs.n, ldc)), bias(cs.n);
  for (auto& v : a) v = rng.uniform();
  for (auto& v : b) v = rng.uniform();
  for (auto& v : bias) v = rng.uniform();
  const float sentinel = 12345.0f;
  for (size_t i = 0; i < c.size(); ++i)
    c[i] = (i % ldc) >= cs.n ? sentinel : cs.beta == 0.0f ? std::numeric_limits<float>::quiet_NaN() : rng.uniform();
  const std::vector<float> c0 = c;

  simdnet::GemmArgs g;
  g.trans_a = cs.ta;
  g.trans_b = cs.tb;
  g.m = cs.m;
  g.n = cs.n;
  g.k = cs.k;
  g.alpha = cs.alpha;
  g.a = a.data();
  g.lda = lda;
  g.b = b.data();
  g.ldb = ldb;
  g.beta = cs.beta;
  g.c = c.data();
  g.ldc = ldc;
  g.ep.bias = cs.bias ? bias.data() : nullptr;
  g.ep.act = cs.act;
  g.ep.alpha = cs.slope;
  if (g_kern) simdnet::gemm_run(*g_kern, g, cs.threads);
  else simdnet::gemm(g, cs.threads);

  char ctx[200];
  std::snprintf(ctx, sizeof ctx, "ta=%d tb=%d m=%zu n=%zu k=%zu lda=%zu ldb=%zu ldc=%zu alpha=%g beta=%g bias=%d %s t=%zu",
                cs.ta, cs.tb, cs.m, cs.n, cs.k, lda, ldb, ldc, cs.alpha, cs.beta, cs.bias, act_name(cs.act),
                cs.threads);
  // float64 reference; the bound grows with k: |err| <= 4*(k+2)*eps32*(|alpha| sum|a||b| + |beta c| + |bias|),
  // plus a few ulps for the activation itself (its derivative is at most 1, so the product error carries through).
  const double eps = std::numeric_limits<float>::epsilon();
  int shown = 0;
  for (size_t i = 0; i < cs.m; ++i) {
    for (size_t j = 0; j < cs.n; ++j) {
      double acc = 0.0, mag = 0.0;
      for (size_t p = 0; p < cs.k; ++p) {
        const double x = cs.ta ? a[p * lda + i] : a[i * lda + p];
        const double y = cs.tb ? b[j * ldb + p] : b[p * ldb + j];
        acc += x * y;
        mag += std::fabs(x * y);
      }
      double v = cs.alpha * acc;
      mag *= std::fabs(cs.alpha);
      if (cs.beta != 0.0f) {
        v += cs.beta * static_cast<double>(c0[i * ldc + j]);
        mag += std::fabs(cs.beta * c0[i * ldc + j]);
      }
      if (cs.bias) {
        v += bias[j];
        mag += std::fabs(bias[j]);
      }
      const double want = act_ref(cs.act, v, cs.slope);
      const double got = c[i * ldc + j];
      const double tol = 4.0 * static_cast<double>(cs.k + 2) * eps * mag + 4.0 * eps * std::fabs(want) + 1e-30;
      if (!(std::fabs(got - want) <= tol)) {
        if (shown++ < 3)
          std::printf("  FAIL [%s] %s: C[%zu,%zu] got %.9g want %.9g tol %.3g\n",
                      simdnet::isa_name(simdnet::current_isa()), ctx, i, j, got, want, tol);
      }
    }
    for (size_t j = cs.n; j < ldc && i * ldc + j < c.size(); ++j) {
      if (c[i * ldc + j] != sentinel && shown++ < 3)
        std::printf("  FAIL [%s] %s: padding C[%zu,%zu] overwritten\n", simdnet::isa_name(simdnet::current_isa()),
                    ctx, i, j);
    }
  }
  if (shown) ++check::failures();
}

std::vector<size_t> edge_sizes(size_t tile) {
  std::vector<size_t> v = {1, tile - 1, tile, tile + 1, 2 * tile + 1, 101};
  std::vector<size_t> out;
  for (size_t s : v)
    if (s >= 1 && (out.empty() || out.back() != s)) out.push_back(s);
  return out;
}

}  // namespace

TEST(gemm_tile_edges_all_transposes) {
  const auto& kern = simdnet::gemm_kernels();
  for (int t = 0; t < 4; ++t)
    for (size_t m : edge_sizes(kern.mr))
      for (size_t n : edge_sizes(kern.nr))
        for (size_t k : {size_t(1), size_t(7), size_t(33)}) {
          Case cs;
          cs.ta = t & 1;
          cs.tb = t & 2;
          cs.m = m;
          cs.n = n;
          cs.k = k;
          cs.pad_a = (m + k) % 3;
          cs.pad_b = (n + k) % 2 * 5;
          cs.pad_c = m % 2 * 3;
          run_case(cs);
        }
}

TEST(gemm_k_blocks_and_packed_paths) {
  // k > KC (352) splits into k blocks that accumulate in C; A beyond 512K floats (A^T: 128K) with n > 2 NR takes
  // the packed-A path (driver.cc want_pack_a), m > MC (120) takes several A blocks.
  const size_t shapes[][3] = {{13, 17, 257}, {13, 17, 353}, {101, 103, 600}, {300, 130, 300}, {151, 67, 523},
                              {6, 200, 1100}, {601, 35, 900}, {150, 50, 1000}, {121, 40, 705}};
  for (int t = 0; t < 4; ++t)
    for (const auto& s : shapes)
      for (size_t threads : {size_t(1), size_t(2)}) {
        Case cs;
        cs.ta = t & 1;
        cs.tb = t & 2;
        cs.m = s[0];
        cs.n = s[1];
        cs.k = s[2];
        cs.pad_a = 3;
        cs.pad_b = 1;
        cs.pad_c = 2;
        cs.threads = threads;
        cs.beta = 0.5f;
        run_case(cs);
      }
}

TEST(gemm_alpha_beta_k0) {
  for (float alpha : {1.0f, -0.75f, 0.0f})
    for (float beta : {0.0f, 1.0f, 0.3f})
      for (size_t k : {size_t(0), size_t(1), size_t(19)}) {
        Case cs;
        cs.m = 7;
        cs.n = 19;
        cs.k = k;
        cs.alpha = alpha;
        cs.beta = beta;
        cs.pad_c = 1;
        run_case(cs);
        cs.bias = true;
        cs.act = Act::relu;
        run_case(cs);
      }
}

TEST(gemm_bias_and_activations) {
  const auto& kern = simdnet::gemm_kernels();
  for (Act act : {Act::linear, Act::sigmoid, Act::tanh, Act::relu, Act::leaky_relu})
    for (int t = 0; t < 4; ++t)
      for (size_t threads : {size_t(1), size_t(2)})
        for (size_t k : {size_t(0), size_t(9), size_t(300)}) {
          Case cs;
          cs.ta = t & 1;
          cs.tb = t & 2;
          cs.m = 2 * kern.mr + 1;
          cs.n = 2 * kern.nr + 3;
          cs.k = k;
          cs.bias = true;
          cs.act = act;
          cs.slope = 0.2f;
          cs.beta = t == 3 ? 1.0f : 0.0f;
          cs.threads = threads;
          run_case(cs);
          cs.bias = false;
          run_case(cs);
        }
}

TEST(gemm_narrow_outputs) {
  // n <= 12 takes the ISA's narrow kernel where it has one (AVX2: 16-row tiles, column groups of up to 6; AVX-512:
  // 32-row tiles of two 16-lane halves; both read A^T in place with masked loads for a short last block and gather A
  // into scratch): every n, row counts around 8, 16 and 32, k around the unrolls, all transposes, the epilogue
  // variants, 1 and 2 threads.
  for (int t = 0; t < 4; ++t)
    for (size_t n = 1; n <= 13; ++n)
      for (size_t m : {size_t(1), size_t(7), size_t(8), size_t(9), size_t(16), size_t(17), size_t(31), size_t(32),
                       size_t(33), size_t(45)})
        for (size_t k : {size_t(1), size_t(3), size_t(4), size_t(5), size_t(66)}) {
          Case cs;
          cs.ta = t & 1;
          cs.tb = t & 2;
          cs.m = m;
          cs.n = n;
          cs.k = k;
          cs.pad_a = (m + n) % 3;
          cs.pad_b = k % 2 * 3;
          cs.pad_c = n % 2 * 5;
          const size_t v = (m + n + k + t) % 5;
          cs.beta = v == 1 ? 0.5f : v == 2 ? 1.0f : 0.0f;
          cs.alpha = v == 3 ? -1.5f : 1.0f;
          cs.bias = v >= 2;
          cs.act = v == 2 ? Act::relu : v == 3 ? Act::leaky_relu : v == 4 ? Act::sigmoid : Act::linear;
          cs.threads = m >= 16 ? 2 : 1;
          run_case(cs);
        }
}

TEST(gemm_mlp_shapes_threads) {
  // The MLP products (forward X W, weight gradient X^T dY, input gradient dY W^T) at a batch of 128.
  struct S { bool ta, tb; size_t m, n, k; };
  const S shapes[] = {{false, false, 128, 128, 784}, {false, false, 128, 64, 128}, {false, false, 128, 10, 64},
                      {true, false, 784, 128, 128},  {true, false, 64, 10, 128},   {false, true, 128, 64, 10},
                      {false, true, 128, 784, 128}};
  for (const auto& s : shapes)
    for (size_t threads : {size_t(1), size_t(2)}) {
      Case cs;
      cs.ta = s.ta;
      cs.tb = s.tb;
      cs.m = s.m;
      cs.n = s.n;
      cs.k = s.k;
      cs.threads = threads;
      cs.bias = !s.ta && !s.tb;
      cs.act = cs.bias ? Act::relu : Act::linear;
      run_case(cs);
    }
}

TEST(gemm_a_transposed_with_panel_sized_lda) {
  // A^T with lda == MR and fewer than MR columns used: looks like a packed panel but has no padding to read.
  const auto& kern = simdnet::gemm_kernels();
  for (size_t m = 1; m < kern.mr; ++m) {
    Case cs;
    cs.ta = true;
    cs.m = m;
    cs.n = 5;
    cs.k = 9;
    cs.pad_a = kern.mr - m;
    run_case(cs);
  }
}

TEST(gemm_avx512_tile_variants) {
  // Every AVX-512 tile in kernels/gemm/avx512.cc (the one in use and the ones it was measured against, which
  // gemm-bench --variants times), through the same driver: edges around each tile, every transpose, packed A
  // and k blocks, narrow outputs, the epilogues. Runs once, under the avx512 pass; elsewhere it checks nothing.
#if SIMDNET_X86
  if (simdnet::current_isa() != simdnet::Isa::avx512) return;
  for (size_t v = 0; v < simdnet::avx512::gemm_kernel_variant_count; ++v) {
    g_kern = simdnet::avx512::gemm_kernel_variants[v].kernels;
    const size_t mr = g_kern->mr, nr = g_kern->nr;
    for (int t = 0; t < 4; ++t) {
      for (size_t m : {size_t(1), mr - 1, mr, mr + 1, 2 * mr + 3})
        for (size_t n : {size_t(5), size_t(13), nr - 1, nr, nr + 17}) {
          Case cs;
          cs.ta = t & 1;
          cs.tb = t & 2;
          cs.m = m;
          cs.n = n;
          cs.k = 1 + (m + n) % 9;
          cs.pad_a = t;
          cs.pad_c = 1;
          const size_t e = (m + n + t) % 4;
          cs.beta = e == 1 ? 0.5f : 0.0f;
          cs.bias = e >= 2;
          cs.act = e == 2 ? Act::relu : e == 3 ? Act::leaky_relu : Act::linear;
          cs.alpha = e == 3 ? -0.5f : 1.0f;
          run_case(cs);
        }
      Case big;  // packed A (A beyond 512K floats, n > 2 NR), two k blocks, several MC blocks, then 2 threads
      big.ta = t & 1;
      big.tb = t & 2;
      big.m = 421;
      big.n = 2 * nr + 7;
      big.k = 1300;
      big.pad_b = 2;
      big.beta = 1.0f;
      run_case(big);
      big.m = 150;
      big.k = 200;
      big.threads = 2;
      run_case(big);
    }
  }
  g_kern = nullptr;
#endif
}

// The shapes of gemm_threads_match_one_thread_bitwise below but the last (long_k false), or the last alone (true):
// two TESTs that `--shard` (check.h) can put on different cores. The last shape (k = 65600) alone takes longer than
// all the others together (scalar, Zen 3 EPYC: 3.8 s against 2.3 s), so it is the split that halves the longest run.
static void threads_match_one_thread(bool long_k);

TEST(gemm_threads_match_one_thread_bitwise) { threads_match_one_thread(false); }
TEST(gemm_threads_match_one_thread_bitwise_long_k) { threads_match_one_thread(true); }

static void threads_match_one_thread(bool long_k) {
  // The parallel driver (driver.cc gemm_shared: B packed once for all threads, or once per thread when it is at most
  // 512K floats; row units claimed as threads free up) runs one FMA chain per C element over the same k blocks as one
  // thread (in tiles of other heights), so 2, 3, 4 and 6 threads must give bit-identical C: shapes with several k
  // blocks, packed and in-place A, every transpose, a bias + ReLU epilogue, alpha != 1, beta != 0, private B (all but
  // one shape) and a B too large for one shared block (k * n > 2M floats: several jc blocks), and m just above a unit.
  // Each thread owns m / t rows, so its tiles end in a short one ((128,64,128): 64 rows each on 2 threads, 42-43 on 3).
  // The last shape (untransposed only, to keep the test short) has 5 jc blocks of one panel: its counters are on the
  // heap, as are those of every call on 6 threads. m = 49 on 2 threads makes ranges of 24 and 25 rows, so of unequal
  // unit counts.
  struct S { size_t m, n, k; };
  const S shapes[] = {{1000, 128, 784}, {128, 128, 784}, {128, 64, 128}, {300, 200, 700}, {20, 1950, 1100},
                      {49, 70, 33}, {1030, 70, 1030}, {180, 160, 65600}};
  for (int t = 0; t < 4; ++t)
    for (const auto& s : shapes) {
      const bool is_long = s.k > 10000;
      if (is_long != long_k || (is_long && t != 0)) continue;
      const bool ta = t & 1, tb = t & 2;
      const size_t lda = (ta ? s.m : s.k) + 1, ldb = (tb ? s.k : s.n) + 2, ldc = s.n + 1;
      std::vector<float> a(extent(ta ? s.k : s.m, ta ? s.m : s.k, lda)), b(extent(tb ? s.n : s.k, tb ? s.k : s.n, ldb));
      std::vector<float> bias(s.n), c0(extent(s.m, s.n, ldc));
      Rng r(s.m * 7 + s.n * 3 + s.k + t);
      for (float& v : a) v = r.uniform();
      for (float& v : b) v = r.uniform();
      for (float& v : bias) v = r.uniform();
      for (float& v : c0) v = r.uniform();
      simdnet::GemmArgs g;
      g.trans_a = ta;
      g.trans_b = tb;
      g.m = s.m;
      g.n = s.n;
      g.k = s.k;
      g.a = a.data();
      g.lda = lda;
      g.b = b.data();
      g.ldb = ldb;
      g.ldc = ldc;
      g.beta = t == 3 ? 0.5f : 0.0f;
      // alpha != 1 beside the bias: each row's alpha * acc + bias must round alike in a full tile and in a short one
      // (on AVX2 the two epilogues once differed by an FMA contraction)
      g.alpha = t == 1 || t == 2 ? 0.75f : 1.0f;
      g.ep.bias = bias.data();
      g.ep.act = Act::relu;
      std::vector<float> one = c0;
      g.c = one.data();
      simdnet::gemm(g, 1);
      for (size_t threads : {size_t(2), size_t(3), size_t(4), size_t(6)}) {
        std::vector<float> many = c0;
        g.c = many.data();
        simdnet::gemm(g, threads);
        size_t diff = 0;
        for (size_t i = 0; i < one.size(); ++i) diff += std::memcmp(&one[i], &many[i], sizeof(float)) != 0;
        if (diff != 0)
          std::printf("  m,n,k=%zu,%zu,%zu ta=%d tb=%d threads=%zu: %zu elements differ from 1 thread\n", s.m, s.n,
                      s.k, int(ta), int(tb), threads, diff);
        EXPECT(diff == 0);
      }
    }
}

TEST(gemm_in_place_b_bitwise) {
  // driver.cc in_place_b: where m <= 512 and B is small, the table's ukernel_b reads op(B) in place instead of
  // packing it, unless B's rows are 4 KiB apart (ldb a multiple of 1024). The same B at ldb = n + 3 (in place,
  // unaligned rows) and at ldb = 1024 (packed) must give the same C bit for bit, on 1 and 2 threads, with partial
  // tiles and a partial last panel, several k blocks, a bias + ReLU epilogue and beta != 0. (On a table without
  // ukernel_b both runs pack, and the test shows nothing.)
  struct S { size_t m, n, k; };
  const S shapes[] = {{128, 128, 784}, {128, 64, 128}, {37, 70, 300}, {500, 45, 33}, {13, 200, 1030}};
  for (const auto& s : shapes)
    for (int beta = 0; beta < 2; ++beta)
      for (size_t threads : {size_t(1), size_t(2)}) {
        const size_t lda = s.k, ldc = s.n;
        std::vector<float> a(s.m * lda), b_near(extent(s.k, s.n, s.n + 3)), b_far(extent(s.k, s.n, 1024));
        std::vector<float> bias(s.n), c0(s.m * ldc);
        Rng r(s.m * 31 + s.n * 7 + s.k + beta);
        for (float& v : a) v = r.uniform();
        for (size_t p = 0; p < s.k; ++p)
          for (size_t j = 0; j < s.n; ++j) b_near[p * (s.n + 3) + j] = b_far[p * 1024 + j] = r.uniform();
        for (float& v : bias) v = r.uniform();
        for (float& v : c0) v = r.uniform();
        simdnet::GemmArgs g;
        g.m = s.m;
        g.n = s.n;
        g.k = s.k;
        g.a = a.data();
        g.lda = lda;
        g.ldc = ldc;
        g.beta = beta ? 0.5f : 0.0f;
        g.ep.bias = bias.data();
        g.ep.act = Act::relu;
        std::vector<float> near = c0, far = c0;
        g.b = b_near.data();
        g.ldb = s.n + 3;
        g.c = near.data();
        simdnet::gemm(g, threads);
        g.b = b_far.data();
        g.ldb = 1024;
        g.c = far.data();
        simdnet::gemm(g, threads);
        size_t diff = 0;
        for (size_t i = 0; i < near.size(); ++i) diff += std::memcmp(&near[i], &far[i], sizeof(float)) != 0;
        if (diff != 0)
          std::printf("  m,n,k=%zu,%zu,%zu beta=%d threads=%zu: %zu elements differ (in place vs packed B)\n", s.m,
                      s.n, s.k, beta, threads, diff);
        EXPECT(diff == 0);
      }
}

// Bits equal, or both zeros (of either sign), or both NaN: kernels/gemm/sparse-a.cc's promise.
bool same_but_zero_sign(float x, float y) {
  return std::memcmp(&x, &y, sizeof(float)) == 0 || (x == 0.0f && y == 0.0f) || (x != x && y != y);
}

TEST(gemm_skip_zeros_matches_dense) {
  // kernels/gemm/sparse-a.cc: with skip_zeros, a table with a sparse_a kernel (AVX-512, AVX2) adds only the nonzero
  // A(i,p)'s products, in the dense microkernel's order within each of the driver's k blocks, so C must be the dense C
  // but for the sign of a zero: A half zeros (some -0, a NaN, a row of zeros), partial row groups, n around the 16-lane
  // vectors and the 128-column chunk, several k blocks (1030: 3 blocks of 344 at AVX2's KC 352, 2 of 515 at AVX-512's
  // KC 800, each in spans), alpha, beta, every epilogue, 1 and 2 threads. Then a B holding an inf must make the driver
  // keep the dense path (0 * inf = NaN in every row whose A(i, p) is 0), and auto_ must give the same C as off on a
  // dense A and on a sparse one.
  struct S { size_t m, n, k; };
  const S shapes[] = {{1000, 128, 784}, {128, 128, 784}, {37, 70, 300}, {16, 16, 1}, {1, 200, 63},
                      {17, 129, 65}, {50, 256, 1030}, {33, 48, 129}, {64, 64, 128}, {20, 13, 40}};
  const Act acts[] = {Act::linear, Act::relu, Act::leaky_relu, Act::sigmoid, Act::tanh};
  int variant = 0;
  for (const auto& s : shapes)
    for (size_t threads : {size_t(1), size_t(2)}) {
      ++variant;
      // B's rows 64-byte aligned, as sparse-a.cc requires (an unaligned B keeps the dense path)
      const size_t lda = s.k + 1, ldb = (s.n + 2 + 15) / 16 * 16, ldc = s.n + 3;
      std::vector<float> a(s.m * lda), b_store(extent(s.k, s.n, ldb) + 16), bias(s.n), c0(s.m * ldc);
      float* const b = b_store.data() + (16 - reinterpret_cast<uintptr_t>(b_store.data()) / 4 % 16) % 16;
      Rng r(s.m * 13 + s.n * 5 + s.k + threads);
      for (float& v : a) {
        const float u = r.uniform();
        v = u < 0.0f ? (u < -0.9f ? -0.0f : 0.0f) : r.uniform();
      }
      if (s.m > 3) std::fill(a.begin() + 2 * lda, a.begin() + 3 * lda, 0.0f);  // a row of zeros
      if (s.m > 1 && s.k > 1) a[lda + s.k / 2] = std::numeric_limits<float>::quiet_NaN();  // row 1
      for (float& v : b_store) v = r.uniform();
      for (float& v : bias) v = r.uniform();
      for (float& v : c0) v = r.uniform();
      simdnet::GemmArgs g = plain_args(s.m, s.n, s.k, a.data(), lda, b, ldb, nullptr, ldc);
      g.alpha = variant % 3 == 0 ? 0.75f : 1.0f;
      g.beta = variant % 2 == 0 ? 0.5f : 0.0f;
      g.ep.bias = variant % 4 == 1 ? nullptr : bias.data();
      g.ep.act = acts[variant % 5];
      g.ep.alpha = 0.1f;
      auto run = [&](simdnet::GemmArgs::ZeroSkip mode) {
        std::vector<float> c = c0;
        g.c = c.data();
        g.skip_zeros = mode;
        simdnet::gemm(g, threads);
        return c;
      };
      auto compare = [&](const std::vector<float>& x, const std::vector<float>& y, const char* what) {
        size_t diff = 0;
        for (size_t i = 0; i < x.size(); ++i) diff += !same_but_zero_sign(x[i], y[i]);
        if (diff != 0)
          std::printf("  m,n,k=%zu,%zu,%zu threads=%zu act=%s: %zu elements differ (%s)\n", s.m, s.n, s.k, threads,
                      act_name(g.ep.act), diff, what);
        EXPECT(diff == 0);
      };
      const std::vector<float> dense = run(simdnet::GemmArgs::ZeroSkip::off);
      compare(dense, run(simdnet::GemmArgs::ZeroSkip::force), "skipping zeros vs dense");
      compare(dense, run(simdnet::GemmArgs::ZeroSkip::auto_), "auto vs dense");
      if (s.m > 3 && s.k > 1) {  // an inf in B row 1: row 2 of A is all zeros, so dense C row 2 is NaN there
        b[ldb + 0] = std::numeric_limits<float>::infinity();
        const std::vector<float> dense_inf = run(simdnet::GemmArgs::ZeroSkip::off);
        EXPECT(dense_inf[2 * ldc] != dense_inf[2 * ldc]);
        compare(dense_inf, run(simdnet::GemmArgs::ZeroSkip::force), "inf in B: the dense path");
      }
    }
  // The kernel itself (not only the driver's choice of it), where the ISA has one: one group of rows, one k block.
  const simdnet::GemmKernels& kern = simdnet::gemm_kernels();
  if (kern.sparse_a) {
    const size_t m = kern.sparse_mr, n = kern.sparse_nr, k = 100;
    std::vector<float> a(m * k), b(k * n), c1(m * n), c2(m * n);
    Rng r(77);
    for (float& v : a) v = r.uniform() < 0.0f ? 0.0f : r.uniform();
    for (float& v : b) v = r.uniform();
    simdnet::GemmTileParams tp;
    kern.sparse_a(m, n, k, k, a.data(), k, b.data(), n, c1.data(), n, tp);
    simdnet::gemm(plain_args(m, n, k, a.data(), k, b.data(), n, c2.data(), n), 1);
    size_t diff = 0;
    for (size_t i = 0; i < c1.size(); ++i) diff += !same_but_zero_sign(c1[i], c2[i]);
    EXPECT(diff == 0);
  }
}

TEST(threadpool_runs_every_range_once) {
  // Many small jobs back to back: spinning workers, late workers whose range the caller steals, and index bounds.
  std::vector<std::atomic<int>> hits(97);
  for (int rep = 0; rep < 3000; ++rep) {
    for (auto& h : hits) h.store(0);
    std::atomic<int> bad_index{0};
    simdnet::parallel_for(
        hits.size(),
        [&](size_t begin, size_t end, size_t range) {
          if (range >= 2) ++bad_index;
          for (size_t i = begin; i < end; ++i) ++hits[i];
        },
        2);
    int wrong = bad_index.load();
    for (auto& h : hits) wrong += h.load() != 1;
    EXPECT(wrong == 0);
    if (wrong) break;
  }
}

TEST(fma_peak_is_positive) {
  const double one = simdnet::fma_peak(5.0, 1);
  EXPECT(one > 0.0 && std::isfinite(one));  // any speed: under qemu it is tiny
}

CHECK_MAIN()
