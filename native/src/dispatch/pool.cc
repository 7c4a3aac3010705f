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

// Element-window visits per thread below which a split costs more than it saves. Measured on the 2-core Zen 4 host
// (shared, load ~2): the MNIST CNN's first pooling layer (32x28x28x8, 2x2/2: 200k visits) ran no faster and often
// slower on 2 threads than on 1 (MaxPool ~0.05-0.06 ms, MaxPoolGrad ~0.22-0.55 ms either way), so a thread gets at
// least 128k visits (~30-60 us of work).
constexpr double kMinWorkPerThread = 1 << 17;

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

// No windows at all (an empty output): every gradient is 0. Returned early so that the kernels' per-row walks over
// the output columns never meet an output extent that no tensor backs (out_w may be huge when out_h or channels is 0).
void zero_fill(const Pool2d& g, float* dx) {
  std::fill(dx, dx + g.batch * g.in_h * g.in_w * g.channels, 0.0f);
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
  if (outs == 0) return zero_fill(g, dx);
  std::unique_ptr<float[]> pos(new float[outs]);  // throws std::bad_alloc
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
  if (g.batch * g.out_h * g.out_w * g.channels == 0) return zero_fill(g, dx);
  const double per = static_cast<double>((g.filter_h + g.stride_h - 1) / g.stride_h) *
                     static_cast<double>((g.filter_w + g.stride_w - 1) / g.stride_w);
  const double work = static_cast<double>(g.batch * g.in_h * g.in_w * g.channels) * per;
  run_rows(g.batch * g.in_h, work, [&](size_t r0, size_t r1) { k.avg_grad_rows(g, r0, r1, dy, dx); });
}

}  // namespace simdnet
