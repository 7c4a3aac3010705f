// Reductions, scalar path (contract: reduce.h). col_sum accumulates in float per column (m is a batch size; the SIMD
// paths do the same, so all ISAs agree closely); sum and sum_squares accumulate in double.
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "kernels/reduce/reduce.h"

namespace simdnet::scalar {
namespace {

void f32_col_sum_ukernel__scalar(size_t m, size_t n, const float* x, size_t ldx, bool accumulate, float* out) noexcept {
  if (!accumulate)
    for (size_t j = 0; j < n; ++j) out[j] = 0.0f;
  for (size_t r = 0; r < m; ++r)
    for (size_t j = 0; j < n; ++j) out[j] += x[r * ldx + j];
}

// First index of the maximum; a NaN counts as larger than everything, so the first NaN wins. n == 0 gives -1.
void f32_row_argmax_ukernel__scalar(size_t m, size_t n, const float* x, size_t ldx, int32_t* out) noexcept {
  for (size_t r = 0; r < m; ++r) {
    const float* xr = x + r * ldx;
    int32_t best = n ? 0 : -1;
    for (size_t j = 1; j < n; ++j) {
      const float b = xr[best];
      if (b != b) break;
      if (xr[j] > b || xr[j] != xr[j]) best = static_cast<int32_t>(j);
    }
    out[r] = best;
  }
}

double f64_sum_ukernel__scalar(size_t n, const float* x) noexcept {
  double s = 0.0;
  for (size_t i = 0; i < n; ++i) s += x[i];
  return s;
}

double f64_sum_squares_ukernel__scalar(size_t n, const float* x) noexcept {
  double s = 0.0;
  for (size_t i = 0; i < n; ++i) s += static_cast<double>(x[i]) * x[i];
  return s;
}

size_t first_nonfinite_ukernel__scalar(size_t n, const float* x, float* copy) noexcept {
  size_t bad = n;
  for (size_t i = 0; i < n; ++i) {
    if (copy) copy[i] = x[i];
    if (bad == n && !std::isfinite(x[i])) {
      bad = i;
      if (!copy) break;
    }
  }
  return bad;
}

}  // namespace

const ReduceKernels reduce_kernels = {
    f32_col_sum_ukernel__scalar,
    f32_row_argmax_ukernel__scalar,
    f64_sum_ukernel__scalar,
    f64_sum_squares_ukernel__scalar,
    first_nonfinite_ukernel__scalar,
};

}  // namespace simdnet::scalar
