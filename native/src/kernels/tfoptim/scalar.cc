// tfjs-semantics optimizer steps, scalar reference path (contract: tfoptim.h): tfjs's op chain per element in float,
// each operation rounded once. The fallback without AVX2+FMA and the ground truth for test/native/tfoptim-test.cc.
#include <cmath>
#include <cstddef>

#include "kernels/tfoptim/tfoptim.h"

// No FP contraction here either (see tfoptim-simd.inc): on AArch64 every build has FMA, and GCC would fuse a multiply
// feeding an add even across statements.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=off")
#endif

namespace simdnet::scalar {
namespace {

void f32_tfjs_adagrad_ukernel__scalar(size_t n, float lr, float eps, const float* w, const float* g, const float* acc,
                                      float* w_out, float* acc_out) noexcept {
  for (size_t i = 0; i < n; ++i) {
    const float gi = g[i];
    const float sq = gi * gi;
    const float a = acc[i] + sq;
    const float den = std::sqrt(a + eps);
    const float q = gi / den;
    const float step = q * -lr;
    const float wi = step + w[i];
    acc_out[i] = a;
    w_out[i] = wi;
  }
}

void f32_tfjs_rmsprop_ukernel__scalar(size_t n, const TfRmspropArgs& args, const float* w, const float* g,
                                      const float* ms, const float* mg, const float* mom, float* w_out, float* ms_out,
                                      float* mg_out, float* mom_out) noexcept {
  for (size_t i = 0; i < n; ++i) {
    const float gi = g[i];
    const float sq = gi * gi;
    const float s0 = ms[i] * args.decay, s1 = sq * args.omd;
    const float s = s0 + s1;
    const float num = gi * args.lr;
    float c;
    if (args.centered) {
      const float a0 = mg[i] * args.decay, a1 = gi * args.omd;
      const float a = a0 + a1;
      const float a2 = a * a;
      const float inner = a2 + args.eps;
      c = num / std::sqrt(s - inner);
      mg_out[i] = a;
    } else {
      c = num / std::sqrt(s + args.eps);
    }
    const float m0 = mom[i] * args.momentum;
    const float m = m0 + c;
    const float wi = w[i] - m;
    ms_out[i] = s;
    mom_out[i] = m;
    w_out[i] = wi;
  }
}

}  // namespace

const TfoptimKernels tfoptim_kernels = {f32_tfjs_adagrad_ukernel__scalar, f32_tfjs_rmsprop_ukernel__scalar};

}  // namespace simdnet::scalar
