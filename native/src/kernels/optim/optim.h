// Fused, in-place optimizer steps over one parameter tensor w (n floats), its gradient g and its state buffers.
// Per-step scalars (learning rate from the schedule, Adam bias corrections) are computed once per step by the
// caller and passed in. The gradient is read-only unless stated. State buffers start zeroed.
// Semantics follow PyTorch (torch.optim, 2.x) -- see docs/optimizers.md for each exact formula:
//   sgd:       w -= lr * (g + wd*w)
//   momentum:  b = mu*b + (1-dampening)*(g + wd*w)   (PyTorch: first step b = g + wd*w);
//              w -= lr * (nesterov ? (g + wd*w) + mu*b : b).   `first_step` tells the kernel it is step 1.
//   adagrad:   s += g^2;  w -= lr * g / (sqrt(s) + eps)          (initial accumulator value: the caller fills s)
//   rmsprop:   v = rho*v + (1-rho) g^2; centered: a = rho*a + (1-rho) g, den = sqrt(max(v - a^2, 0)) + eps,
//              else den = sqrt(v) + eps (the max only catches float rounding, where PyTorch would give NaN);
//              momentum > 0: buf = momentum*buf + g/den, w -= lr*buf; else w -= lr * g/den
//   adam:      m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; amsgrad: vmax = max(vmax, v), use vmax;
//              w -= lr/bc1 * m / (sqrt(v_used)/sqrt(bc2) + eps)    with bc1 = 1-b1^t, bc2 = 1-b2^t
//              adam's wd is PyTorch's coupled L2 (g += wd*w first); adamw: w *= 1 - lr*wd first, then adam with wd=0.
// Penalties (Keras regularizer semantics: loss += l1*sum|w| + l2*sum w^2):
//   add_penalty_grad: g += l1*sign(w) + 2*l2*w  (sign(0) = 0); penalty_value returns l1*sum|w| + l2*sum w^2.
// Clipping: clip_value clamps g into [-c, c] in place (NaN stays NaN, as torch.clamp); clip by global norm =
// sum_squares over all grads (reduce.h), then scale_inplace(g, clip_norm / max(norm, clip_norm)) on each (PyTorch clip_grad_norm_ uses norm + 1e-6).
#pragma once
#include <cstddef>

#include "simd/isa-tables.h"

namespace simdnet {

// beta1/beta2 in double, as PyTorch holds them (Python floats): the update multiplies by float(beta) and adds
// float(1 - beta), and 1 - beta rounded from the double differs from 1 - float(beta) (beta2 = 0.999: 0.001 against
// 0.000999987, 1.3e-5 apart). bc1/bc2 (1 - beta^t) are computed by the caller from the same doubles.
struct AdamArgs {
  float lr;
  double beta1, beta2;
  float eps, weight_decay, bc1, bc2;
  bool amsgrad, decoupled;  // decoupled = AdamW
};

struct OptimKernels {
  void (*sgd)(size_t n, float lr, float wd, float* w, const float* g);
  void (*momentum)(size_t n, float lr, float mu, float dampening, float wd, bool nesterov, bool first_step, float* w,
                   const float* g, float* buf);
  void (*adagrad)(size_t n, float lr, float eps, float wd, float* w, const float* g, float* sum_sq);
  void (*rmsprop)(size_t n, float lr, float rho, float eps, float wd, float momentum, bool centered, float* w,
                  const float* g, float* sq_avg, float* grad_avg /* centered only */, float* buf /* momentum only */);
  void (*adam)(size_t n, const AdamArgs& args, float* w, const float* g, float* m, float* v, float* vmax);
  void (*add_penalty_grad)(size_t n, float l1, float l2, const float* w, float* g);
  double (*penalty_value)(size_t n, float l1, float l2, const float* w);
  void (*clip_value)(size_t n, float clip, float* g);
  void (*scale_inplace)(size_t n, float s, float* x);
};

SIMDNET_ISA_TABLES(OptimKernels, optim_kernels)  // scalar::, avx2::, avx512::, neon::optim_kernels

const OptimKernels& optim();  // dispatched table (dispatch/optim.cc)

}  // namespace simdnet
