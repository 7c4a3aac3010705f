// Element-wise activations, forward and derivative (contract shared by every ISA).
//
//   forward:  y[i] = f(x[i])                       (in place allowed: y == x)
//   backward: dx[i] = dy[i] * f'(x[i])             (x is the pre-activation input, y = f(x) its output; kernels may
//                                                   use either: sigmoid/tanh use y, relu/leaky use x. dx may alias dy)
// sigmoid: 1/(1+exp(-x)), never NaN/Inf for finite x (evaluated as exp(-|x|) based form); tanh; relu: max(x,0) but
// NaN stays NaN; leaky_relu: x>0 ? x : alpha*x (NaN stays NaN); linear: identity.
// Derivatives: relu'(0) = 0 (PyTorch), leaky'(0) = alpha; a NaN x gives a NaN dx for relu/leaky_relu.
// Accuracy (AVX2/AVX-512/NEON, simd/vec-math.inc): sigmoid <= ~2.6 ulp, tanh <= ~1.5 ulp; results below FLT_MIN
// flush to 0.
// No alignment assumed; n may be 0; no reads or writes past n.
#pragma once
#include <cstddef>

#include "simd/isa-tables.h"

namespace simdnet {

enum class Act : int { linear = 0, sigmoid = 1, tanh = 2, relu = 3, leaky_relu = 4 };

struct VunaryKernels {
  void (*forward)(Act act, float alpha, size_t n, const float* x, float* y);
  void (*backward)(Act act, float alpha, size_t n, const float* x, const float* y, const float* dy, float* dx);
};

SIMDNET_ISA_TABLES(VunaryKernels, vunary_kernels)  // scalar::, avx2::, avx512::, neon::vunary_kernels

const VunaryKernels& vunary();  // dispatched table (dispatch/vunary.cc)

}  // namespace simdnet
