// The GEMM driver: BLIS's five loops around one ISA's microkernel (gemm.h), packing, the fused epilogue and the
// split over the runtime thread pool. Built for the baseline ISA; only the microkernel is ISA-specific (the packing
// loops here are portable copies; an ISA may supply vectorised ones in its table, and AVX2 does: at 1024^3 the
// scalar gathers of A^T-style packing cost several % of the run).
//
//   loop 5 (jc): n in NC blocks                     B block (kc x nc) -> L3
//    loop 4 (pc): k in KC blocks, pack B panels     one B panel (kc x NR) -> L1
//     loop 3 (ic): m in MC blocks, pack A panels    A block (mc x kc) -> L2   (skipped for small problems)
//      loop 2 (jr): NR panels of the B block
//       loop 1 (ir): MR tiles -> microkernel
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>
#include <thread>

#include "kernels/gemm/gemm.h"
#include "kernels/vunary/vunary.h"
#include "runtime/threadpool.h"

namespace simdnet {

// sigmoid and tanh on a finished row, by the dispatched element-wise kernel (kernels/vunary: the same accuracy and
// edge cases as the stand-alone activation), while the tile is still in L1.
void apply_row_act(Act act, size_t n, float* y) noexcept {
  if (act == Act::sigmoid || act == Act::tanh) vunary().forward(act, 0.0f, n, y, y);
}

namespace {

// Blocking (floats). KC = 352: k is cut into equal blocks of at most 352 (k_block: 1024 -> 3 x 342, 784 -> 3 x 262,
// 2048 -> 6 x 342), so a 6 x 342 A sliver (8 KiB) + a 342 x 16 B panel (21 KiB) still fit Zen 3's 32 KiB L1D. Fewer k
// blocks mean fewer passes of C through the tile epilogue: at 1024^3, 3 blocks of 342 ran ~1% faster than 4 of 256
// (median of 8-10 alternating runs; 2048^3 unchanged). MC = 120 (a multiple of 4, 6 and 8): a 120 x 342 packed A
// block is 160 KiB of the 512 KiB L2. NC = 3072 (a multiple of 4, 12 and 16): a 342 x 3072 B block is 4 MiB of L3.
// These are the defaults; an ISA's table may set its own (GemmKernels::mc/kc/nc): the AVX-512 tables take KC 800.
constexpr size_t kKC = 352, kMC = 120, kNC = 3072;

constexpr size_t kMaxTile = 64;  // bound on any ISA's MR and NR (packing keeps a pointer per source row)

// Below this much work per thread a second thread costs more than it saves. The pool's workers spin between the
// back-to-back calls of a training step and a range no worker has claimed yet is run by the caller
// (runtime/threadpool.cc), so the cost is a few hundred ns of hand-off, not a wake-up. Measured on Zen 3 (2 threads
// vs 1, calls back to back): 0.16 MFLOP shapes gain -- (128,64,10) X.W ~60 -> 80-90 GFLOP/s, 64^3 80 -> 117 --
// while 0.065-0.08 MFLOP ones (32^3, (64,64,10)) do not, so a thread needs at least ~0.08 MFLOP.
constexpr double kMinFlopsPerThread = 0.08e6;

// Per-thread packing buffers, 64-byte aligned, grown on demand and kept for the thread's life.
struct Workspace {
  float* a = nullptr;
  size_t a_cap = 0;
  float* b = nullptr;
  size_t b_cap = 0;
  ~Workspace() {
    std::free(a);
    std::free(b);
  }
};

bool reserve(float*& buf, size_t& cap, size_t floats) noexcept {
  if (floats <= cap) return true;
  const size_t bytes = (floats * sizeof(float) + 63) / 64 * 64;
  void* p = std::aligned_alloc(64, bytes);
  if (!p) return false;
  std::free(buf);
  buf = static_cast<float*>(p);
  cap = bytes / sizeof(float);
  return true;
}

Workspace& workspace() {
  static thread_local Workspace ws;
  return ws;
}

bool row_act(Act act) { return act == Act::sigmoid || act == Act::tanh; }

// C = act(beta*C + bias) without a product (k == 0 or alpha == 0: A and B are not read, as in BLAS).
void epilogue_only(const GemmArgs& g) noexcept {
  for (size_t i = 0; i < g.m; ++i) {
    float* c = g.c + i * g.ldc;
    for (size_t j = 0; j < g.n; ++j) {
      float v = g.beta != 0.0f ? g.beta * c[j] : 0.0f;
      if (g.ep.bias) v += g.ep.bias[j];
      if (g.ep.act == Act::relu) v = v < 0.0f ? 0.0f : v;
      else if (g.ep.act == Act::leaky_relu) v = v > 0.0f ? v : g.ep.alpha * v;
      c[j] = v;
    }
    apply_row_act(g.ep.act, g.n, c);
  }
}

// op(B)[pc:pc+kc, jc:jc+nc] -> panels of nr columns: dst[panel*kc*nr + p*nr + j], zero padded to nr.
void pack_b(const GemmKernels& kern, const GemmArgs& g, size_t pc, size_t kc, size_t jc, size_t nc,
            float* dst) noexcept {
  const size_t nr = kern.nr;
  if (kern.pack_b) {
    kern.pack_b(g.trans_b, g.trans_b ? g.b + jc * g.ldb + pc : g.b + pc * g.ldb + jc, g.ldb, kc, nc, dst);
    return;
  }
  for (size_t j0 = 0; j0 < nc; j0 += nr, dst += kc * nr) {
    const size_t nn = std::min(nr, nc - j0);
    if (!g.trans_b) {
      const float* src = g.b + pc * g.ldb + jc + j0;
      if (nn == nr) {
        for (size_t p = 0; p < kc; ++p, src += g.ldb) std::memcpy(dst + p * nr, src, nr * sizeof(float));
      } else {
        std::memset(dst, 0, kc * nr * sizeof(float));
        for (size_t p = 0; p < kc; ++p, src += g.ldb) std::memcpy(dst + p * nr, src, nn * sizeof(float));
      }
    } else {
      // op(B)(p, j) = B[j*ldb + p]: nn source rows read side by side, so dst is written once, in order
      const float* rows[kMaxTile];
      for (size_t j = 0; j < nn; ++j) rows[j] = g.b + (jc + j0 + j) * g.ldb + pc;
      for (size_t p = 0; p < kc; ++p) {
        float* d = dst + p * nr;
        for (size_t j = 0; j < nn; ++j) d[j] = rows[j][p];
        for (size_t j = nn; j < nr; ++j) d[j] = 0.0f;
      }
    }
  }
}

// op(A)[ic:ic+mc, pc:pc+kc] -> panels of mr rows: dst[panel*kc*mr + p*mr + i], zero padded to mr.
void pack_a(const GemmKernels& kern, const GemmArgs& g, size_t ic, size_t mc, size_t pc, size_t kc,
            float* dst) noexcept {
  const size_t mr = kern.mr;
  if (kern.pack_a) {
    kern.pack_a(g.trans_a, g.trans_a ? g.a + pc * g.lda + ic : g.a + ic * g.lda + pc, g.lda, mc, kc, dst);
    return;
  }
  for (size_t i0 = 0; i0 < mc; i0 += mr, dst += kc * mr) {
    const size_t mm = std::min(mr, mc - i0);
    if (!g.trans_a) {
      // mm source rows read side by side, so dst is written once, in order (writing it column by column instead
      // revisits every line mr times and cost ~5% at 1024^3)
      const float* rows[kMaxTile];
      for (size_t i = 0; i < mm; ++i) rows[i] = g.a + (ic + i0 + i) * g.lda + pc;
      for (size_t p = 0; p < kc; ++p) {
        float* d = dst + p * mr;
        for (size_t i = 0; i < mm; ++i) d[i] = rows[i][p];
        for (size_t i = mm; i < mr; ++i) d[i] = 0.0f;
      }
    } else {
      const float* src = g.a + pc * g.lda + ic + i0;
      for (size_t p = 0; p < kc; ++p, src += g.lda) {
        float* d = dst + p * mr;
        for (size_t i = 0; i < mm; ++i) d[i] = src[i];
        for (size_t i = mm; i < mr; ++i) d[i] = 0.0f;
      }
    }
  }
}

// Packing A pays when A is large: at 1024^3 and beyond, packed panels are ~5% faster for A.B and ~50% faster for
// A^T.B (in place, each k step of an A^T tile reads a new line lda floats away, and lda = 1024 puts all of them in
// one L1 set). Up to 512^3 and for every MLP product (A <= 100K floats) reading A in place is 5-20% faster, because
// packing costs a pass over A that only a few B panels amortise. Measured on Zen 3 with gemm-bench --cpu-time.
bool want_pack_a(const GemmArgs& g, size_t nr) noexcept {
  if (g.n <= 2 * nr) return false;  // at most two B panels read A: nothing to amortise packing over
  // A beyond 2 MiB; A^T beyond 512 KiB (the L2), since its in-place reads jump lda floats per k step (512^3 A^T.B:
  // packed ~84 GFLOP/s, in place ~77)
  return g.m * g.k > (g.trans_a ? 128 : 512) * size_t(1024);
}

// Reading op(B) in place (the table's ukernel_b) instead of packing it, where packing does not pay: few rows of C
// to reuse each packed panel for (m <= 512), a small B (at most kPrivateB floats), and rows of B not 4 KiB apart
// (then every row of a panel would fall in one L1 set). Measured 2026-12-03 on Zen 4 (node loops, median call,
// alternated): 2 threads (128,784,128) X.W 188-191 -> 201-202 GFLOP/s, (128,128,64) 144-177 -> 183-187, 256^3
// 207-213 -> 219-221; 1 thread +1-2% on those; (1000,784,128) unchanged, and A^T.B (784,128,128) 1.5% slower on
// 1 thread, hence m <= 512. The tile's sums are the same, bit for bit (gemm-test gemm_in_place_b_bitwise).

constexpr size_t kPrivateB = size_t(512) << 10;  // floats of packed B each thread packs for itself (2 MiB) or less

bool in_place_b(const GemmKernels& kern, const GemmArgs& g) noexcept {
  return kern.ukernel_b && !g.trans_b && g.m <= 512 && g.k * g.n <= kPrivateB && g.ldb % 1024 != 0;
}

// The table's blocking, or the defaults above.
size_t block_mc(const GemmKernels& kern) noexcept { return kern.mc ? kern.mc : kMC; }
size_t block_kc(const GemmKernels& kern) noexcept { return kern.kc ? kern.kc : kKC; }
size_t block_nc(const GemmKernels& kern) noexcept { return kern.nc ? kern.nc : kNC; }

// Splits k into near-equal blocks of at most KC (784 -> 4 x 196 rather than 3 x 256 + 16).
size_t k_block(size_t k, size_t kc) noexcept {
  const size_t blocks = (k + kc - 1) / kc;
  return (k + blocks - 1) / blocks;
}

// Narrow outputs (n <= kern.narrow_nr) on the ISA's narrow kernel: row blocks of narrow_mr over all of k. A^T and
// B are read in place; B^T (n x k) is first copied to a k x n block, A's row blocks are gathered by the kernel.
bool gemm_narrow(const GemmKernels& kern, const GemmArgs& g) noexcept {
  Workspace& ws = workspace();
  if (!g.trans_a && !reserve(ws.a, ws.a_cap, kern.narrow_mr * g.k)) return false;
  const float* b = g.b;
  size_t rs_b = g.ldb;
  if (g.trans_b) {
    if (!reserve(ws.b, ws.b_cap, g.k * g.n)) return false;
    for (size_t p = 0; p < g.k; ++p)
      for (size_t j = 0; j < g.n; ++j) ws.b[p * g.n + j] = g.b[j * g.ldb + p];
    b = ws.b;
    rs_b = g.n;
  }
  const GemmTileParams tp = tile_params(g);
  const size_t rs_a = g.trans_a ? 1 : g.lda, cs_a = g.trans_a ? g.lda : 1;
  for (size_t i0 = 0; i0 < g.m; i0 += kern.narrow_mr) {
    const size_t mm = std::min(kern.narrow_mr, g.m - i0);
    float* c = g.c + i0 * g.ldc;
    kern.narrow(mm, g.n, g.k, g.a + i0 * rs_a, rs_a, cs_a, b, rs_b, c, g.ldc, ws.a, tp);
    if (row_act(g.ep.act))
      for (size_t i = 0; i < mm; ++i) apply_row_act(g.ep.act, g.n, c + i * g.ldc);
  }
  return true;
}

// Loops 3-1 for rows [ic, ic + mc) of C (at most one MC block) against one packed B block, op(B)[pc:pc+kc,
// jc:jc+nc] in NR-wide panels at `bp` (pack_b's layout): A's rows are packed into `apack` first when packed_a.
// bp == nullptr: op(B) is read in place by kern.ukernel_b (in_place_b).
void block_rows(const GemmKernels& kern, const GemmArgs& g, size_t ic, size_t mc, size_t pc, size_t kc, size_t jc,
                size_t nc, const float* bp, bool packed_a, float* apack) noexcept {
  const size_t mr = kern.mr, nr = kern.nr;
  const bool last_k = pc + kc == g.k;
  const bool late_act = last_k && row_act(g.ep.act);
  GemmTileParams tp = k_block_params(tile_params(g), pc, kc, g.k);
  const float* const bias = tp.bias;  // g.ep.bias on the last k block, else nullptr
  if (packed_a) pack_a(kern, g, ic, mc, pc, kc, apack);
  for (size_t jr = 0; jr < nc; jr += nr) {  // loop 2
    const size_t nn = std::min(nr, nc - jr);
    const float* panel = bp ? bp + (jr / nr) * kc * nr : g.b + pc * g.ldb + jc + jr;
    float* c_col = g.c + ic * g.ldc + jc + jr;
    tp.bias = bias ? bias + jc + jr : nullptr;
    for (size_t ir = 0; ir < mc; ir += mr) {  // loop 1
      const size_t mm = std::min(mr, mc - ir);
      float* c = c_col + ir * g.ldc;
      const float* a = packed_a ? apack + (ir / mr) * kc * mr
                       : !g.trans_a ? g.a + (ic + ir) * g.lda + pc
                                    : g.a + pc * g.lda + ic + ir;
      const size_t rs_a = packed_a ? 1 : !g.trans_a ? g.lda : 1, cs_a = packed_a ? mr : !g.trans_a ? 1 : g.lda;
      if (bp) kern.ukernel(mm, nn, kc, a, rs_a, cs_a, panel, c, g.ldc, tp);
      else kern.ukernel_b(mm, nn, kc, a, rs_a, cs_a, panel, g.ldb, c, g.ldc, tp);
      if (late_act)
        for (size_t i = 0; i < mm; ++i) apply_row_act(g.ep.act, nn, c + i * g.ldc);
    }
  }
}

// One thread's GEMM on (a sub-problem of) the arguments. Returns false when the workspace could not be allocated.
bool gemm_serial(const GemmKernels& kern, const GemmArgs& g) noexcept {
  if (g.m == 0 || g.n == 0) return true;
  if (g.k == 0 || g.alpha == 0.0f) {
    epilogue_only(g);
    return true;
  }
  if (kern.narrow && g.n <= kern.narrow_nr) return gemm_narrow(kern, g);
  const size_t mr = kern.mr, nr = kern.nr;
  const size_t mc_blk = block_mc(kern), nc_blk = block_nc(kern);
  const size_t kc_max = k_block(g.k, block_kc(kern));
  const size_t nc_max = std::min(nc_blk, (g.n + nr - 1) / nr * nr);
  const bool packed_a = want_pack_a(g, nr);
  const bool inplace = in_place_b(kern, g);  // then B needs no buffer
  Workspace& ws = workspace();
  if (!inplace && !reserve(ws.b, ws.b_cap, kc_max * nc_max)) return false;
  if (packed_a && !reserve(ws.a, ws.a_cap, kc_max * ((std::min(mc_blk, g.m) + mr - 1) / mr * mr))) return false;

  for (size_t jc = 0; jc < g.n; jc += nc_blk) {  // loop 5
    const size_t nc = std::min(nc_blk, g.n - jc);
    for (size_t pc = 0; pc < g.k; pc += kc_max) {  // loop 4
      const size_t kc = std::min(kc_max, g.k - pc);
      if (!inplace) pack_b(kern, g, pc, kc, jc, nc, ws.b);
      for (size_t ic = 0; ic < g.m; ic += mc_blk)  // loop 3
        block_rows(kern, g, ic, std::min(mc_blk, g.m - ic), pc, kc, jc, nc, inplace ? nullptr : ws.b, packed_a, ws.a);
    }
  }
  return true;
}

// ---- The parallel driver: B packed once (shared) or once per thread (private), rows of C claimed as they free up ----
//
// Why not a fixed split (each thread the serial loops on its half of M or N, as before): each thread then packed
// all of B (or A) for itself, and a thread that the OS (or the hypervisor) took off its core for a while held the
// whole call back, since its half waited for it. On this 2-vCPU host that is the common case, not the exception: at
// 1024^3 the median 2-thread call ran at 1.44x one thread while the best ran at 1.9x. Here op(B)[:, jc block] is
// packed once, in all its k blocks, by whichever threads are running (units of a few panels claimed from a
// counter); then units of rows (all of k for each, so a unit's C rows are finished by one thread and no thread
// waits between k blocks) are claimed from per-thread ranges (ClaimCounter below). A thread waits only for units
// another thread has claimed and not yet finished (after packing, and before the next jc block overwrites the shared
// B), never for one nobody has started: the caller claims whatever is left (runtime/threadpool.cc runs unclaimed
// ranges on the caller too). Every C element goes through one FMA chain over the same k blocks as in gemm_serial
// (the tile heights may differ from its, which does not change any element's sums), so the result is bitwise the
// same as on one thread.
//
// Private B (packed B of at most kPrivateB floats): each thread that claims a row unit packs the whole B block for
// itself first, and nobody waits for anybody. Sharing a small packed B costs more than packing it twice: the packing
// barrier, and every thread reading the panels another core wrote. Measured on Zen 4 (2 vCPUs under KVM; node loops
// of 1.5 s per variant, alternated, 2 rounds, median call): (128,784,128) X.W 153-166 GFLOP/s shared -> 194-195
// private, (128,128,64) 111-136 -> 165-172, 256^3 173-180 -> 192-206, (1000,784,128) 197 -> 185-192 (within its
// spread), 1024^3 164-167 -> 157-173, hence left shared (also to bound the per-thread workspace). A late worker
// that finds no row unit left packs nothing.

constexpr size_t kSharedB = size_t(2) << 20;  // floats of packed B shared per jc block (8 MiB, a quarter of L3)
constexpr size_t kPackPanels = 2;             // B panels per packing unit ((128,784,128): 6 units, 3 each)
constexpr size_t kUnitsPerThread = 8;         // row units per thread (load balance vs re-reading B per unit;
                                              // a unit is at least one MR tile, at most an MC block)

inline void spin_pause(unsigned& spins) noexcept {
  if (++spins < 256) {
#if defined(__x86_64__) || defined(_M_X64)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
  } else {
    std::this_thread::yield();  // the thread we wait for may need this core (more threads than cores)
  }
}

inline void wait_count(const std::atomic<size_t>& done, size_t target) noexcept {
  unsigned spins = 0;
  while (done.load(std::memory_order_acquire) < target) spin_pause(spins);
}

struct SharedPlan {
  size_t kc_max, kblocks, nc_par, jblocks, rows_u, t, per_thread;
  bool packed_a;
};

SharedPlan shared_plan(const GemmKernels& kern, const GemmArgs& g, size_t t) noexcept {
  SharedPlan p{};
  const size_t mr = kern.mr, nr = kern.nr;
  p.kc_max = k_block(g.k, block_kc(kern));
  p.kblocks = (g.k + p.kc_max - 1) / p.kc_max;
  p.nc_par = std::max(nr, kSharedB / g.k / nr * nr);
  p.nc_par = std::min(p.nc_par, (g.n + nr - 1) / nr * nr);
  p.jblocks = (g.n + p.nc_par - 1) / p.nc_par;
  const size_t want = (g.m + t * kUnitsPerThread - 1) / (t * kUnitsPerThread);
  p.rows_u = std::min(std::max((want + mr - 1) / mr * mr, mr), std::max(mr, block_mc(kern) / mr * mr));
  p.t = std::min(t, (g.m + p.rows_u - 1) / p.rows_u);
  p.per_thread = ((g.m + p.t - 1) / p.t + p.rows_u - 1) / p.rows_u;
  // A is packed where one thread's share of it, in whole tiles, would be (the choice the fixed split made:
  // (1000,784,128) X.W reads A in place; 1024^3 packs it, as 43 tiles x 1024 floats > 512K: in place, the 12 rows
  // of a tile, 4 KiB apart, fall in one L1 set).
  GemmArgs share = g;
  share.m = ((g.m + mr - 1) / mr + t - 1) / t * mr;
  p.packed_a = want_pack_a(share, nr);
  return p;
}

// Units are handed out from per-thread ranges. Thread i owns rows [m i / t, m (i + 1) / t) of C, cut into units of
// rows_u rows from its first row (the last one shorter), and claims them from its own counter, a line no other core
// writes while it has work; then it helps the others from theirs. Why:
// - Equal rows per thread, not whole tiles: the MLP's 128-row batches are 11 tiles of 12 rows, which 2 threads
//   shared as 6 and 5 (72 and 56 rows, or 68 and 60); now 64 and 64, each ending in a 4-row tile. Every C element
//   gets the same sums in any tile height (one FMA chain per element over the same k blocks), so the result is
//   still bitwise one thread's (gemm-test gemm_threads_match_one_thread_bitwise).
// - One shared claim counter moved a cache line between the cores at every claim (~0.1-0.2 us on this KVM guest,
//   against ~1 us for a 12x64 tile over k = 128).
// Unit u of a jc block belongs to thread u / per_thread; thread v's units are [next, end) with next starting at
// v per_thread and end = v per_thread + its range's unit count, so a range shorter than the others (m = 121 on 2
// threads: 60 and 61 rows) has no empty unit. `end` is set before the threads start and only read after.
struct alignas(64) ClaimCounter {
  std::atomic<size_t> next{0};
  size_t end = 0;
};

// A jc block's own counters, on a line of their own.
struct alignas(64) BlockCounters {
  std::atomic<size_t> pack_claimed{0}, pack_done{0}, units_done{0};
};

// Per jc block: its BlockCounters, then one ClaimCounter per thread. Up to 4 blocks of up to 4 threads live on the
// stack (2048^3 has 2 blocks; an allocation per call would show on the MLP products, ~20 us each), more on the heap.
class CallCounters {
 public:
  CallCounters(size_t jblocks, size_t t) : t_(t) {
    if (jblocks > kStackBlocks || t > kStackThreads) {
      heap_blocks_.reset(new BlockCounters[jblocks]);
      heap_claims_.reset(new ClaimCounter[jblocks * t]);
    }
  }
  BlockCounters& block(size_t j) noexcept { return heap_blocks_ ? heap_blocks_[j] : blocks_[j]; }
  ClaimCounter* claims(size_t j) noexcept { return (heap_claims_ ? heap_claims_.get() : claims_) + j * t_; }

