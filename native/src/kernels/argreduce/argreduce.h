// Max, Min, ArgMax and ArgMin of an m x n row-major block, along the last axis (rows: one result per row) or along
// axis 0 (cols: one result per column, the bias-gradient layout where tfjs-backend-cpu transposes first).
//
//   rows(e, m, n, x, vals, idx): for each row r < m, over x[r*n .. r*n + n)
//   cols(e, m, n, x, vals, idx): for each column j < n, over x[j], x[n + j], .., x[(m-1)*n + j]
// vals (float) and idx (int32) are each optional (nullptr: not written). n >= 1 for rows, m >= 1 for cols.
//
// Semantics are tfjs-backend-cpu's (Max_impl.js, Min.js, ArgMax.js, ArgMin.js):
//   value:  NaN when any element is NaN, else the maximum (minimum);
//   index:  the first element is the starting best and an element replaces it only when strictly greater (smaller),
//           so NaN elements are skipped, a NaN first element gives index 0, and ties give the first index.
#pragma once
#include <cstddef>
#include <cstdint>

#include "simd/isa-tables.h"

namespace simdnet {

enum class Extreme : int { max = 0, min = 1 };

struct ArgreduceKernels {
  void (*rows)(Extreme e, size_t m, size_t n, const float* x, float* vals, int32_t* idx);
  void (*cols)(Extreme e, size_t m, size_t n, const float* x, float* vals, int32_t* idx);
};

SIMDNET_ISA_TABLES(ArgreduceKernels, argreduce_kernels)  // scalar::, avx2::, avx512::, neon::argreduce_kernels

const ArgreduceKernels& argreduce();  // dispatched table (dispatch/argreduce.cc)

}  // namespace simdnet
