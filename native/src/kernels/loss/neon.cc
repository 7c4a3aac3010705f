// Losses with gradients, AArch64 NEON (contract: loss.h): the shared algorithm in loss-simd.inc over 4-float
// vectors, double accumulation in float64x2 lanes, exp/log from simd/neon-math.h.
#include "simd/arch.h"
#if SIMDNET_ARM64
#include <arm_neon.h>

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "kernels/loss/loss.h"
#include "simd/neon-math.h"

namespace simdnet::neon {
namespace {

using V = float32x4_t;
using M = uint32x4_t;
struct D { float64x2_t lo, hi; };
constexpr size_t W = 4;

V kload(const float* p) { return vld1q_f32(p); }
void kstore(float* p, V v) { vst1q_f32(p, v); }
V kload_n(const float* p, size_t rem, float pad) { return load_tail(p, rem, pad); }
void kstore_n(float* p, size_t rem, V v) { store_tail(p, rem, v); }
V kzero_tail(V v, size_t rem) {
  static const uint32_t table[8] = {~0u, ~0u, ~0u, ~0u, 0, 0, 0, 0};
  return vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(v), vld1q_u32(table + 4 - rem)));
}
V kset(float a) { return vdupq_n_f32(a); }
V kadd(V a, V b) { return vaddq_f32(a, b); }
V ksub(V a, V b) { return vsubq_f32(a, b); }
V kmul(V a, V b) { return vmulq_f32(a, b); }
V kdiv(V a, V b) { return vdivq_f32(a, b); }
V kclamp(V x, V lo, V hi) { return vminq_f32(vmaxq_f32(x, lo), hi); }  // NEON min/max propagate NaN
V kabs(V x) { return vabsq_f32(x); }
V kmax0(V x) { return vmaxq_f32(x, vdupq_n_f32(0.0f)); }
V kmaxnan(V acc, V x) { return vmaxq_f32(acc, x); }
M klt(V a, V b) { return vcltq_f32(a, b); }
M kgt(V a, V b) { return vcgtq_f32(a, b); }
M kge(V a, V b) { return vcgeq_f32(a, b); }
M keq0(V a) { return vceqq_f32(a, vdupq_n_f32(0.0f)); }
M kor(M a, M b) { return vorrq_u32(a, b); }
V kselect(M m, V a, V b) { return vbslq_f32(m, a, b); }
D dzero() { return {vdupq_n_f64(0.0), vdupq_n_f64(0.0)}; }
void dacc(D& d, V v) { acc_pd(&d.lo, &d.hi, v); }
double dsum(const D& d) { return hsum_pd(d.lo, d.hi); }
float khsum(V v) { return hsum(v); }
float khmax(V v) { return hmax(v); }

#include "kernels/loss/loss-simd.inc"

}  // namespace

const LossKernels loss_kernels = {
    mse_impl, bce_prob_impl, bce_logits_impl, cce_prob_impl, softmax_cce_impl, sparse_softmax_cce_impl,
};

}  // namespace simdnet::neon
#endif  // SIMDNET_ARM64
