// The element-wise vector vocabulary for AArch64 NEON: V = float32x4_t (W = 4 floats), masks M = uint32x4_t
// (all-ones lanes), double accumulators D = two float64x2_t. Contracts: simd/vec-math.inc, included at the end.
// Tails go through a padded 4-float stack buffer, so they run the same vector math without touching memory past n.
//
// HOW TO INCLUDE: from kernels/*/neon.cc only, inside `#if SIMDNET_ARM64`, after <arm_neon.h>, <cstddef> and
// <cstdint>. Every function is `static inline`.
//
// vmaxq_f32/vminq_f32 return NaN when either operand is NaN, so kmax/kmin keep a NaN x, as the x86 ones do.
// vfmaq_f32(a, b, c) = a + b*c; vfmsq_f32(a, b, c) = a - b*c.
#pragma once

namespace simdnet::neon {

using V = float32x4_t;
using M = uint32x4_t;
struct D { float64x2_t lo, hi; };
constexpr size_t W = 4;

static inline V kload(const float* p) { return vld1q_f32(p); }
static inline void kstore(float* p, V v) { vst1q_f32(p, v); }
static inline V kload_n(const float* p, size_t rem, float pad) {
  float t[4] = {pad, pad, pad, pad};
  for (size_t i = 0; i < rem; ++i) t[i] = p[i];
  return vld1q_f32(t);
}
static inline void kstore_n(float* p, size_t rem, V v) {
  float t[4];
  vst1q_f32(t, v);
  for (size_t i = 0; i < rem; ++i) p[i] = t[i];
}
static inline V kzero_tail(V v, size_t rem) {
  static const uint32_t table[8] = {~0u, ~0u, ~0u, ~0u, 0, 0, 0, 0};
  return vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(v), vld1q_u32(table + 4 - rem)));
}
static inline V kset(float a) { return vdupq_n_f32(a); }
static inline V kzero() { return vdupq_n_f32(0.0f); }
static inline V kadd(V a, V b) { return vaddq_f32(a, b); }
static inline V ksub(V a, V b) { return vsubq_f32(a, b); }
static inline V kmul(V a, V b) { return vmulq_f32(a, b); }
static inline V kdiv(V a, V b) { return vdivq_f32(a, b); }
static inline V kfma(V a, V b, V c) { return vfmaq_f32(c, a, b); }
static inline V kfnma(V a, V b, V c) { return vfmsq_f32(c, a, b); }
static inline V kfms(V a, V b, V c) { return vnegq_f32(vfmsq_f32(c, a, b)); }
static inline V ksqrt(V a) { return vsqrtq_f32(a); }
static inline V kmax(V x, V b) { return vmaxq_f32(x, b); }
static inline V kmin(V x, V b) { return vminq_f32(x, b); }
static inline V kmaxnan(V a, V b) { return vmaxq_f32(a, b); }
static inline V kabs(V x) { return vabsq_f32(x); }
static inline V kcopysign(V mag, V s) { return vbslq_f32(vdupq_n_u32(0x80000000u), s, mag); }
static inline V kround(V x) { return vrndnq_f32(x); }
static inline M klt(V a, V b) { return vcltq_f32(a, b); }
static inline M kgt(V a, V b) { return vcgtq_f32(a, b); }
static inline M kge(V a, V b) { return vcgeq_f32(a, b); }
static inline M keq(V a, V b) { return vceqq_f32(a, b); }
static inline M kngt(V a, V b) { return vmvnq_u32(vcgtq_f32(a, b)); }
static inline M kisnan(V a) { return vmvnq_u32(vceqq_f32(a, a)); }
static inline bool kany(M m) { return vmaxvq_u32(m) != 0; }
static inline M kor(M a, M b) { return vorrq_u32(a, b); }
static inline M kand(M a, M b) { return vandq_u32(a, b); }
static inline M kandnot(M a, M b) { return vbicq_u32(b, a); }
static inline V kselect(M m, V a, V b) { return vbslq_f32(m, a, b); }
static inline V kmask(M m, V v) { return vreinterpretq_f32_u32(vandq_u32(m, vreinterpretq_u32_f32(v))); }
static inline V kzero_if(M m, V v) { return vreinterpretq_f32_u32(vbicq_u32(vreinterpretq_u32_f32(v), m)); }
static inline V knan_if(M m, V v) { return vreinterpretq_f32_u32(vorrq_u32(vreinterpretq_u32_f32(v), m)); }
static inline V kpow2i(V n) {
  const int32x4_t e = vaddq_s32(vcvtq_s32_f32(n), vdupq_n_s32(127));  // NaN -> 0: the caller's y is NaN anyway
  return vreinterpretq_f32_s32(vshlq_n_s32(e, 23));
}
static inline V kexponent(V x) {
  const int32x4_t e = vreinterpretq_s32_u32(vshrq_n_u32(vreinterpretq_u32_f32(x), 23));
  return vcvtq_f32_s32(vsubq_s32(e, vdupq_n_s32(126)));
}
static inline V kmantissa(V x) {
  const uint32x4_t m = vandq_u32(vreinterpretq_u32_f32(x), vdupq_n_u32(~0x7f800000u));
  return vreinterpretq_f32_u32(vorrq_u32(m, vreinterpretq_u32_f32(vdupq_n_f32(0.5f))));
}
static inline float khsum(V v) { return vaddvq_f32(v); }
static inline float khmax(V v) { return vmaxvq_f32(v); }  // propagates NaN
static inline D dzero() { return {vdupq_n_f64(0.0), vdupq_n_f64(0.0)}; }
static inline void dacc(D& d, V v) {
  d.lo = vaddq_f64(d.lo, vcvt_f64_f32(vget_low_f32(v)));
  d.hi = vaddq_f64(d.hi, vcvt_high_f64_f32(v));
}
static inline void dacc_sq(D& d, V v) {
  const float64x2_t lo = vcvt_f64_f32(vget_low_f32(v)), hi = vcvt_high_f64_f32(v);
  d.lo = vfmaq_f64(d.lo, lo, lo);
  d.hi = vfmaq_f64(d.hi, hi, hi);
}
static inline double dsum(const D& d) { return vaddvq_f64(vaddq_f64(d.lo, d.hi)); }
// Index vectors (row_argmax): VI holds W int32 lanes.
using VI = int32x4_t;
static inline VI kiota() {
  static const int32_t i0[4] = {0, 1, 2, 3};
  return vld1q_s32(i0);
}
static inline VI kaddi(VI a, int32_t b) { return vaddq_s32(a, vdupq_n_s32(b)); }
static inline VI kselecti(M m, VI a, VI b) { return vbslq_s32(m, a, b); }
static inline void kstorei(int32_t* p, VI v) { vst1q_s32(p, v); }
static inline VI kloadi(const uint32_t* p) { return vreinterpretq_s32_u32(vld1q_u32(p)); }
static inline VI kseti(uint32_t a) { return vreinterpretq_s32_u32(vdupq_n_u32(a)); }
static inline VI kxori(VI a, VI b) { return veorq_s32(a, b); }
static inline VI kshr8i(VI a) { return vreinterpretq_s32_u32(vshrq_n_u32(vreinterpretq_u32_s32(a), 8)); }
static inline M kgti(VI a, VI b) { return vcgtq_s32(a, b); }
// Widening multiplies of the low and high lane pairs; the high words are their odd 32-bit halves.
static inline void kmulhilo(VI a, VI b, VI* hi, VI* lo) {
  const uint32x4_t ua = vreinterpretq_u32_s32(a), ub = vreinterpretq_u32_s32(b);
  const uint64x2_t p_lo = vmull_u32(vget_low_u32(ua), vget_low_u32(ub));
  const uint64x2_t p_hi = vmull_high_u32(ua, ub);
  *hi = vreinterpretq_s32_u32(vuzp2q_u32(vreinterpretq_u32_u64(p_lo), vreinterpretq_u32_u64(p_hi)));
  *lo = vreinterpretq_s32_u32(vmulq_u32(ua, ub));
}

#include "simd/vec-math.inc"

}  // namespace simdnet::neon
