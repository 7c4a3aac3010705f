// Max/Min/ArgMax/ArgMin, scalar reference path (contract: argreduce.h): tfjs-backend-cpu's loops, one per output.
// The fallback without AVX2+FMA and the ground truth for test/native/argreduce-test.cc.
#include <cstddef>
#include <cstdint>

#include "kernels/argreduce/argreduce.h"

namespace simdnet::scalar {
namespace {

inline bool better(Extreme e, float x, float best) { return e == Extreme::max ? x > best : x < best; }

// One reduction over count elements at x[0], x[stride], ..: tfjs's value loop and its index loop.
void reduce_one(Extreme e, size_t count, size_t stride, const float* x, float* val, int32_t* idx) {
  float v = x[0], best = x[0];
  int32_t at = 0;
  for (size_t i = 0; i < count; ++i) {
    const float u = x[i * stride];
    if (u != u || better(e, u, v)) v = u;
    if (better(e, u, best)) {
      best = u;
      at = static_cast<int32_t>(i);
    }
  }
  if (val) *val = v;
  if (idx) *idx = at;
}

void f32_argreduce_rows_ukernel__scalar(Extreme e, size_t m, size_t n, const float* x, float* vals,
                                        int32_t* idx) noexcept {
  if (n == 0) return;
  for (size_t r = 0; r < m; ++r) reduce_one(e, n, 1, x + r * n, vals ? vals + r : nullptr, idx ? idx + r : nullptr);
}

// Columns in blocks of 64, rows outer: each row of the block is read contiguously (one column at a time would
// stride through memory n floats apart). The same per-column loop as reduce_one, state on the stack.
void f32_argreduce_cols_ukernel__scalar(Extreme e, size_t m, size_t n, const float* x, float* vals,
                                        int32_t* idx) noexcept {
  if (m == 0) return;
  constexpr size_t kBlock = 64;
  float v[kBlock], best[kBlock];
  int32_t at[kBlock];
  for (size_t j0 = 0; j0 < n; j0 += kBlock) {
    const size_t nb = n - j0 < kBlock ? n - j0 : kBlock;
    for (size_t c = 0; c < nb; ++c) {
      v[c] = best[c] = x[j0 + c];
      at[c] = 0;
    }
    for (size_t r = 1; r < m; ++r) {
      const float* row = x + r * n + j0;
      for (size_t c = 0; c < nb; ++c) {
        const float u = row[c];
        if (u != u || better(e, u, v[c])) v[c] = u;
        if (better(e, u, best[c])) {
          best[c] = u;
          at[c] = static_cast<int32_t>(r);
        }
      }
    }
    for (size_t c = 0; c < nb; ++c) {
      if (vals) vals[j0 + c] = v[c];
      if (idx) idx[j0 + c] = at[c];
    }
  }
}

}  // namespace

const ArgreduceKernels argreduce_kernels = {f32_argreduce_rows_ukernel__scalar, f32_argreduce_cols_ukernel__scalar};

}  // namespace simdnet::scalar
