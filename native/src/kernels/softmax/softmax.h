// Row softmax with temperature T > 0 over an m x n row-major matrix (leading dimension n).
//   forward:  y[r,j] = exp((x[r,j] - max_r)/T) / sum_j exp((x[r,j] - max_r)/T)    (stable; y may alias x)
//   backward: dx[r,j] = y[r,j] * (dy[r,j] - sum_k dy[r,k]*y[r,k]) / T                (vector-Jacobian product)
// A row with a NaN gives NaN in that row; +/-Inf inputs follow the IEEE result of the stable formula.
#pragma once
#include <cstddef>

#include "simd/isa-tables.h"

namespace simdnet {

struct SoftmaxKernels {
  void (*forward)(size_t m, size_t n, float temperature, const float* x, float* y);
  void (*backward)(size_t m, size_t n, float temperature, const float* y, const float* dy, float* dx);
};

SIMDNET_ISA_TABLES(SoftmaxKernels, softmax_kernels)  // scalar::, avx2::, avx512::, neon::softmax_kernels

const SoftmaxKernels& softmax();  // dispatched table (dispatch/softmax.cc)

}  // namespace simdnet
