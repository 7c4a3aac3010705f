// NEON (AArch64) batch normalization (contract: batchnorm.h): 4-wide rows plugged into driver.inc; the last
// len % 4 columns of a block use the scalar rows.
#include "simd/arch.h"
#if SIMDNET_ARM64
#include <arm_neon.h>

#include <cmath>
#include <cstddef>

#include "kernels/batchnorm/batchnorm.h"
#include "kernels/batchnorm/rows-scalar.h"

namespace simdnet::neon {
namespace {

static inline void row_add(size_t len, const float* x, const float* shift, float* acc) {
  size_t j = 0;
  for (; j + 4 <= len; j += 4)
    vst1q_f32(acc + j, vaddq_f32(vld1q_f32(acc + j), vsubq_f32(vld1q_f32(x + j), vld1q_f32(shift + j))));
  batchnorm_rows::add(j, len, x, shift, acc);
}
static inline float32x4_t centred(const float* x, const float* shift, const float* rel, size_t j) {
  return vsubq_f32(vsubq_f32(vld1q_f32(x + j), vld1q_f32(shift + j)), vld1q_f32(rel + j));
}
static inline void row_sqdiff(size_t len, const float* x, const float* shift, const float* rel, float* acc) {
  size_t j = 0;
  for (; j + 4 <= len; j += 4) {
    const float32x4_t d = centred(x, shift, rel, j);
    vst1q_f32(acc + j, vfmaq_f32(vld1q_f32(acc + j), d, d));
  }
  batchnorm_rows::sqdiff(j, len, x, shift, rel, acc);
}
static inline void row_affine(size_t len, const float* x, const float* shift, const float* rel, const float* a,
                              const float* b, float* y) {
  size_t j = 0;
  for (; j + 4 <= len; j += 4) vst1q_f32(y + j, vfmaq_f32(vld1q_f32(b + j), centred(x, shift, rel, j), vld1q_f32(a + j)));
  batchnorm_rows::affine(j, len, x, shift, rel, a, b, y);
}
static inline void row_bwd_acc(size_t len, const float* x, const float* dy, const float* mean, const float* inv,
                               float* sdy, float* sdyx) {
  size_t j = 0;
  for (; j + 4 <= len; j += 4) {
    const float32x4_t vdy = vld1q_f32(dy + j);
    const float32x4_t xhat = vmulq_f32(vsubq_f32(vld1q_f32(x + j), vld1q_f32(mean + j)), vld1q_f32(inv + j));
    vst1q_f32(sdy + j, vaddq_f32(vld1q_f32(sdy + j), vdy));
    vst1q_f32(sdyx + j, vfmaq_f32(vld1q_f32(sdyx + j), vdy, xhat));
  }
  batchnorm_rows::bwd_acc(j, len, x, dy, mean, inv, sdy, sdyx);
}
static inline void row_bwd_dx(size_t len, const float* x, const float* dy, const float* mean, const float* inv,
                              const float* k, float fm, const float* sdy, const float* sdyx, float* dx) {
  size_t j = 0;
  for (; j + 4 <= len; j += 4) {
    const float32x4_t xhat = vmulq_f32(vsubq_f32(vld1q_f32(x + j), vld1q_f32(mean + j)), vld1q_f32(inv + j));
    const float32x4_t t = vsubq_f32(vmulq_n_f32(vld1q_f32(dy + j), fm), vld1q_f32(sdy + j));  // fm*dy - sdy
    const float32x4_t u = vfmsq_f32(t, xhat, vld1q_f32(sdyx + j));                             // - xhat*sdyx
    vst1q_f32(dx + j, vmulq_f32(vld1q_f32(k + j), u));
  }
  batchnorm_rows::bwd_dx(j, len, x, dy, mean, inv, k, fm, sdy, sdyx, dx);
}

#include "kernels/batchnorm/driver.inc"

}  // namespace

const BatchNormKernels batchnorm_kernels = {f32_batchnorm_forward_train, f32_batchnorm_forward_infer,
                                            f32_batchnorm_backward};

}  // namespace simdnet::neon
#endif  // SIMDNET_ARM64
