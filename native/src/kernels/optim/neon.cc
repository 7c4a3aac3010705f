// NEON (AArch64) optimizer steps (contract: optim.h), 4 floats per iteration, leftovers through elem.h so they equal
// the scalar result. vfmaq_f32(a, b, c) = a + b*c; vfmsq_f32(a, b, c) = a - b*c.
#include "simd/arch.h"
#if SIMDNET_ARM64
#include <arm_neon.h>

#include <cmath>

#include "kernels/optim/elem.h"
#include "kernels/optim/optim.h"

namespace simdnet::neon {
namespace {

void f32_sgd_ukernel__neon(size_t n, float lr, float wd, float* w, const float* g) {
  const float32x4_t vlr = vdupq_n_f32(lr), vwd = vdupq_n_f32(wd);
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const float32x4_t vw = vld1q_f32(w + i);
    const float32x4_t d = vfmaq_f32(vld1q_f32(g + i), vwd, vw);
    vst1q_f32(w + i, vfmsq_f32(vw, vlr, d));
  }
  for (; i < n; ++i) optim_elem::sgd(lr, wd, w[i], g[i]);  // leftovers
}

void f32_momentum_ukernel__neon(size_t n, float lr, float mu, float dampening, float wd, bool nesterov,
                                bool first_step, float* w, const float* g, float* buf) {
  const float omd = 1.0f - dampening;
  const float32x4_t vlr = vdupq_n_f32(lr), vmu = vdupq_n_f32(mu), vomd = vdupq_n_f32(omd), vwd = vdupq_n_f32(wd);
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const float32x4_t vw = vld1q_f32(w + i);
    const float32x4_t d = vfmaq_f32(vld1q_f32(g + i), vwd, vw);
    const float32x4_t b = first_step ? d : vfmaq_f32(vmulq_f32(vomd, d), vmu, vld1q_f32(buf + i));
    vst1q_f32(buf + i, b);
    const float32x4_t upd = nesterov ? vfmaq_f32(d, vmu, b) : b;
    vst1q_f32(w + i, vfmsq_f32(vw, vlr, upd));
  }
  for (; i < n; ++i) optim_elem::momentum(lr, mu, omd, wd, nesterov, first_step, w[i], g[i], buf[i]);
}

void f32_adagrad_ukernel__neon(size_t n, float lr, float eps, float wd, float* w, const float* g, float* sum_sq) {
  const float32x4_t vlr = vdupq_n_f32(lr), veps = vdupq_n_f32(eps), vwd = vdupq_n_f32(wd);
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const float32x4_t vw = vld1q_f32(w + i);
    const float32x4_t d = vfmaq_f32(vld1q_f32(g + i), vwd, vw);
    const float32x4_t s = vfmaq_f32(vld1q_f32(sum_sq + i), d, d);
    vst1q_f32(sum_sq + i, s);
    const float32x4_t step = vdivq_f32(d, vaddq_f32(vsqrtq_f32(s), veps));
    vst1q_f32(w + i, vfmsq_f32(vw, vlr, step));
  }
  for (; i < n; ++i) optim_elem::adagrad(lr, eps, wd, w[i], g[i], sum_sq[i]);
}

void f32_rmsprop_ukernel__neon(size_t n, float lr, float rho, float eps, float wd, float momentum, bool centered,
                               float* w, const float* g, float* sq_avg, float* grad_avg, float* buf) {
  const float omr = 1.0f - rho;
  const bool use_buf = momentum > 0.0f;
  const float32x4_t vlr = vdupq_n_f32(lr), vrho = vdupq_n_f32(rho), vomr = vdupq_n_f32(omr),
                    veps = vdupq_n_f32(eps), vwd = vdupq_n_f32(wd), vmom = vdupq_n_f32(momentum),
                    zero = vdupq_n_f32(0.0f);
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const float32x4_t vw = vld1q_f32(w + i);
    const float32x4_t d = vfmaq_f32(vld1q_f32(g + i), vwd, vw);
    const float32x4_t v = vfmaq_f32(vmulq_f32(vomr, vmulq_f32(d, d)), vrho, vld1q_f32(sq_avg + i));
    vst1q_f32(sq_avg + i, v);
    float32x4_t var = v;
    if (centered) {
      const float32x4_t a = vfmaq_f32(vmulq_f32(vomr, d), vrho, vld1q_f32(grad_avg + i));
      vst1q_f32(grad_avg + i, a);
      var = vfmsq_f32(v, a, a);
      // clamp rounding negatives to 0; NaN stays NaN (the compare is false for NaN, so it is selected through)
      var = vbslq_f32(vcltq_f32(var, zero), zero, var);
    }
    const float32x4_t step = vdivq_f32(d, vaddq_f32(vsqrtq_f32(var), veps));
    if (use_buf) {
      const float32x4_t b = vfmaq_f32(step, vmom, vld1q_f32(buf + i));
      vst1q_f32(buf + i, b);
      vst1q_f32(w + i, vfmsq_f32(vw, vlr, b));
    } else {
      vst1q_f32(w + i, vfmsq_f32(vw, vlr, step));
    }
  }
  for (; i < n; ++i)
    optim_elem::rmsprop(lr, rho, omr, eps, wd, momentum, centered, w[i], g[i], sq_avg[i],
                        centered ? &grad_avg[i] : nullptr, use_buf ? &buf[i] : nullptr);
}

