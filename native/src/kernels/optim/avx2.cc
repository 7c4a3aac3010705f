// AVX2+FMA optimizer steps (contract: optim.h), 8 floats per iteration, leftovers through elem.h so they equal the
// scalar result. The loops are memory bound (Adam streams 7 floats per element), so one vector per iteration is
// enough; unaligned loads/stores throughout (JS views are only 4-byte aligned).
#include "simd/arch.h"
#if SIMDNET_X86
#include <immintrin.h>

#include <cmath>

#include "kernels/optim/elem.h"
#include "kernels/optim/optim.h"

#include "simd/avx2-begin.h"

namespace simdnet::avx2 {
namespace {

// d = g + wd*w (PyTorch's coupled weight decay)
static inline __m256 decayed_grad(__m256 g, __m256 w, __m256 wd) { return _mm256_fmadd_ps(wd, w, g); }

void f32_sgd_ukernel__avx2(size_t n, float lr, float wd, float* w, const float* g) {
  const __m256 vlr = _mm256_set1_ps(lr), vwd = _mm256_set1_ps(wd);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 vw = _mm256_loadu_ps(w + i);
    const __m256 d = decayed_grad(_mm256_loadu_ps(g + i), vw, vwd);
    _mm256_storeu_ps(w + i, _mm256_fnmadd_ps(vlr, d, vw));
  }
  for (; i < n; ++i) optim_elem::sgd(lr, wd, w[i], g[i]);  // leftovers
}

void f32_momentum_ukernel__avx2(size_t n, float lr, float mu, float dampening, float wd, bool nesterov,
                                bool first_step, float* w, const float* g, float* buf) {
  const float omd = 1.0f - dampening;
  const __m256 vlr = _mm256_set1_ps(lr), vmu = _mm256_set1_ps(mu), vomd = _mm256_set1_ps(omd),
               vwd = _mm256_set1_ps(wd);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 vw = _mm256_loadu_ps(w + i);
    const __m256 d = decayed_grad(_mm256_loadu_ps(g + i), vw, vwd);
    const __m256 b = first_step ? d : _mm256_fmadd_ps(vmu, _mm256_loadu_ps(buf + i), _mm256_mul_ps(vomd, d));
    _mm256_storeu_ps(buf + i, b);
    const __m256 upd = nesterov ? _mm256_fmadd_ps(vmu, b, d) : b;
    _mm256_storeu_ps(w + i, _mm256_fnmadd_ps(vlr, upd, vw));
  }
  for (; i < n; ++i) optim_elem::momentum(lr, mu, omd, wd, nesterov, first_step, w[i], g[i], buf[i]);
}

void f32_adagrad_ukernel__avx2(size_t n, float lr, float eps, float wd, float* w, const float* g, float* sum_sq) {
  const __m256 vlr = _mm256_set1_ps(lr), veps = _mm256_set1_ps(eps), vwd = _mm256_set1_ps(wd);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 vw = _mm256_loadu_ps(w + i);
    const __m256 d = decayed_grad(_mm256_loadu_ps(g + i), vw, vwd);
    const __m256 s = _mm256_fmadd_ps(d, d, _mm256_loadu_ps(sum_sq + i));
    _mm256_storeu_ps(sum_sq + i, s);
    const __m256 step = _mm256_div_ps(d, _mm256_add_ps(_mm256_sqrt_ps(s), veps));
    _mm256_storeu_ps(w + i, _mm256_fnmadd_ps(vlr, step, vw));
  }
  for (; i < n; ++i) optim_elem::adagrad(lr, eps, wd, w[i], g[i], sum_sq[i]);
}

