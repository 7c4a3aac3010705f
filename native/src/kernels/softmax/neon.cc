// Row softmax with temperature, AArch64 NEON (contract: softmax.h). Same three passes as avx2.cc, 4 lanes; tails via
// padded stack vectors (pad -inf for the max, masked out of the sum).
#include "simd/arch.h"
#if SIMDNET_ARM64
#include <arm_neon.h>

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "kernels/softmax/softmax.h"
#include "simd/neon-math.h"

namespace simdnet::neon {
namespace {

void f32_softmax_forward_ukernel__neon(size_t m, size_t n, float temperature, const float* x, float* y) noexcept {
  const float inv_t = 1.0f / temperature;
  const size_t nv = n & ~size_t{3};
  const size_t rem = n - nv;
  for (size_t r = 0; r < m; ++r) {
    const float* xr = x + r * n;
    float* yr = y + r * n;
    float32x4_t vmax = vdupq_n_f32(-INFINITY);
    for (size_t j = 0; j < nv; j += 4) vmax = vmaxq_f32(vmax, vld1q_f32(xr + j));
    if (rem) vmax = vmaxq_f32(vmax, load_tail(xr + nv, rem, -INFINITY));
    const float32x4_t mx = vdupq_n_f32(hmax(vmax));
    float32x4_t vsum = vdupq_n_f32(0.0f);
    for (size_t j = 0; j < nv; j += 4) {
      const float32x4_t e = vexp(vmulq_n_f32(vsubq_f32(vld1q_f32(xr + j), mx), inv_t));
      vst1q_f32(yr + j, e);
      vsum = vaddq_f32(vsum, e);
    }
    if (rem) {
      // Pad with -inf: exp((-inf - max)/T) = 0 (for a finite max), so the pad adds nothing. A +inf/NaN max makes the
      // pad NaN, but the real lanes are NaN then too.
      const float32x4_t e = vexp(vmulq_n_f32(vsubq_f32(load_tail(xr + nv, rem, -INFINITY), mx), inv_t));
      store_tail(yr + nv, rem, e);
      vsum = vaddq_f32(vsum, e);
    }
    const float inv_sum = 1.0f / hsum(vsum);
    for (size_t j = 0; j < nv; j += 4) vst1q_f32(yr + j, vmulq_n_f32(vld1q_f32(yr + j), inv_sum));
    for (size_t j = nv; j < n; ++j) yr[j] *= inv_sum;
  }
}

void f32_softmax_backward_ukernel__neon(size_t m, size_t n, float temperature, const float* y, const float* dy,
                                        float* dx) noexcept {
  const float inv_t = 1.0f / temperature;
  const size_t nv = n & ~size_t{3};
  const size_t rem = n - nv;
  for (size_t r = 0; r < m; ++r) {
    const float* yr = y + r * n;
    const float* dyr = dy + r * n;
    float* dxr = dx + r * n;
    float32x4_t vdot = vdupq_n_f32(0.0f);
    for (size_t j = 0; j < nv; j += 4) vdot = vfmaq_f32(vdot, vld1q_f32(dyr + j), vld1q_f32(yr + j));
    if (rem) vdot = vfmaq_f32(vdot, load_tail(dyr + nv, rem, 0.0f), load_tail(yr + nv, rem, 0.0f));
    const float32x4_t d = vdupq_n_f32(hsum(vdot));
    for (size_t j = 0; j < nv; j += 4)
      vst1q_f32(dxr + j, vmulq_n_f32(vmulq_f32(vld1q_f32(yr + j), vsubq_f32(vld1q_f32(dyr + j), d)), inv_t));
    if (rem) {
      const float32x4_t g =
          vmulq_n_f32(vmulq_f32(load_tail(yr + nv, rem, 0.0f), vsubq_f32(load_tail(dyr + nv, rem, 0.0f), d)), inv_t);
      store_tail(dxr + nv, rem, g);
    }
  }
}

}  // namespace

const SoftmaxKernels softmax_kernels = {
    f32_softmax_forward_ukernel__neon,
    f32_softmax_backward_ukernel__neon,
};

}  // namespace simdnet::neon
#endif  // SIMDNET_ARM64
