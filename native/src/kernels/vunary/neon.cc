// Element-wise activations, AArch64 NEON (contract: vunary.h). 8 floats per iteration (two float32x4_t); the tail
// goes through a zero-padded stack vector so it runs the same math. exp/tanh/sigmoid from simd/neon-math.h.
// vmaxq_f32 propagates NaN, so relu = max(x, 0) keeps NaN.
#include "simd/arch.h"
#if SIMDNET_ARM64
#include <arm_neon.h>

#include <cstddef>
#include <cstdint>

#include "kernels/vunary/vunary.h"
#include "simd/neon-math.h"

namespace simdnet::neon {
namespace {

struct Sigmoid { float32x4_t operator()(float32x4_t x) const { return vsigmoid(x); } };
struct Tanh { float32x4_t operator()(float32x4_t x) const { return vtanh(x); } };
struct Relu { float32x4_t operator()(float32x4_t x) const { return vmaxq_f32(x, vdupq_n_f32(0.0f)); } };
struct Leaky {
  float32x4_t alpha;
  float32x4_t operator()(float32x4_t x) const {
    return vbslq_f32(vcgtq_f32(x, vdupq_n_f32(0.0f)), x, vmulq_f32(alpha, x));  // NaN -> alpha*NaN
  }
};
struct SigmoidGrad {
  float32x4_t operator()(float32x4_t y, float32x4_t dy) const {
    return vmulq_f32(dy, vmulq_f32(y, vsubq_f32(vdupq_n_f32(1.0f), y)));
  }
};
struct TanhGrad {
  float32x4_t operator()(float32x4_t y, float32x4_t dy) const { return vmulq_f32(dy, vfmsq_f32(vdupq_n_f32(1.0f), y, y)); }
};
struct ReluGrad {
  float32x4_t operator()(float32x4_t x, float32x4_t dy) const {
    const uint32x4_t pos = vcgtq_f32(x, vdupq_n_f32(0.0f));
    const uint32x4_t num = vceqq_f32(x, x);
    const float32x4_t r = vreinterpretq_f32_u32(vandq_u32(pos, vreinterpretq_u32_f32(dy)));
    return vbslq_f32(num, r, x);  // NaN x -> NaN
  }
};
struct LeakyGrad {
  float32x4_t alpha;
  float32x4_t operator()(float32x4_t x, float32x4_t dy) const {
    const uint32x4_t pos = vcgtq_f32(x, vdupq_n_f32(0.0f));
    const uint32x4_t num = vceqq_f32(x, x);
    return vbslq_f32(num, vbslq_f32(pos, dy, vmulq_f32(alpha, dy)), x);
  }
};

template <class Op>
void map1(size_t n, const float* x, float* y, Op op) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const float32x4_t a = vld1q_f32(x + i);
    const float32x4_t b = vld1q_f32(x + i + 4);
    vst1q_f32(y + i, op(a));
    vst1q_f32(y + i + 4, op(b));
  }
  for (; i + 4 <= n; i += 4) vst1q_f32(y + i, op(vld1q_f32(x + i)));
  if (i < n) store_tail(y + i, n - i, op(load_tail(x + i, n - i, 0.0f)));
}

template <class Op>
void map2(size_t n, const float* a, const float* dy, float* dx, Op op) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const float32x4_t r0 = op(vld1q_f32(a + i), vld1q_f32(dy + i));
    const float32x4_t r1 = op(vld1q_f32(a + i + 4), vld1q_f32(dy + i + 4));
    vst1q_f32(dx + i, r0);
    vst1q_f32(dx + i + 4, r1);
  }
  for (; i + 4 <= n; i += 4) vst1q_f32(dx + i, op(vld1q_f32(a + i), vld1q_f32(dy + i)));
  if (i < n) store_tail(dx + i, n - i, op(load_tail(a + i, n - i, 0.0f), load_tail(dy + i, n - i, 0.0f)));
}

void copy(size_t n, const float* x, float* y) {
  if (x == y) return;
  for (size_t i = 0; i < n; ++i) y[i] = x[i];
}

void f32_vunary_forward_ukernel__neon_u8(Act act, float alpha, size_t n, const float* x, float* y) noexcept {
  switch (act) {
    case Act::linear: return copy(n, x, y);
    case Act::sigmoid: return map1(n, x, y, Sigmoid{});
    case Act::tanh: return map1(n, x, y, Tanh{});
    case Act::relu: return map1(n, x, y, Relu{});
    case Act::leaky_relu: return map1(n, x, y, Leaky{vdupq_n_f32(alpha)});
  }
}

void f32_vunary_backward_ukernel__neon_u8(Act act, float alpha, size_t n, const float* x, const float* y,
                                          const float* dy, float* dx) noexcept {
  switch (act) {
    case Act::linear: return copy(n, dy, dx);
    case Act::sigmoid: return map2(n, y, dy, dx, SigmoidGrad{});
    case Act::tanh: return map2(n, y, dy, dx, TanhGrad{});
    case Act::relu: return map2(n, x, dy, dx, ReluGrad{});
    case Act::leaky_relu: return map2(n, x, dy, dx, LeakyGrad{vdupq_n_f32(alpha)});
  }
}

}  // namespace

const VunaryKernels vunary_kernels = {
    f32_vunary_forward_ukernel__neon_u8,
    f32_vunary_backward_ukernel__neon_u8,
};

}  // namespace simdnet::neon
#endif  // SIMDNET_ARM64