 private:
  static constexpr size_t kStackBlocks = 4, kStackThreads = 4;
  size_t t_;
  BlockCounters blocks_[kStackBlocks];
  ClaimCounter claims_[kStackBlocks * kStackThreads];
  std::unique_ptr<BlockCounters[]> heap_blocks_;
  std::unique_ptr<ClaimCounter[]> heap_claims_;
};

void gemm_shared(const GemmKernels& kern, const GemmArgs& g, const SharedPlan& p, bool private_b) {
  const size_t nr = kern.nr, t = p.t;
  Workspace& caller = workspace();
  const size_t nc_pad_max = (p.nc_par + nr - 1) / nr * nr;
  const size_t a_floats = p.kc_max * p.rows_u;
  const bool in_place = private_b && in_place_b(kern, g);  // then no thread needs a B buffer
  if (!in_place && !reserve(caller.b, caller.b_cap, g.k * nc_pad_max)) throw std::bad_alloc();
  if (p.packed_a && !reserve(caller.a, caller.a_cap, a_floats)) throw std::bad_alloc();
  float* const shared_b = caller.b;
  CallCounters counters(p.jblocks, t);
  size_t total = 0;  // row units per jc block
  for (size_t v = 0; v < t; ++v) {
    // Thread v's rows [m v / t, m (v + 1) / t), in units of rows_u: at most per_thread of them.
    const size_t units = (g.m * (v + 1) / t - g.m * v / t + p.rows_u - 1) / p.rows_u;
    total += units;
    for (size_t j = 0; j < p.jblocks; ++j) {
      ClaimCounter& cc = counters.claims(j)[v];
      cc.next.store(v * p.per_thread, std::memory_order_relaxed);
      cc.end = v * p.per_thread + units;
    }
  }
  parallel_for(
      t,
      [&](size_t begin, size_t end, size_t) {
        if (begin == end) return;
        const size_t me = begin;  // one range per thread: range i is [i, i + 1)
        Workspace& mine = workspace();
        // A worker that cannot get its A buffer still packs B; the caller (whose buffer is reserved above) and
        // any other thread do the rows.
        const bool rows_ok = (!p.packed_a || reserve(mine.a, mine.a_cap, a_floats)) &&
                             (!private_b || in_place || reserve(mine.b, mine.b_cap, g.k * nc_pad_max));
        for (size_t j = 0; j < p.jblocks; ++j) {
          BlockCounters& bc = counters.block(j);
          ClaimCounter* const uc = counters.claims(j);
          const size_t jc = j * p.nc_par, nc = std::min(p.nc_par, g.n - jc);
          const size_t panels = (nc + nr - 1) / nr, nc_pad = panels * nr;
          const size_t groups = (panels + kPackPanels - 1) / kPackPanels, pack_units = p.kblocks * groups;
          float* const bsrc = private_b ? mine.b : shared_b;
          auto pack_unit = [&](size_t u) {
            const size_t q = u / groups, p0 = (u % groups) * kPackPanels;
            const size_t pc = q * p.kc_max, kc = std::min(p.kc_max, g.k - pc);
            const size_t cols = std::min(kPackPanels * nr, nc - p0 * nr);
            pack_b(kern, g, pc, kc, jc + p0 * nr, cols, bsrc + pc * nc_pad + p0 * kc * nr);
          };
          // The next unit: from this thread's range first, then from the others' (a thread that never showed up,
          // or was taken off its core, leaves its units to whoever is running).
          auto claim = [&](size_t& u) {
            for (size_t d = 0; d < t; ++d) {
              ClaimCounter& cc = uc[(me + d) % t];
              if (cc.next.load(std::memory_order_relaxed) >= cc.end) continue;
              if ((u = cc.next.fetch_add(1, std::memory_order_relaxed)) < cc.end) return true;
            }
            return false;
          };
          if (!private_b) {
            for (size_t u; (u = bc.pack_claimed.fetch_add(1, std::memory_order_relaxed)) < pack_units;) {
              pack_unit(u);
              bc.pack_done.fetch_add(1, std::memory_order_release);
            }
            wait_count(bc.pack_done, pack_units);
          }
          if (rows_ok) {
            bool packed = !private_b || in_place;
            for (size_t u; claim(u);) {
              const size_t owner = u / p.per_thread, q = u % p.per_thread;
              const size_t ic = g.m * owner / t + q * p.rows_u, stop = g.m * (owner + 1) / t;
              if (!packed) {
                for (size_t v = 0; v < pack_units; ++v) pack_unit(v);
                packed = true;
              }
              const size_t mc = std::min(p.rows_u, stop - ic);
              for (size_t pc = 0; pc < g.k; pc += p.kc_max)
                block_rows(kern, g, ic, mc, pc, std::min(p.kc_max, g.k - pc), jc, nc,
                           in_place ? nullptr : bsrc + pc * nc_pad, p.packed_a, mine.a);
              bc.units_done.fetch_add(1, std::memory_order_release);
            }
          }
          // The next block's packing overwrites shared_b.
          if (!private_b && j + 1 < p.jblocks) wait_count(bc.units_done, total);
        }
      },
      t);
}

}  // namespace

void gemm_run(const GemmKernels& table, const GemmArgs& g, size_t threads) {
  if (g.m == 0 || g.n == 0) return;
  const bool tall = table.tall && !g.trans_a && g.m >= table.tall_min_m && g.n % table.tall->nr == 0;
  const GemmKernels& kern = tall ? *table.tall : table;
  // Inside a pool task (predict's batches, one per thread) or an InlineScope, parallel_for would run the t ranges one
  // after the other on this thread: each packing its own B (private B) and ending in a short tile (1000 rows as two
  // ranges of 500: 6-row tiles and a 2-row one each). One thread's plan instead: B packed once, one short tile.
  // Measured on the Intel Xeon host (perf, predict of the 10,000 test images, 2 threads): pack_b 1.4% of the cycles.
  size_t t = threads ? threads : in_parallel_job() ? 1 : get_threads();
  const double flops = 2.0 * static_cast<double>(g.m) * static_cast<double>(g.n) * static_cast<double>(g.k);
  t = std::min(t, static_cast<size_t>(std::max(1.0, flops / kMinFlopsPerThread)));
  if (g.skip_zeros != GemmArgs::ZeroSkip::off && gemm_skip_zeros(kern, g, k_block(g.k, block_kc(kern)), t)) return;
  // Split the larger dimension (in whole tiles) so that every thread gets at least two tiles along it; narrow
  // outputs (gemm_narrow) split along M in its row blocks, one or more per thread: those blocks are all of k and
  // equal but for the last, and AVX-512's are 32 rows, so (64,128,10) X^T.dY has only two.
  const bool narrow = kern.narrow && g.n <= kern.narrow_nr;
  const size_t mr = narrow ? kern.narrow_mr : kern.mr;
  const size_t tiles_n = (g.n + kern.nr - 1) / kern.nr, tiles_m = (g.m + mr - 1) / mr;
  const bool split_n = !narrow && tiles_n * kern.nr >= tiles_m * mr;
  const size_t tiles = split_n ? tiles_n : tiles_m;
  t = std::min(t, std::max<size_t>(1, narrow ? tiles : tiles / 2));
  if (t <= 1 || g.k == 0) {
    if (!gemm_serial(kern, g)) throw std::bad_alloc();
    return;
  }
  if (!narrow && g.alpha != 0.0f) {
    const SharedPlan p = shared_plan(kern, g, t);
    if (p.t >= 2) {
      gemm_shared(kern, g, p, g.k * p.nc_par <= kPrivateB);
      return;
    }
  }
  std::atomic<bool> failed{false};
  parallel_for(
      t,
      [&](size_t begin, size_t end, size_t) {
        for (size_t part = begin; part < end; ++part) {
          GemmArgs s = g;
          const size_t lo = tiles * part / t, hi = tiles * (part + 1) / t;
          if (split_n) {
            const size_t j0 = lo * kern.nr, j1 = std::min(g.n, hi * kern.nr);
            s.n = j1 - j0;
            s.b = g.trans_b ? g.b + j0 * g.ldb : g.b + j0;
            s.c = g.c + j0;
            if (g.ep.bias) s.ep.bias = g.ep.bias + j0;
          } else {
            const size_t i0 = lo * mr, i1 = std::min(g.m, hi * mr);
            s.m = i1 - i0;
            s.a = g.trans_a ? g.a + i0 : g.a + i0 * g.lda;
            s.c = g.c + i0 * g.ldc;
          }
          if (!gemm_serial(kern, s)) failed = true;
        }
      },
      t);
  if (failed) throw std::bad_alloc();
}

// Each thread runs FMA chains in windows of about 2 ms for `ms` in total and keeps its fastest window, so that time
// spent descheduled (the cores are shared) does not count; the figure is the sum over threads.
double fma_peak_run(const GemmKernels& kern, double ms, size_t threads) {
  const size_t t = threads ? threads : get_threads();
  std::atomic<uint64_t> kflops{0};  // sum over threads of the best flop/s, in units of 1e3 flop/s
  std::atomic<uint32_t> sink{0};
  parallel_for(
      t,
      [&](size_t begin, size_t end, size_t) {
        using clock = std::chrono::steady_clock;
        for (size_t part = begin; part < end; ++part) {
          const auto start = clock::now();
          const double window = std::min(2e-3, ms * 1e-3);
          size_t chunk = 1000;
          double best = 0.0;
          float s = 0.0f;
          do {
            const auto w0 = clock::now();
            s += kern.fma_burn(chunk);
            const double dt = std::chrono::duration<double>(clock::now() - w0).count();
            best = std::max(best, static_cast<double>(chunk) * kern.fma_flops_per_iter / dt);
            if (dt < window / 2) chunk *= 2;  // grow until a window lasts ~1-2 ms
          } while (std::chrono::duration<double>(clock::now() - start).count() * 1e3 < ms);
          kflops += static_cast<uint64_t>(best / 1e3);
          sink += static_cast<uint32_t>(s != s);  // keeps s (and the FMA chains) alive
        }
      },
      t);
  (void)sink.load();
  return static_cast<double>(kflops.load()) / 1e6;  // 1e3 flop/s units -> GFLOP/s
}

}  // namespace simdnet