void f32_adam_ukernel__neon(size_t n, const AdamArgs& args, float* w, const float* g, float* m, float* v,
                            float* vmax) {
  const optim_elem::AdamConsts c = optim_elem::adam_consts(args);
  const float32x4_t decay = vdupq_n_f32(c.decay), vwd = vdupq_n_f32(c.coupled_wd ? c.wd : 0.0f),
                    b1 = vdupq_n_f32(c.b1), omb1 = vdupq_n_f32(c.one_minus_b1), b2 = vdupq_n_f32(c.b2),
                    omb2 = vdupq_n_f32(c.one_minus_b2), eps = vdupq_n_f32(c.eps),
                    step_size = vdupq_n_f32(c.step_size), bc2_sqrt = vdupq_n_f32(c.bc2_sqrt);
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const float32x4_t vw = vmulq_f32(vld1q_f32(w + i), decay);
    const float32x4_t d = vfmaq_f32(vld1q_f32(g + i), vwd, vw);
    const float32x4_t vm = vfmaq_f32(vmulq_f32(omb1, d), b1, vld1q_f32(m + i));
    float32x4_t vv = vfmaq_f32(vmulq_f32(omb2, vmulq_f32(d, d)), b2, vld1q_f32(v + i));
    vst1q_f32(m + i, vm);
    vst1q_f32(v + i, vv);
    if (c.amsgrad) {
      vv = vmaxq_f32(vld1q_f32(vmax + i), vv);  // FMAX: a NaN in either propagates, as torch.maximum
      vst1q_f32(vmax + i, vv);
    }
    const float32x4_t den = vaddq_f32(vdivq_f32(vsqrtq_f32(vv), bc2_sqrt), eps);
    vst1q_f32(w + i, vfmsq_f32(vw, step_size, vdivq_f32(vm, den)));
  }
  for (; i < n; ++i) optim_elem::adam(c, w[i], g[i], m[i], v[i], c.amsgrad ? &vmax[i] : nullptr);
}

void f32_add_penalty_grad_ukernel__neon(size_t n, float l1, float l2, const float* w, float* g) {
  const float two_l2 = 2.0f * l2;
  const float32x4_t vl2 = vdupq_n_f32(two_l2), zero = vdupq_n_f32(0.0f);
  const uint32x4_t vl1 = vreinterpretq_u32_f32(vdupq_n_f32(l1));
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const float32x4_t vw = vld1q_f32(w + i);
    const float32x4_t pos = vreinterpretq_f32_u32(vandq_u32(vcgtq_f32(vw, zero), vl1));
    const float32x4_t neg = vreinterpretq_f32_u32(vandq_u32(vcltq_f32(vw, zero), vl1));
    const float32x4_t pen = vfmaq_f32(vsubq_f32(pos, neg), vl2, vw);
    vst1q_f32(g + i, vaddq_f32(vld1q_f32(g + i), pen));
  }
  for (; i < n; ++i) g[i] += optim_elem::penalty_grad(l1, two_l2, w[i]);
}

double f64_penalty_value_ukernel__neon(size_t n, float l1, float l2, const float* w) {
  float64x2_t a1 = vdupq_n_f64(0.0), a2 = vdupq_n_f64(0.0);
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const float32x4_t vw = vabsq_f32(vld1q_f32(w + i));
    const float64x2_t lo = vcvt_f64_f32(vget_low_f32(vw)), hi = vcvt_high_f64_f32(vw);
    a1 = vaddq_f64(a1, vaddq_f64(lo, hi));
    a2 = vfmaq_f64(vfmaq_f64(a2, hi, hi), lo, lo);
  }
  double s1 = vgetq_lane_f64(a1, 0) + vgetq_lane_f64(a1, 1), s2 = vgetq_lane_f64(a2, 0) + vgetq_lane_f64(a2, 1);
  for (; i < n; ++i) {
    const double x = w[i];
    s1 += std::fabs(x);
    s2 += x * x;
  }
  return static_cast<double>(l1) * s1 + static_cast<double>(l2) * s2;
}

void f32_clip_value_ukernel__neon(size_t n, float clip, float* g) {
  const float32x4_t hi = vdupq_n_f32(clip), lo = vdupq_n_f32(-clip);
  size_t i = 0;
  for (; i + 4 <= n; i += 4) vst1q_f32(g + i, vminq_f32(hi, vmaxq_f32(lo, vld1q_f32(g + i))));  // NaN propagates
  for (; i < n; ++i) g[i] = optim_elem::clip(clip, g[i]);
}

void f32_scale_ukernel__neon(size_t n, float s, float* x) {
  size_t i = 0;
  for (; i + 4 <= n; i += 4) vst1q_f32(x + i, vmulq_n_f32(vld1q_f32(x + i), s));
  for (; i < n; ++i) x[i] *= s;
}

}  // namespace

const OptimKernels optim_kernels = {
    f32_sgd_ukernel__neon,
    f32_momentum_ukernel__neon,
    f32_adagrad_ukernel__neon,
    f32_rmsprop_ukernel__neon,
    f32_adam_ukernel__neon,
    f32_add_penalty_grad_ukernel__neon,
    f64_penalty_value_ukernel__neon,
    f32_clip_value_ukernel__neon,
    f32_scale_ukernel__neon,
};

}  // namespace simdnet::neon
#endif  // SIMDNET_ARM64
