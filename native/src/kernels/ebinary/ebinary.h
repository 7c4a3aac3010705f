// Element-wise binary ops with broadcasting of whole rows or single values (the tfjs backend's Add, Sub, Multiply,
// RealDiv, Maximum, Minimum, SquaredDifference and Prelu), plus the per-column affine map of FusedBatchNorm.
//
//   binary:      y[r*n + j] = op(A(r, j), B(r, j)) for r < m, j < n, where an operand is read as
//                  full    a[r*n + j]   (the same shape as y)
//                  row     a[j]         (a trailing row broadcast over the m rows: a Dense layer's bias)
//                  scalar  a[0]
//   affine_rows: y[r*n + j] = (x[r*n + j] - mean[j]) * scale[j] + offset[j]   (scale already holds
//                  scale/sqrt(var + eps), computed by the caller in double)
//
// Semantics are tfjs-backend-cpu's (its JS computes in double and stores once to float32): add, sub, mul and div of
// two floats rounded once are the same in float (the double result rounds to the correctly rounded float), so those
// four are bit for bit tfjs's. max/min give NaN when EITHER side is NaN (Math.max/Math.min; plain SIMD max/min would
// drop one). sqdiff = (a - b)^2 with the difference rounded to float first (<= 1 ulp from tfjs's double form).
// prelu = a < 0 ? b * a : a (b is alpha; a NaN a stays NaN). Sign of zero: max(+0, -0) may give -0 where
// Math.max gives +0.
// Subnormal inputs and results flush to zero under the addon's FTZ/DAZ guard (tfjs keeps them).
// In place allowed (y == a or y == b when that operand is full). No alignment assumed; m or n may be 0.
#pragma once
#include <cstddef>

#include "simd/isa-tables.h"

namespace simdnet {

enum class BinOp : int { add = 0, sub = 1, mul = 2, div = 3, max = 4, min = 5, sqdiff = 6, prelu = 7 };
enum class Operand : int { full = 0, row = 1, scalar = 2 };

struct EbinaryKernels {
  void (*binary)(BinOp op, size_t m, size_t n, const float* a, Operand am, const float* b, Operand bm, float* y);
  void (*affine_rows)(size_t m, size_t n, const float* x, const float* mean, const float* scale, const float* offset,
                      float* y);
};

SIMDNET_ISA_TABLES(EbinaryKernels, ebinary_kernels)  // scalar::, avx2::, avx512::, neon::ebinary_kernels

const EbinaryKernels& ebinary();  // dispatched table (dispatch/ebinary.cc)

}  // namespace simdnet
