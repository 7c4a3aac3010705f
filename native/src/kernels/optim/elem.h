// Per-element optimizer arithmetic shared by scalar.cc (the whole loop) and the SIMD files (their leftovers), so
// a tail element gets exactly the scalar result. `static inline` on purpose (see simd/avx2-begin.h): each TU gets
// its own baseline copy. Formulas: optim.h and docs/optimizers.md.
#pragma once
#include <cmath>
#include <cstddef>

#include "kernels/optim/optim.h"

namespace simdnet::optim_elem {

// Per-step constants of Adam/AdamW, computed once per call in double (PyTorch computes them in Python floats).
struct AdamConsts {
  float lr, b1, one_minus_b1, b2, one_minus_b2, eps, wd, step_size, bc2_sqrt, decay;
  bool coupled_wd, amsgrad;
};
static inline AdamConsts adam_consts(const AdamArgs& a) {
  AdamConsts c;
  c.lr = a.lr;
  c.b1 = static_cast<float>(a.beta1);
  c.one_minus_b1 = static_cast<float>(1.0 - a.beta1);
  c.b2 = static_cast<float>(a.beta2);
  c.one_minus_b2 = static_cast<float>(1.0 - a.beta2);
  c.eps = a.eps;
  c.wd = a.weight_decay;
  c.step_size = static_cast<float>(static_cast<double>(a.lr) / a.bc1);
  c.bc2_sqrt = static_cast<float>(std::sqrt(static_cast<double>(a.bc2)));
  // AdamW (PyTorch): param.mul_(1 - lr * weight_decay) before the Adam step.
  c.decay = a.decoupled ? static_cast<float>(1.0 - static_cast<double>(a.lr) * a.weight_decay) : 1.0f;
  c.coupled_wd = !a.decoupled && a.weight_decay != 0.0f;
  c.amsgrad = a.amsgrad;
  return c;
}

static inline void sgd(float lr, float wd, float& w, float g) {
  const float d = g + wd * w;
  w = w - lr * d;
}

static inline void momentum(float lr, float mu, float one_minus_damp, float wd, bool nesterov, bool first, float& w,
                            float g, float& b) {
  const float d = g + wd * w;
  b = first ? d : mu * b + one_minus_damp * d;
  const float upd = nesterov ? d + mu * b : b;
  w = w - lr * upd;
}

static inline void adagrad(float lr, float eps, float wd, float& w, float g, float& s) {
  const float d = g + wd * w;
  s = s + d * d;
  w = w - lr * (d / (std::sqrt(s) + eps));
}

// Centered: v - a^2 >= 0 in exact arithmetic (Jensen); rounding can make it a hair negative, where PyTorch would
// produce NaN, so it is clamped at 0.
static inline void rmsprop(float lr, float rho, float one_minus_rho, float eps, float wd, float mom, bool centered,
                           float& w, float g, float& v, float* a, float* buf) {
  const float d = g + wd * w;
  v = rho * v + one_minus_rho * (d * d);
  float var = v;
  if (centered) {
    *a = rho * *a + one_minus_rho * d;
    var = v - *a * *a;
    if (!(var > 0.0f)) var = var != var ? var : 0.0f;
  }
  const float den = std::sqrt(var) + eps;
  if (buf) {
    *buf = mom * *buf + d / den;
    w = w - lr * *buf;
  } else {
    w = w - lr * (d / den);
  }
}

static inline void adam(const AdamConsts& c, float& w, float g, float& m, float& v, float* vmax) {
  w = w * c.decay;
  const float d = c.coupled_wd ? g + c.wd * w : g;
  m = c.b1 * m + c.one_minus_b1 * d;
  v = c.b2 * v + c.one_minus_b2 * (d * d);
  float vu = v;
  if (vmax) {
    // torch.maximum: a NaN in either propagates (a diverged v must not leave a stale finite maximum behind)
    if (v > *vmax || v != v) *vmax = v;
    vu = *vmax;
  }
  const float den = std::sqrt(vu) / c.bc2_sqrt + c.eps;
  w = w - c.step_size * (m / den);
}

// l1 * sign(w) + 2 l2 w, sign(0) = 0 (TensorFlow's sign, which Keras's L1 gradient uses).
// Branch-free: on random signs the two branches mispredicted half the time (scalar path 1.8 GB/s against 47 for SGD).
static inline float penalty_grad(float l1, float two_l2, float w) {
  const float s = static_cast<float>(static_cast<int>(w > 0.0f) - static_cast<int>(w < 0.0f));
  return l1 * s + two_l2 * w;
}

// NaN passes through (as torch.clamp does): the comparisons are false for NaN.
static inline float clip(float c, float g) { return g < -c ? -c : (g > c ? c : g); }

}  // namespace simdnet::optim_elem
