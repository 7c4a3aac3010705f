// Vectorized exp/log/log1p/sigmoid/tanh for AArch64 NEON (4 floats per float32x4_t): the same algorithms and
// constants as simd/avx2-math.h (Cephes expf.c / logf.c / tanhf.c, Cody-Waite reduction; see there for provenance
// and error). Include only from kernels/*/neon.cc inside `#if SIMDNET_ARM64`, after <arm_neon.h>, <cstddef> and
// <cstdint>; every function is `static inline`.
//
// NaN handling: vmaxq_f32/vminq_f32 return NaN when either operand is NaN (unlike x86 max/min), so clamps keep NaN.
#pragma once

namespace simdnet::neon {

// exp(x): inputs clamped to [ln(FLT_MIN), 88]; below ln(FLT_MIN) the result is exactly 0, above 88 it is exp(88).
static inline float32x4_t vexp(float32x4_t x) {
  const float32x4_t lo = vdupq_n_f32(-87.3365478515625f);
  const uint32x4_t underflow = vcltq_f32(x, lo);  // false for NaN
  x = vminq_f32(x, vdupq_n_f32(88.0f));
  x = vmaxq_f32(x, lo);
  const float32x4_t fx = vrndnq_f32(vmulq_n_f32(x, 1.44269504088896341f));
  float32x4_t r = vfmsq_f32(x, fx, vdupq_n_f32(0.693359375f));
  r = vfmsq_f32(r, fx, vdupq_n_f32(-2.12194440e-4f));
  float32x4_t p = vdupq_n_f32(1.9875691500E-4f);
  p = vfmaq_f32(vdupq_n_f32(1.3981999507E-3f), p, r);
  p = vfmaq_f32(vdupq_n_f32(8.3334519073E-3f), p, r);
  p = vfmaq_f32(vdupq_n_f32(4.1665795894E-2f), p, r);
  p = vfmaq_f32(vdupq_n_f32(1.6666665459E-1f), p, r);
  p = vfmaq_f32(vdupq_n_f32(5.0000001201E-1f), p, r);
  const float32x4_t y = vaddq_f32(vfmaq_f32(r, p, vmulq_f32(r, r)), vdupq_n_f32(1.0f));
  const int32x4_t n = vcvtq_s32_f32(fx);  // NaN -> 0: y is NaN anyway
  const float32x4_t pow2n = vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(n, vdupq_n_s32(127)), 23));
  return vreinterpretq_f32_u32(vbicq_u32(vreinterpretq_u32_f32(vmulq_f32(y, pow2n)), underflow));
}

// log(x) for finite positive normal x; x <= 0 gives NaN, denormals act as FLT_MIN, NaN gives NaN (the mask must
// include it: the exponent and mantissa arithmetic below turns a NaN's bits into an ordinary number).
static inline float32x4_t vlog(float32x4_t x) {
  const uint32x4_t invalid = vmvnq_u32(vcgtq_f32(x, vdupq_n_f32(0.0f)));  // x <= 0 or NaN
  x = vmaxq_f32(x, vdupq_n_f32(1.17549435e-38f));
  int32x4_t e = vreinterpretq_s32_u32(vshrq_n_u32(vreinterpretq_u32_f32(x), 23));
  uint32x4_t xm = vandq_u32(vreinterpretq_u32_f32(x), vdupq_n_u32(~0x7f800000u));
  xm = vorrq_u32(xm, vreinterpretq_u32_f32(vdupq_n_f32(0.5f)));
  x = vreinterpretq_f32_u32(xm);
  e = vsubq_s32(e, vdupq_n_s32(126));
  float32x4_t fe = vcvtq_f32_s32(e);
  const uint32x4_t small = vcltq_f32(x, vdupq_n_f32(0.707106781186547524f));
  const float32x4_t tmp = vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(x), small));
  x = vsubq_f32(x, vdupq_n_f32(1.0f));
  fe = vsubq_f32(fe, vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(vdupq_n_f32(1.0f)), small)));
  x = vaddq_f32(x, tmp);
  const float32x4_t z = vmulq_f32(x, x);
  float32x4_t y = vdupq_n_f32(7.0376836292E-2f);
  y = vfmaq_f32(vdupq_n_f32(-1.1514610310E-1f), y, x);
  y = vfmaq_f32(vdupq_n_f32(1.1676998740E-1f), y, x);
  y = vfmaq_f32(vdupq_n_f32(-1.2420140846E-1f), y, x);
  y = vfmaq_f32(vdupq_n_f32(1.4249322787E-1f), y, x);
  y = vfmaq_f32(vdupq_n_f32(-1.6668057665E-1f), y, x);
  y = vfmaq_f32(vdupq_n_f32(2.0000714765E-1f), y, x);
  y = vfmaq_f32(vdupq_n_f32(-2.4999993993E-1f), y, x);
  y = vfmaq_f32(vdupq_n_f32(3.3333331174E-1f), y, x);
  y = vmulq_f32(vmulq_f32(y, x), z);
  y = vfmaq_f32(y, fe, vdupq_n_f32(-2.12194440e-4f));
  y = vfmsq_f32(y, z, vdupq_n_f32(0.5f));
  x = vaddq_f32(x, y);
  x = vfmaq_f32(x, fe, vdupq_n_f32(0.693359375f));
  return vreinterpretq_f32_u32(vorrq_u32(vreinterpretq_u32_f32(x), invalid));
}

