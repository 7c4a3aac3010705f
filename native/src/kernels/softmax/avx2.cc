// Row softmax with temperature, AVX2+FMA (contract: softmax.h). Per row: vector max (a NaN anywhere makes the row NaN
// through exp(NaN) in the sum), exp((x - max)/T) into y with the sum in 8 float lanes, then y *= 1/sum. Tails use
// masked loads/stores; masked-off lanes are excluded from max (-inf) and sum (and-masked).
#include "simd/arch.h"
#if SIMDNET_X86
#include <immintrin.h>

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "kernels/softmax/softmax.h"
// clang-format off
#include "simd/avx2-begin.h"
#include "simd/avx2-math.h"
// clang-format on

namespace simdnet::avx2 {
namespace {

void f32_softmax_forward_ukernel__avx2(size_t m, size_t n, float temperature, const float* x, float* y) noexcept {
  const __m256 inv_t = _mm256_set1_ps(1.0f / temperature);
  const size_t nv = n & ~size_t{7};
  const __m256i tm = tail_mask(n - nv);
  const __m256 ninf = _mm256_set1_ps(-INFINITY);
  for (size_t r = 0; r < m; ++r) {
    const float* xr = x + r * n;
    float* yr = y + r * n;
    __m256 vmax = ninf;
    for (size_t j = 0; j < nv; j += 8) vmax = _mm256_max_ps(vmax, _mm256_loadu_ps(xr + j));
    if (nv < n) vmax = _mm256_max_ps(vmax, _mm256_blendv_ps(ninf, _mm256_maskload_ps(xr + nv, tm),
                                                              _mm256_castsi256_ps(tm)));
    const __m256 mx = _mm256_set1_ps(hmax(vmax));
    __m256 vsum = _mm256_setzero_ps();
    for (size_t j = 0; j < nv; j += 8) {
      const __m256 e = vexp(_mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(xr + j), mx), inv_t));
      _mm256_storeu_ps(yr + j, e);
      vsum = _mm256_add_ps(vsum, e);
    }
    if (nv < n) {
      const __m256 e = vexp(_mm256_mul_ps(_mm256_sub_ps(_mm256_maskload_ps(xr + nv, tm), mx), inv_t));
      _mm256_maskstore_ps(yr + nv, tm, e);
      vsum = _mm256_add_ps(vsum, _mm256_and_ps(e, _mm256_castsi256_ps(tm)));
    }
    const __m256 inv_sum = _mm256_set1_ps(1.0f / hsum(vsum));
    for (size_t j = 0; j < nv; j += 8) _mm256_storeu_ps(yr + j, _mm256_mul_ps(_mm256_loadu_ps(yr + j), inv_sum));
    if (nv < n) _mm256_maskstore_ps(yr + nv, tm, _mm256_mul_ps(_mm256_maskload_ps(yr + nv, tm), inv_sum));
  }
}

void f32_softmax_backward_ukernel__avx2(size_t m, size_t n, float temperature, const float* y, const float* dy,
                                        float* dx) noexcept {
  const __m256 inv_t = _mm256_set1_ps(1.0f / temperature);
  const size_t nv = n & ~size_t{7};
  const __m256i tm = tail_mask(n - nv);
  for (size_t r = 0; r < m; ++r) {
    const float* yr = y + r * n;
    const float* dyr = dy + r * n;
    float* dxr = dx + r * n;
    __m256 vdot = _mm256_setzero_ps();
    for (size_t j = 0; j < nv; j += 8) vdot = _mm256_fmadd_ps(_mm256_loadu_ps(dyr + j), _mm256_loadu_ps(yr + j), vdot);
    if (nv < n) vdot = _mm256_fmadd_ps(_mm256_maskload_ps(dyr + nv, tm), _mm256_maskload_ps(yr + nv, tm), vdot);
    const __m256 d = _mm256_set1_ps(hsum(vdot));
    for (size_t j = 0; j < nv; j += 8) {
      const __m256 yy = _mm256_loadu_ps(yr + j);
      _mm256_storeu_ps(dxr + j, _mm256_mul_ps(_mm256_mul_ps(yy, _mm256_sub_ps(_mm256_loadu_ps(dyr + j), d)), inv_t));
    }
    if (nv < n) {
      const __m256 yy = _mm256_maskload_ps(yr + nv, tm);
      const __m256 g = _mm256_mul_ps(_mm256_mul_ps(yy, _mm256_sub_ps(_mm256_maskload_ps(dyr + nv, tm), d)), inv_t);
      _mm256_maskstore_ps(dxr + nv, tm, g);
    }
  }
}

}  // namespace

const SoftmaxKernels softmax_kernels = {
    f32_softmax_forward_ukernel__avx2,
    f32_softmax_backward_ukernel__avx2,
};

}  // namespace simdnet::avx2

#include "simd/avx2-end.h"
#endif  // SIMDNET_X86
