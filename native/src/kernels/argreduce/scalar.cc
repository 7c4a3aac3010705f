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

void f32_argreduce_cols_ukernel__scalar(Extreme e, size_t m, size_t n, const float* x, float* vals,
                                        int32_t* idx) noexcept {
  if (m == 0) return;
  for (size_t j = 0; j < n; ++j) reduce_one(e, m, n, x + j, vals ? vals + j : nullptr, idx ? idx + j : nullptr);
}

}  // namespace

const ArgreduceKernels argreduce_kernels = {f32_argreduce_rows_ukernel__scalar, f32_argreduce_cols_ukernel__scalar};

}  // namespace simdnet::scalar