// log1p(e) for e in [0, 1] via log(u) * e / (u - 1), u = 1 + e (exact e where u == 1).
static inline float32x4_t vlog1p(float32x4_t e) {
  const float32x4_t one = vdupq_n_f32(1.0f);
  const float32x4_t u = vaddq_f32(one, e);
  const float32x4_t d = vsubq_f32(u, one);
  const uint32x4_t exact = vceqq_f32(d, vdupq_n_f32(0.0f));
  const float32x4_t r = vmulq_f32(vlog(u), vdivq_f32(e, vbslq_f32(exact, one, d)));
  return vbslq_f32(exact, e, r);
}

static inline float32x4_t vsigmoid(float32x4_t x) {
  const float32x4_t e = vexp(vnegq_f32(vabsq_f32(x)));
  const float32x4_t s = vdivq_f32(vdupq_n_f32(1.0f), vaddq_f32(vdupq_n_f32(1.0f), e));
  return vbslq_f32(vcgeq_f32(x, vdupq_n_f32(0.0f)), s, vmulq_f32(e, s));
}

static inline float32x4_t vtanh(float32x4_t x) {
  const float32x4_t ax = vabsq_f32(x);
  const float32x4_t one = vdupq_n_f32(1.0f);
  const float32x4_t e = vexp(vmulq_n_f32(ax, -2.0f));
  float32x4_t big = vdivq_f32(vsubq_f32(one, e), vaddq_f32(one, e));
  big = vbslq_f32(vdupq_n_u32(0x80000000u), x, big);  // copy the sign of x
  const float32x4_t s = vmulq_f32(x, x);
  float32x4_t p = vdupq_n_f32(-5.70498872745E-3f);
  p = vfmaq_f32(vdupq_n_f32(2.06390887954E-2f), p, s);
  p = vfmaq_f32(vdupq_n_f32(-5.37397155531E-2f), p, s);
  p = vfmaq_f32(vdupq_n_f32(1.33314422036E-1f), p, s);
  p = vfmaq_f32(vdupq_n_f32(-3.33332819422E-1f), p, s);
  const float32x4_t small = vfmaq_f32(x, vmulq_f32(p, s), x);
  return vbslq_f32(vcgtq_f32(ax, vdupq_n_f32(0.625f)), big, small);
}

// Max over lanes; any NaN lane gives NaN (vmaxvq_f32 propagates NaN).
static inline float hmax(float32x4_t v) { return vmaxvq_f32(v); }
static inline float hsum(float32x4_t v) { return vaddvq_f32(v); }
// Adds 4 floats to two float64x2 accumulators.
static inline void acc_pd(float64x2_t* lo, float64x2_t* hi, float32x4_t v) {
  *lo = vaddq_f64(*lo, vcvt_f64_f32(vget_low_f32(v)));
  *hi = vaddq_f64(*hi, vcvt_high_f64_f32(v));
}
static inline double hsum_pd(float64x2_t a, float64x2_t b) { return vaddvq_f64(vaddq_f64(a, b)); }

// Tail helpers: copy the first rem (< 4) elements into a zero-padded vector and back, so tails run the same vector
// math as full blocks without touching memory past n.
static inline float32x4_t load_tail(const float* p, size_t rem, float pad) {
  float t[4] = {pad, pad, pad, pad};
  for (size_t i = 0; i < rem; ++i) t[i] = p[i];
  return vld1q_f32(t);
}
static inline void store_tail(float* p, size_t rem, float32x4_t v) {
  float t[4];
  vst1q_f32(t, v);
  for (size_t i = 0; i < rem; ++i) p[i] = t[i];
}

}  // namespace simdnet::neon
