// Row softmax with temperature, scalar path (contract: softmax.h). Three passes per row: max, exp and sum (exp
// stored into y, which may alias x: each element is read before it is overwritten), scale by 1/sum. The sum is kept
// in double here; the SIMD paths keep float lanes (a row is at most a few thousand positive terms).
#include <cmath>
#include <cstddef>

#include "kernels/softmax/softmax.h"

namespace simdnet::scalar {
namespace {

void f32_softmax_forward_ukernel__scalar(size_t m, size_t n, float temperature, const float* x, float* y) noexcept {
  const float inv_t = 1.0f / temperature;
  for (size_t r = 0; r < m; ++r) {
    const float* xr = x + r * n;
    float* yr = y + r * n;
    float mx = -INFINITY;
    for (size_t j = 0; j < n; ++j) mx = (xr[j] > mx || xr[j] != xr[j]) ? xr[j] : mx;  // NaN sticks
    double sum = 0.0;
    for (size_t j = 0; j < n; ++j) {
      const float e = std::exp((xr[j] - mx) * inv_t);
      yr[j] = e;
      sum += e;
    }
    const float inv_sum = static_cast<float>(1.0 / sum);
    for (size_t j = 0; j < n; ++j) yr[j] *= inv_sum;
  }
}

void f32_softmax_backward_ukernel__scalar(size_t m, size_t n, float temperature, const float* y, const float* dy,
                                          float* dx) noexcept {
  const float inv_t = 1.0f / temperature;
  for (size_t r = 0; r < m; ++r) {
    const float* yr = y + r * n;
    const float* dyr = dy + r * n;
    float* dxr = dx + r * n;
    double dot = 0.0;
    for (size_t j = 0; j < n; ++j) dot += static_cast<double>(dyr[j]) * yr[j];
    const float d = static_cast<float>(dot);
    for (size_t j = 0; j < n; ++j) dxr[j] = yr[j] * (dyr[j] - d) * inv_t;
  }
}

}  // namespace

const SoftmaxKernels softmax_kernels = {
    f32_softmax_forward_ukernel__scalar,
    f32_softmax_backward_ukernel__scalar,
};

}  // namespace simdnet::scalar
