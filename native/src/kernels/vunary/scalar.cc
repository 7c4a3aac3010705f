// Element-wise activations, scalar reference path (contract: vunary.h). Plain float math through libm; this is also
// the fallback on x86-64 CPUs without AVX2+FMA and the ground truth the SIMD paths are tested against (alongside the
// double-precision references in test/native/vunary-test.cc).
#include <cmath>
#include <cstddef>

#include "kernels/vunary/vunary.h"

namespace simdnet::scalar {
namespace {

// Stable logistic: with e = exp(-|x|) in (0, 1], sigmoid(x) = 1/(1+e) for x >= 0 and e/(1+e) for x < 0, so exp never
// overflows and the result is never NaN/Inf for finite x. NaN propagates through exp.
inline float sigmoid(float x) {
  const float e = std::exp(-std::fabs(x));
  const float s = 1.0f / (1.0f + e);
  return x >= 0.0f ? s : e * s;
}

// relu(x) = max(x, 0), but NaN stays NaN (std::fmax would drop it).
inline float relu(float x) { return x > 0.0f ? x : (x != x ? x : 0.0f); }
inline float leaky(float x, float alpha) { return x > 0.0f ? x : alpha * x; }  // NaN: alpha*NaN = NaN

void f32_vunary_forward_ukernel__scalar(Act act, float alpha, size_t n, const float* x, float* y) noexcept {
  switch (act) {
    case Act::linear:
      if (y != x)
        for (size_t i = 0; i < n; ++i) y[i] = x[i];
      return;
    case Act::sigmoid:
      for (size_t i = 0; i < n; ++i) y[i] = sigmoid(x[i]);
      return;
    case Act::tanh:
      for (size_t i = 0; i < n; ++i) y[i] = std::tanh(x[i]);
      return;
    case Act::relu:
      for (size_t i = 0; i < n; ++i) y[i] = relu(x[i]);
      return;
    case Act::leaky_relu:
      for (size_t i = 0; i < n; ++i) y[i] = leaky(x[i], alpha);
      return;
  }
}

// Derivatives: sigmoid' = y(1-y), tanh' = 1-y^2 (from the output y); relu' = [x > 0] (0 at the kink, PyTorch's
// convention), leaky' = x > 0 ? 1 : alpha (alpha at 0); a NaN x gives a NaN dx for relu/leaky so divergence is not
// silently masked by the backward pass.
void f32_vunary_backward_ukernel__scalar(Act act, float alpha, size_t n, const float* x, const float* y,
                                         const float* dy, float* dx) noexcept {
  switch (act) {
    case Act::linear:
      if (dx != dy)
        for (size_t i = 0; i < n; ++i) dx[i] = dy[i];
      return;
    case Act::sigmoid:
      for (size_t i = 0; i < n; ++i) dx[i] = dy[i] * (y[i] * (1.0f - y[i]));
      return;
    case Act::tanh:
      for (size_t i = 0; i < n; ++i) dx[i] = dy[i] * (1.0f - y[i] * y[i]);
      return;
    case Act::relu:
      for (size_t i = 0; i < n; ++i) dx[i] = x[i] > 0.0f ? dy[i] : (x[i] != x[i] ? x[i] : 0.0f);
      return;
    case Act::leaky_relu:
      for (size_t i = 0; i < n; ++i) dx[i] = x[i] > 0.0f ? dy[i] : (x[i] != x[i] ? x[i] : alpha * dy[i]);
      return;
  }
}

// Umap (vunary.h) through libm in float; exp/log of the ends follow IEEE (exp overflows to +Inf, log(0) = -Inf).
inline float umap(Umap op, float p0, float p1, float x) {
  constexpr float kSeluScale = 1.0507009873554804934193349852946f, kSeluScaleAlpha = 1.7580993408473768599402175208123f;
  switch (op) {
    case Umap::relu6: return x != x ? x : x < 0.0f ? 0.0f : x > 6.0f ? 6.0f : x;
    case Umap::elu: return x >= 0.0f ? x : std::expm1(x);
    case Umap::selu: return x >= 0.0f ? kSeluScale * x : kSeluScaleAlpha * std::expm1(x);
    case Umap::step: return x != x ? x : x > 0.0f ? 1.0f : p0;
    case Umap::exp: return std::exp(x);
    case Umap::log: return std::log(x);
    case Umap::sqrt: return std::sqrt(x);
    case Umap::rsqrt: return 1.0f / std::sqrt(x);
    case Umap::square: return x * x;
    case Umap::neg: return -1.0f * x;
    case Umap::abs: return std::fabs(x);
    case Umap::clip: return x > p1 ? p1 : x < p0 ? p0 : x;
  }
  return x;
}

void f32_vunary_map_ukernel__scalar(Umap op, float p0, float p1, size_t n, const float* x, float* y) noexcept {
  for (size_t i = 0; i < n; ++i) y[i] = umap(op, p0, p1, x[i]);
}

}  // namespace

const VunaryKernels vunary_kernels = {
    f32_vunary_forward_ukernel__scalar,
    f32_vunary_backward_ukernel__scalar,
    f32_vunary_map_ukernel__scalar,
};

}  // namespace simdnet::scalar
