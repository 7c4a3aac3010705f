// Element-wise activations, AVX2+FMA (contract: vunary.h). 16 floats per iteration (two __m256), masked tail.
// exp/tanh/sigmoid come from simd/avx2-math.h (Cephes-derived, a few ulp). relu uses max(0, x), whose second
// operand is returned when either is NaN, so NaN inputs stay NaN.
#include "simd/arch.h"
#if SIMDNET_X86
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "kernels/vunary/vunary.h"
// clang-format off
#include "simd/avx2-begin.h"
#include "simd/avx2-math.h"
// clang-format on

namespace simdnet::avx2 {
namespace {

struct Sigmoid { __m256 operator()(__m256 x) const { return vsigmoid(x); } };
struct Tanh { __m256 operator()(__m256 x) const { return vtanh(x); } };
struct Relu { __m256 operator()(__m256 x) const { return _mm256_max_ps(_mm256_setzero_ps(), x); } };
struct Leaky {
  __m256 alpha;
  __m256 operator()(__m256 x) const {
    const __m256 pos = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GT_OQ);  // NaN -> alpha*NaN = NaN
    return _mm256_blendv_ps(_mm256_mul_ps(alpha, x), x, pos);
  }
};
// Backward ops take (a, dy) where a is y for sigmoid/tanh and x for relu/leaky.
struct SigmoidGrad {
  __m256 operator()(__m256 y, __m256 dy) const {
    return _mm256_mul_ps(dy, _mm256_mul_ps(y, _mm256_sub_ps(_mm256_set1_ps(1.0f), y)));
  }
};
struct TanhGrad {
  __m256 operator()(__m256 y, __m256 dy) const {
    return _mm256_mul_ps(dy, _mm256_fnmadd_ps(y, y, _mm256_set1_ps(1.0f)));
  }
};
// relu' = [x > 0], leaky' = x > 0 ? 1 : alpha; NaN x -> NaN dx (blend the NaN x back in).
struct ReluGrad {
  __m256 operator()(__m256 x, __m256 dy) const {
    const __m256 pos = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GT_OQ);
    const __m256 nan = _mm256_cmp_ps(x, x, _CMP_UNORD_Q);
    return _mm256_blendv_ps(_mm256_and_ps(pos, dy), x, nan);
  }
};
struct LeakyGrad {
  __m256 alpha;
  __m256 operator()(__m256 x, __m256 dy) const {
    const __m256 pos = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GT_OQ);
    const __m256 nan = _mm256_cmp_ps(x, x, _CMP_UNORD_Q);
    return _mm256_blendv_ps(_mm256_blendv_ps(_mm256_mul_ps(alpha, dy), dy, pos), x, nan);
  }
};

template <class Op>
void map1(size_t n, const float* x, float* y, Op op) {
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256 a = _mm256_loadu_ps(x + i);
    const __m256 b = _mm256_loadu_ps(x + i + 8);
    _mm256_storeu_ps(y + i, op(a));
    _mm256_storeu_ps(y + i + 8, op(b));
  }
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, op(_mm256_loadu_ps(x + i)));
  if (i < n) {  // leftovers: masked lanes are neither read nor written
    const __m256i m = tail_mask(n - i);
    _mm256_maskstore_ps(y + i, m, op(_mm256_maskload_ps(x + i, m)));
  }
}

template <class Op>
void map2(size_t n, const float* a, const float* dy, float* dx, Op op) {
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256 r0 = op(_mm256_loadu_ps(a + i), _mm256_loadu_ps(dy + i));
    const __m256 r1 = op(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(dy + i + 8));
    _mm256_storeu_ps(dx + i, r0);
    _mm256_storeu_ps(dx + i + 8, r1);
  }
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(dx + i, op(_mm256_loadu_ps(a + i), _mm256_loadu_ps(dy + i)));
  if (i < n) {
    const __m256i m = tail_mask(n - i);
    _mm256_maskstore_ps(dx + i, m, op(_mm256_maskload_ps(a + i, m), _mm256_maskload_ps(dy + i, m)));
  }
}

void copy(size_t n, const float* x, float* y) {
  if (x == y) return;
  for (size_t i = 0; i < n; ++i) y[i] = x[i];
}

void f32_vunary_forward_ukernel__avx2_u16(Act act, float alpha, size_t n, const float* x, float* y) noexcept {
  switch (act) {
    case Act::linear: return copy(n, x, y);
    case Act::sigmoid: return map1(n, x, y, Sigmoid{});
    case Act::tanh: return map1(n, x, y, Tanh{});
    case Act::relu: return map1(n, x, y, Relu{});
    case Act::leaky_relu: return map1(n, x, y, Leaky{_mm256_set1_ps(alpha)});
  }
}

void f32_vunary_backward_ukernel__avx2_u16(Act act, float alpha, size_t n, const float* x, const float* y,
                                           const float* dy, float* dx) noexcept {
  switch (act) {
    case Act::linear: return copy(n, dy, dx);
    case Act::sigmoid: return map2(n, y, dy, dx, SigmoidGrad{});
    case Act::tanh: return map2(n, y, dy, dx, TanhGrad{});
    case Act::relu: return map2(n, x, dy, dx, ReluGrad{});
    case Act::leaky_relu: return map2(n, x, dy, dx, LeakyGrad{_mm256_set1_ps(alpha)});
  }
}

}  // namespace

const VunaryKernels vunary_kernels = {
    f32_vunary_forward_ukernel__avx2_u16,
    f32_vunary_backward_ukernel__avx2_u16,
};

}  // namespace simdnet::avx2

#include "simd/avx2-end.h"
#endif  // SIMDNET_X86
