// Optimizer steps with TensorFlow.js's semantics (tfjs-core 4.x dist/optimizers/*.js), for the tfjs backend's
// useNativeOptimizers (lib/tfjs/optimizers.ts), where kernels/optim follows PyTorch. Out of place: the step reads the
// weights, gradient and state and writes new ones (outputs may alias their inputs), so the caller can hand tfjs fresh
// arrays without copying first. Each tfjs op is one float32 operation here, in tfjs's order, never fused (tfjs-backend-
// cpu computes each op in double and rounds once: the same correctly rounded float result), so the results are tfjs's
// bit for bit wherever tfjs's own ops are exact in that sense.
//
//   adagrad (AdagradOptimizer):  a' = a + g*g;  w' = w + (g / sqrt(a' + eps)) * (-lr)      eps: the backend's, 1e-7
//   rmsprop (RMSPropOptimizer):  ms' = ms*decay + (g*g)*omd                                   omd = float32(1 - decay)
//       centered:  mg' = mg*decay + g*omd;  c = (g*lr) / sqrt(ms' - (mg'*mg' + eps))  (tfjs SUBTRACTS eps there)
//       plain:     c = (g*lr) / sqrt(ms' + eps)
//       mom' = mom*momentum + c;  w' = w - mom'
// Epsilon sits inside the square root in both, unlike PyTorch's sqrt(a) + eps. mg/mg_out are only read/written when
// centered (may be nullptr otherwise). No alignment assumed; n may be 0.
#pragma once
#include <cstddef>

#include "simd/isa-tables.h"

namespace simdnet {

struct TfRmspropArgs {
  float lr, decay, omd, momentum, eps;
  bool centered;
};

struct TfoptimKernels {
  void (*adagrad)(size_t n, float lr, float eps, const float* w, const float* g, const float* acc, float* w_out,
                  float* acc_out);
  void (*rmsprop)(size_t n, const TfRmspropArgs& args, const float* w, const float* g, const float* ms,
                  const float* mg, const float* mom, float* w_out, float* ms_out, float* mg_out, float* mom_out);
};

SIMDNET_ISA_TABLES(TfoptimKernels, tfoptim_kernels)  // scalar::, avx2::, avx512::, neon::tfoptim_kernels

const TfoptimKernels& tfoptim();  // dispatched table (dispatch/tfoptim.cc)

}  // namespace simdnet
