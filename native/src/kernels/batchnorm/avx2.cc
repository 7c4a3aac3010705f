// AVX2+FMA batch normalization (contract: batchnorm.h): 8-wide rows plugged into driver.inc; the last len % 8
// columns of a block use the scalar rows.
#include "simd/arch.h"
#if SIMDNET_X86
#include <immintrin.h>

#include <cmath>
#include <cstddef>

#include "kernels/batchnorm/batchnorm.h"
#include "kernels/batchnorm/rows-scalar.h"

#include "simd/avx2-begin.h"

namespace simdnet::avx2 {
namespace {

static inline void row_add(size_t len, const float* x, const float* shift, float* acc) {
  size_t j = 0;
  for (; j + 8 <= len; j += 8) {
    const __m256 d = _mm256_sub_ps(_mm256_loadu_ps(x + j), _mm256_loadu_ps(shift + j));
    _mm256_storeu_ps(acc + j, _mm256_add_ps(_mm256_loadu_ps(acc + j), d));
  }
  batchnorm_rows::add(j, len, x, shift, acc);
}
static inline __m256 centred(const float* x, const float* shift, const float* rel, size_t j) {
  return _mm256_sub_ps(_mm256_sub_ps(_mm256_loadu_ps(x + j), _mm256_loadu_ps(shift + j)), _mm256_loadu_ps(rel + j));
}
static inline void row_sqdiff(size_t len, const float* x, const float* shift, const float* rel, float* acc) {
  size_t j = 0;
  for (; j + 8 <= len; j += 8) {
    const __m256 d = centred(x, shift, rel, j);
    _mm256_storeu_ps(acc + j, _mm256_fmadd_ps(d, d, _mm256_loadu_ps(acc + j)));
  }
  batchnorm_rows::sqdiff(j, len, x, shift, rel, acc);
}
static inline void row_affine(size_t len, const float* x, const float* shift, const float* rel, const float* a,
                              const float* b, float* y) {
  size_t j = 0;
  for (; j + 8 <= len; j += 8)
    _mm256_storeu_ps(y + j, _mm256_fmadd_ps(centred(x, shift, rel, j), _mm256_loadu_ps(a + j), _mm256_loadu_ps(b + j)));
  batchnorm_rows::affine(j, len, x, shift, rel, a, b, y);
}
static inline void row_bwd_acc(size_t len, const float* x, const float* dy, const float* mean, const float* inv,
                               float* sdy, float* sdyx) {
  size_t j = 0;
  for (; j + 8 <= len; j += 8) {
    const __m256 vdy = _mm256_loadu_ps(dy + j);
    const __m256 xhat = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(x + j), _mm256_loadu_ps(mean + j)), _mm256_loadu_ps(inv + j));
    _mm256_storeu_ps(sdy + j, _mm256_add_ps(_mm256_loadu_ps(sdy + j), vdy));
    _mm256_storeu_ps(sdyx + j, _mm256_fmadd_ps(vdy, xhat, _mm256_loadu_ps(sdyx + j)));
  }
  batchnorm_rows::bwd_acc(j, len, x, dy, mean, inv, sdy, sdyx);
}
static inline void row_bwd_dx(size_t len, const float* x, const float* dy, const float* mean, const float* inv,
                              const float* k, float fm, const float* sdy, const float* sdyx, float* dx) {
  const __m256 vfm = _mm256_set1_ps(fm);
  size_t j = 0;
  for (; j + 8 <= len; j += 8) {
    const __m256 xhat = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(x + j), _mm256_loadu_ps(mean + j)), _mm256_loadu_ps(inv + j));
    const __m256 t = _mm256_fmsub_ps(vfm, _mm256_loadu_ps(dy + j), _mm256_loadu_ps(sdy + j));  // fm*dy - sdy
    const __m256 u = _mm256_fnmadd_ps(xhat, _mm256_loadu_ps(sdyx + j), t);                    // - xhat*sdyx
    _mm256_storeu_ps(dx + j, _mm256_mul_ps(_mm256_loadu_ps(k + j), u));
  }
  batchnorm_rows::bwd_dx(j, len, x, dy, mean, inv, k, fm, sdy, sdyx, dx);
}

#include "kernels/batchnorm/driver.inc"

}  // namespace

const BatchNormKernels batchnorm_kernels = {f32_batchnorm_forward_train, f32_batchnorm_forward_infer,
                                            f32_batchnorm_backward};

}  // namespace simdnet::avx2

#include "simd/avx2-end.h"
#endif  // SIMDNET_X86
