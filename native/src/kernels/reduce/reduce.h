// Reductions (accumulate in double or in float lanes with a final double sum; documented per kernel file).
//   col_sum:    out[j] = (accumulate ? out[j] : 0) + sum_r x[r*ldx + j]   for an m x n block (bias gradient)
//   row_argmax: out[r] = first index of the maximum of row r (NaN rows give the index of the first NaN; n = 0 gives -1)
//   sum, sum_squares over n elements; mean = sum / n (n = 0 gives NaN for mean, 0 for the others).
//   first_nonfinite: the index of the first infinite or NaN element of x[0..n), or n when all are finite; with
//                    copy != nullptr it also copies all of x[0..n) there (copy must not overlap x). The finite check
//                    of fit()'s and evaluate()'s inputs, fused with fit's snapshot copy (lib/engine/snapshot.ts).
#pragma once
#include <cstddef>
#include <cstdint>

#include "simd/isa-tables.h"

namespace simdnet {

struct ReduceKernels {
  void (*col_sum)(size_t m, size_t n, const float* x, size_t ldx, bool accumulate, float* out);
  void (*row_argmax)(size_t m, size_t n, const float* x, size_t ldx, int32_t* out);
  double (*sum)(size_t n, const float* x);
  double (*sum_squares)(size_t n, const float* x);
  size_t (*first_nonfinite)(size_t n, const float* x, float* copy);
};

SIMDNET_ISA_TABLES(ReduceKernels, reduce_kernels)  // scalar::, avx2::, avx512::, neon::reduce_kernels

const ReduceKernels& reduce();  // dispatched table (dispatch/reduce.cc)

}  // namespace simdnet
