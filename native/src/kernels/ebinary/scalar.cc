// Element-wise binary ops, scalar reference path (contract: ebinary.h): the fallback on x86-64 CPUs without AVX2+FMA
// and the ground truth the SIMD paths are tested against (test/native/ebinary-test.cc).
#include <cstddef>

#include "kernels/ebinary/ebinary.h"

namespace simdnet::scalar {
namespace {

// Math.max/Math.min: NaN when either side is NaN (std::fmax/fmin would drop it).
inline float max_nan(float a, float b) { return a != a ? a : b != b ? b : (a > b ? a : b); }
inline float min_nan(float a, float b) { return a != a ? a : b != b ? b : (a < b ? a : b); }

inline float apply(BinOp op, float a, float b) {
  switch (op) {
    case BinOp::add: return a + b;
    case BinOp::sub: return a - b;
    case BinOp::mul: return a * b;
    case BinOp::div: return a / b;
    case BinOp::max: return max_nan(a, b);
    case BinOp::min: return min_nan(a, b);
    case BinOp::sqdiff: {
      const float d = a - b;
      return d * d;
    }
    case BinOp::prelu: return a < 0.0f ? b * a : a;
  }
  return 0.0f;
}

inline size_t at(Operand mode, size_t r, size_t n, size_t j) {
  return mode == Operand::full ? r * n + j : mode == Operand::row ? j : 0;
}

void f32_binary_ukernel__scalar(BinOp op, size_t m, size_t n, const float* a, Operand am, const float* b,
                                Operand bm, float* y) noexcept {
  for (size_t r = 0; r < m; ++r)
    for (size_t j = 0; j < n; ++j) y[r * n + j] = apply(op, a[at(am, r, n, j)], b[at(bm, r, n, j)]);
}

void f32_affine_rows_ukernel__scalar(size_t m, size_t n, const float* x, const float* mean, const float* scale,
                                     const float* offset, float* y) noexcept {
  for (size_t r = 0; r < m; ++r)
    for (size_t j = 0; j < n; ++j) y[r * n + j] = (x[r * n + j] - mean[j]) * scale[j] + offset[j];
}

}  // namespace

const EbinaryKernels ebinary_kernels = {f32_binary_ukernel__scalar, f32_affine_rows_ukernel__scalar};

}  // namespace simdnet::scalar
