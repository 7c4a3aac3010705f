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

// The other unary maps of the tfjs backend, y[i] = f(x[i]) with tfjs-backend-cpu's semantics (its JS, per op):
//   relu6 min(max(0, x), 6); elu x >= 0 ? x : expm1(x); selu x >= 0 ? S*x : S*A*expm1(x) (backend_util.SELU_*);
//   step NaN ? NaN : x > 0 ? 1 : p0; exp; log (log(0) = -Inf, log(+Inf) = +Inf, x < 0 NaN); sqrt; rsqrt 1/sqrt(x);
//   square x*x; neg -1*x; abs; clip x > p1 ? p1 : x < p0 ? p0 : x (p0 = min, p1 = max).
// NaN stays NaN in every one (step included). exp overflows to +Inf above ln(FLT_MAX) and underflows to 0 below
// ln(FLT_MIN) (no subnormal results); expm1 is a Taylor polynomial for |x| < ln2/2 so elu/selu keep their relative
// accuracy near 0 (tfjs's exp(x) - 1 in double does too). Accuracy of exp/log/expm1: a few ulp (vec-math.inc).
enum class Umap : int {
  relu6 = 0, elu = 1, selu = 2, step = 3, exp = 4, log = 5, sqrt = 6, rsqrt = 7, square = 8, neg = 9, abs = 10,
  clip = 11
};

struct VunaryKernels {
  void (*forward)(Act act, float alpha, size_t n, const float* x, float* y);
  void (*backward)(Act act, float alpha, size_t n, const float* x, const float* y, const float* dy, float* dx);
  void (*map)(Umap op, float p0, float p1, size_t n, const float* x, float* y);  // in place allowed
};

SIMDNET_ISA_TABLES(VunaryKernels, vunary_kernels)  // scalar::, avx2::, avx512::, neon::vunary_kernels

const VunaryKernels& vunary();  // dispatched table (dispatch/vunary.cc)

}  // namespace simdnet