void f32_rmsprop_ukernel__avx2(size_t n, float lr, float rho, float eps, float wd, float momentum, bool centered,
                               float* w, const float* g, float* sq_avg, float* grad_avg, float* buf) {
  const float omr = 1.0f - rho;
  const bool use_buf = momentum > 0.0f;
  const __m256 vlr = _mm256_set1_ps(lr), vrho = _mm256_set1_ps(rho), vomr = _mm256_set1_ps(omr),
               veps = _mm256_set1_ps(eps), vwd = _mm256_set1_ps(wd), vmom = _mm256_set1_ps(momentum),
               zero = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 vw = _mm256_loadu_ps(w + i);
    const __m256 d = decayed_grad(_mm256_loadu_ps(g + i), vw, vwd);
    const __m256 v = _mm256_fmadd_ps(vrho, _mm256_loadu_ps(sq_avg + i), _mm256_mul_ps(vomr, _mm256_mul_ps(d, d)));
    _mm256_storeu_ps(sq_avg + i, v);
    __m256 var = v;
    if (centered) {
      const __m256 a = _mm256_fmadd_ps(vrho, _mm256_loadu_ps(grad_avg + i), _mm256_mul_ps(vomr, d));
      _mm256_storeu_ps(grad_avg + i, a);
      var = _mm256_fnmadd_ps(a, a, v);
      var = _mm256_max_ps(zero, var);  // clamp rounding negatives; max(0, NaN) keeps NaN (second operand)
    }
    const __m256 step = _mm256_div_ps(d, _mm256_add_ps(_mm256_sqrt_ps(var), veps));
    if (use_buf) {
      const __m256 b = _mm256_fmadd_ps(vmom, _mm256_loadu_ps(buf + i), step);
      _mm256_storeu_ps(buf + i, b);
      _mm256_storeu_ps(w + i, _mm256_fnmadd_ps(vlr, b, vw));
    } else {
      _mm256_storeu_ps(w + i, _mm256_fnmadd_ps(vlr, step, vw));
    }
  }
  for (; i < n; ++i)
    optim_elem::rmsprop(lr, rho, omr, eps, wd, momentum, centered, w[i], g[i], sq_avg[i],
                        centered ? &grad_avg[i] : nullptr, use_buf ? &buf[i] : nullptr);
}

void f32_adam_ukernel__avx2(size_t n, const AdamArgs& args, float* w, const float* g, float* m, float* v,
                            float* vmax) {
  const optim_elem::AdamConsts c = optim_elem::adam_consts(args);
  const __m256 decay = _mm256_set1_ps(c.decay), vwd = _mm256_set1_ps(c.coupled_wd ? c.wd : 0.0f),
               b1 = _mm256_set1_ps(c.b1), omb1 = _mm256_set1_ps(c.one_minus_b1), b2 = _mm256_set1_ps(c.b2),
               omb2 = _mm256_set1_ps(c.one_minus_b2), eps = _mm256_set1_ps(c.eps),
               step_size = _mm256_set1_ps(c.step_size), bc2_sqrt = _mm256_set1_ps(c.bc2_sqrt);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 vw = _mm256_mul_ps(_mm256_loadu_ps(w + i), decay);
    const __m256 d = decayed_grad(_mm256_loadu_ps(g + i), vw, vwd);
    const __m256 vm = _mm256_fmadd_ps(b1, _mm256_loadu_ps(m + i), _mm256_mul_ps(omb1, d));
    __m256 vv = _mm256_fmadd_ps(b2, _mm256_loadu_ps(v + i), _mm256_mul_ps(omb2, _mm256_mul_ps(d, d)));
    _mm256_storeu_ps(m + i, vm);
    _mm256_storeu_ps(v + i, vv);
    if (c.amsgrad) {
      // torch.maximum propagates a NaN from either side; max_ps only passes its second operand's
      const __m256 old = _mm256_loadu_ps(vmax + i);
      vv = _mm256_blendv_ps(_mm256_max_ps(old, vv), old, _mm256_cmp_ps(old, old, _CMP_UNORD_Q));
      _mm256_storeu_ps(vmax + i, vv);
    }
    const __m256 den = _mm256_add_ps(_mm256_div_ps(_mm256_sqrt_ps(vv), bc2_sqrt), eps);
    _mm256_storeu_ps(w + i, _mm256_fnmadd_ps(step_size, _mm256_div_ps(vm, den), vw));
  }
  for (; i < n; ++i) optim_elem::adam(c, w[i], g[i], m[i], v[i], c.amsgrad ? &vmax[i] : nullptr);
}

