// Dispatched pooling table (select.h) and the whole-tensor drivers of pool.h: the current ISA's kernels over all rows,
// split into contiguous row ranges on the thread pool (runtime/threadpool.h) when the work pays for the hand-off.
// Forward kernels split the batch*out_h output rows, gradients the batch*in_h input rows; no two ranges write the
// same element, and the results do not depend on the split (each element's sum is formed in one place, in order).
#include <algorithm>
#include <cstddef>
#include <memory>
#include <new>

#include "dispatch/select.h"
#include "kernels/pool/pool.h"
#include "runtime/threadpool.h"

namespace simdnet {

const PoolKernels& pool() {
  return select_table(scalar::pool_kernels, SIMDNET_AVX2_TABLE(pool_kernels), SIMDNET_NEON_TABLE(pool_kernels),
                      SIMDNET_AVX512_TABLE(pool_kernels));
}

namespace {

// Element-window visits per thread below which a split costs more than it saves (a wake-up is a few us; one
// visit is about a cycle per vector).
constexpr double kMinWorkPerThread = 1 << 16;

template <class Fn>
void run_rows(size_t rows, double work, const Fn& fn) {
  if (rows == 0) return;
  size_t t = std::min(get_threads(), rows);
  t = std::min(t, static_cast<size_t>(std::max(1.0, work / kMinWorkPerThread)));
  if (t <= 1) {
    fn(0, rows);
    return;
  }
  parallel_for(rows, [&](size_t begin, size_t end, size_t) { if (begin < end) fn(begin, end); }, t);
}

double forward_work(const Pool2d& g) {
  return static_cast<double>(g.batch) * static_cast<double>(g.out_h) * static_cast<double>(g.out_w) *
         static_cast<double>(g.channels) * static_cast<double>(std::min(g.filter_h, g.in_h)) *
         static_cast<double>(std::min(g.filter_w, g.in_w));
}

}  // namespace

void max_pool(const Pool2d& g, const float* x, float* y) {
  const PoolKernels& k = pool();
  run_rows(g.batch * g.out_h, forward_work(g),
           [&](size_t r0, size_t r1) { k.max_rows(g, r0, r1, x, y, nullptr); });
}

void avg_pool(const Pool2d& g, const float* x, float* y) {
  const PoolKernels& k = pool();
  run_rows(g.batch * g.out_h, forward_work(g), [&](size_t r0, size_t r1) { k.avg_rows(g, r0, r1, x, y); });
}

void max_pool_grad(const Pool2d& g, const float* x, const float* dy, float* dx) {
  const PoolKernels& k = pool();
  const size_t outs = g.batch * g.out_h * g.out_w * g.channels;
  std::unique_ptr<float[]> pos(outs ? new float[outs] : nullptr);  // throws std::bad_alloc
  if (outs > 0)  // (with no outputs every dx is 0: the gather below finds no windows and never reads pos)
    run_rows(g.batch * g.out_h, forward_work(g),
           [&](size_t r0, size_t r1) { k.max_rows(g, r0, r1, x, nullptr, pos.get()); });
  // Each input element gathers about ceil(fh/sh)*ceil(fw/sw) windows.
  const double per = static_cast<double>((g.filter_h + g.stride_h - 1) / g.stride_h) *
                     static_cast<double>((g.filter_w + g.stride_w - 1) / g.stride_w);
  const double work = static_cast<double>(g.batch * g.in_h * g.in_w * g.channels) * per;
  run_rows(g.batch * g.in_h, work, [&](size_t r0, size_t r1) { k.max_grad_rows(g, r0, r1, pos.get(), dy, dx); });
}

void avg_pool_grad(const Pool2d& g, const float* dy, float* dx) {
  const PoolKernels& k = pool();
  const double per = static_cast<double>((g.filter_h + g.stride_h - 1) / g.stride_h) *
                     static_cast<double>((g.filter_w + g.stride_w - 1) / g.stride_w);
  const double work = static_cast<double>(g.batch * g.in_h * g.in_w * g.channels) * per;
  run_rows(g.batch * g.in_h, work, [&](size_t r0, size_t r1) { k.avg_grad_rows(g, r0, r1, dy, dx); });
}

}  // namespace simdnet
