// Scalar optimizer steps (contract: optim.h): the per-element code of elem.h in plain loops.
#include <cmath>

#include "kernels/optim/elem.h"
#include "kernels/optim/optim.h"

namespace simdnet::scalar {
namespace {

void f32_sgd_ukernel__scalar(size_t n, float lr, float wd, float* w, const float* g) {
  for (size_t i = 0; i < n; ++i) optim_elem::sgd(lr, wd, w[i], g[i]);
}

void f32_momentum_ukernel__scalar(size_t n, float lr, float mu, float dampening, float wd, bool nesterov,
                                  bool first_step, float* w, const float* g, float* buf) {
  const float omd = 1.0f - dampening;
  for (size_t i = 0; i < n; ++i) optim_elem::momentum(lr, mu, omd, wd, nesterov, first_step, w[i], g[i], buf[i]);
}

void f32_adagrad_ukernel__scalar(size_t n, float lr, float eps, float wd, float* w, const float* g, float* sum_sq) {
  for (size_t i = 0; i < n; ++i) optim_elem::adagrad(lr, eps, wd, w[i], g[i], sum_sq[i]);
}

void f32_rmsprop_ukernel__scalar(size_t n, float lr, float rho, float eps, float wd, float momentum, bool centered,
                                 float* w, const float* g, float* sq_avg, float* grad_avg, float* buf) {
  const float omr = 1.0f - rho;
  const bool use_buf = momentum > 0.0f;
  for (size_t i = 0; i < n; ++i)
    optim_elem::rmsprop(lr, rho, omr, eps, wd, momentum, centered, w[i], g[i], sq_avg[i],
                        centered ? &grad_avg[i] : nullptr, use_buf ? &buf[i] : nullptr);
}

void f32_adam_ukernel__scalar(size_t n, const AdamArgs& args, float* w, const float* g, float* m, float* v,
                              float* vmax) {
  const optim_elem::AdamConsts c = optim_elem::adam_consts(args);
  for (size_t i = 0; i < n; ++i) optim_elem::adam(c, w[i], g[i], m[i], v[i], c.amsgrad ? &vmax[i] : nullptr);
}

void f32_add_penalty_grad_ukernel__scalar(size_t n, float l1, float l2, const float* w, float* g) {
  const float two_l2 = 2.0f * l2;
  for (size_t i = 0; i < n; ++i) g[i] += optim_elem::penalty_grad(l1, two_l2, w[i]);
}

double f64_penalty_value_ukernel__scalar(size_t n, float l1, float l2, const float* w) {
  double s1 = 0.0, s2 = 0.0;
  for (size_t i = 0; i < n; ++i) {
    const double x = w[i];
    s1 += std::fabs(x);
    s2 += x * x;
  }
  return static_cast<double>(l1) * s1 + static_cast<double>(l2) * s2;
}

void f32_clip_value_ukernel__scalar(size_t n, float clip, float* g) {
  for (size_t i = 0; i < n; ++i) g[i] = optim_elem::clip(clip, g[i]);
}

void f32_scale_ukernel__scalar(size_t n, float s, float* x) {
  for (size_t i = 0; i < n; ++i) x[i] *= s;
}

}  // namespace

const OptimKernels optim_kernels = {
    f32_sgd_ukernel__scalar,
    f32_momentum_ukernel__scalar,
    f32_adagrad_ukernel__scalar,
    f32_rmsprop_ukernel__scalar,
    f32_adam_ukernel__scalar,
    f32_add_penalty_grad_ukernel__scalar,
    f64_penalty_value_ukernel__scalar,
    f32_clip_value_ukernel__scalar,
    f32_scale_ukernel__scalar,
};

}  // namespace simdnet::scalar