void f32_add_penalty_grad_ukernel__avx2(size_t n, float l1, float l2, const float* w, float* g) {
  const float two_l2 = 2.0f * l2;
  const __m256 vl1 = _mm256_set1_ps(l1), vl2 = _mm256_set1_ps(two_l2), zero = _mm256_setzero_ps();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 vw = _mm256_loadu_ps(w + i);
    // l1*sign(w): +l1 where w > 0, -l1 where w < 0, 0 at 0 (and NaN)
    const __m256 pos = _mm256_and_ps(_mm256_cmp_ps(vw, zero, _CMP_GT_OQ), vl1);
    const __m256 neg = _mm256_and_ps(_mm256_cmp_ps(vw, zero, _CMP_LT_OQ), vl1);
    const __m256 pen = _mm256_fmadd_ps(vl2, vw, _mm256_sub_ps(pos, neg));
    _mm256_storeu_ps(g + i, _mm256_add_ps(_mm256_loadu_ps(g + i), pen));
  }
  for (; i < n; ++i) g[i] += optim_elem::penalty_grad(l1, two_l2, w[i]);
}

// Sums in double lanes (same accuracy class as the scalar double loop; the order differs, so results agree to
// about 1e-15 relative, not bit for bit).
double f64_penalty_value_ukernel__avx2(size_t n, float l1, float l2, const float* w) {
  const __m256 sign = _mm256_set1_ps(-0.0f);
  __m256d a1 = _mm256_setzero_pd(), a2 = _mm256_setzero_pd();
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 vw = _mm256_andnot_ps(sign, _mm256_loadu_ps(w + i));
    const __m256d lo = _mm256_cvtps_pd(_mm256_castps256_ps128(vw)), hi = _mm256_cvtps_pd(_mm256_extractf128_ps(vw, 1));
    a1 = _mm256_add_pd(a1, _mm256_add_pd(lo, hi));
    a2 = _mm256_fmadd_pd(lo, lo, _mm256_fmadd_pd(hi, hi, a2));
  }
  double t1[4], t2[4];
  _mm256_storeu_pd(t1, a1);
  _mm256_storeu_pd(t2, a2);
  double s1 = (t1[0] + t1[1]) + (t1[2] + t1[3]), s2 = (t2[0] + t2[1]) + (t2[2] + t2[3]);
  for (; i < n; ++i) {
    const double x = w[i];
    s1 += std::fabs(x);
    s2 += x * x;
  }
  return static_cast<double>(l1) * s1 + static_cast<double>(l2) * s2;
}

void f32_clip_value_ukernel__avx2(size_t n, float clip, float* g) {
  const __m256 hi = _mm256_set1_ps(clip), lo = _mm256_set1_ps(-clip);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    // max/min return their second operand when one is NaN: passing g second lets NaN through, like the scalar.
    const __m256 t = _mm256_max_ps(lo, _mm256_loadu_ps(g + i));
    _mm256_storeu_ps(g + i, _mm256_min_ps(hi, t));
  }
  for (; i < n; ++i) g[i] = optim_elem::clip(clip, g[i]);
}

void f32_scale_ukernel__avx2(size_t n, float s, float* x) {
  const __m256 vs = _mm256_set1_ps(s);
  size_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_loadu_ps(x + i), vs));
  for (; i < n; ++i) x[i] *= s;
}

}  // namespace

const OptimKernels optim_kernels = {
    f32_sgd_ukernel__avx2,
    f32_momentum_ukernel__avx2,
    f32_adagrad_ukernel__avx2,
    f32_rmsprop_ukernel__avx2,
    f32_adam_ukernel__avx2,
    f32_add_penalty_grad_ukernel__avx2,
    f64_penalty_value_ukernel__avx2,
    f32_clip_value_ukernel__avx2,
    f32_scale_ukernel__avx2,
};

}  // namespace simdnet::avx2

#include "simd/avx2-end.h"
#endif  // SIMDNET_X86
