// Losses over a batch of m rows with n outputs each (row-major, leading dimension n). Each returns the loss value
// (Keras semantics: per-sample loss averaged over the batch; for MSE/BCE the per-sample loss is the mean over the n
// outputs) and, when grad != nullptr, writes d(loss)/d(input) into grad (m x n) -- already divided by the batch, so
// the engine back-propagates it as is. Accumulation is in double. Inputs are not modified; grad may alias pred/logits.
//
//   mse:               mean((p - t)^2)                             grad = 2 (p - t) / (m n)
//   bce_prob:          -mean(t log p' + (1-t) log(1-p')), p' = clip(p, eps, 1-eps)   (Keras epsilon 1e-7)
//   bce_logits:        mean(max(z,0) - z t + log1p(exp(-|z|)))      grad = (sigmoid(z) - t) / (m n)
//   cce_prob:          mean_r(-sum_j t log clip(p / sum_j p, eps, 1-eps))   (Keras: renormalise, then clip)
//   softmax_cce:       logits z, temperature T: p = softmax(z/T);   loss = mean_r(-sum_j t log p)   grad = (p - t)/(T m)
//   sparse_softmax_cce: labels[r] in [0, n) (int32), otherwise as softmax_cce with a one-hot t. A label out of range
//                      makes the call return NaN and that grad row NaN (callers validate first).
// Details: the clip bounds are the float32 values eps and fl(1 - eps) (Keras clips in float32) and the gradient is 0
// where a clip is active; softmax_cce's grad is the exact (p * sum_j t - t)/(T m), equal to (p - t)/(T m) when rows of
// t sum to 1; m == 0 or n == 0 returns NaN and writes nothing.
// Per-sample weights: every loss takes w (m floats, or nullptr = unweighted, the fast path). Keras 3's reduction
// 'sum_over_batch_size' (keras/src/losses/loss.py reduce_weighted_values): loss = sum_r w_r l_r / m, NOT divided by
// sum(w); row r's gradient is scaled by w_r.
//
// Element-wise losses (Keras 3.15 keras/src/losses/losses.py), one entry `elementwise(kind, param, ...)`; e = p - t;
// the per-sample loss is the mean over the n outputs (KLD: the sum), then reduced as Keras's 'sum_over_batch_size':
// loss = sum_r w_r l_r / m with per-sample weights w (m floats; nullptr = all 1), grad row r scaled by w_r / m.
//   mae:            |e|                                  d/dp = sign(e) (0 at e == 0, as TF's abs)
//   huber(delta):   |e| <= delta ? e^2/2 : delta |e| - delta^2/2      d/dp = |e| <= delta ? e : delta sign(e)
//   log_cosh:       |e| + log1p(exp(-2|e|)) - log 2  (= Keras's e + softplus(-2e) - log 2)   d/dp = tanh(e)
//   hinge:          max(1 - t' p, 0)                     d/dp = -t' where 1 - t' p >= 0 (TF's maximum: ties to x)
//   squared_hinge:  max(1 - t' p, 0)^2                   d/dp = -2 t' max(1 - t' p, 0)
//                   t' = 2t - 1 when every t of the call is 0 or 1 (Keras convert_binary_labels_to_hinge), else t
//   kld(eps):       sum_j tc log(tc / pc), tc, pc = clip(t, p into [eps, 1])    d/dp = -tc / pc, 0 where p is clipped
//   poisson(eps):   p - t log(p + eps)                   d/dp = 1 - t / (p + eps)
#pragma once
#include <cstddef>
#include <cstdint>

#include "simd/isa-tables.h"

namespace simdnet {

enum class ElemLoss : int { mae, huber, log_cosh, hinge, squared_hinge, kld, poisson };

struct LossKernels {
  double (*mse)(size_t m, size_t n, const float* t, const float* p, const float* w, float* grad);
  double (*bce_prob)(size_t m, size_t n, float eps, const float* t, const float* p, const float* w, float* grad);
  double (*bce_logits)(size_t m, size_t n, const float* t, const float* z, const float* w, float* grad);
  double (*cce_prob)(size_t m, size_t n, float eps, const float* t, const float* p, const float* w, float* grad);
  double (*softmax_cce)(size_t m, size_t n, float temperature, const float* t, const float* z, const float* w,
                        float* grad);
  double (*sparse_softmax_cce)(size_t m, size_t n, float temperature, const int32_t* labels, const float* z,
                               const float* w, float* grad);
  // param: huber's delta (> 0), kld's and poisson's eps; ignored by the others.
  double (*elementwise)(ElemLoss kind, size_t m, size_t n, float param, const float* t, const float* p,
                        const float* w, float* grad);
};

SIMDNET_ISA_TABLES(LossKernels, loss_kernels)  // scalar::, avx2::, avx512::, neon::loss_kernels

const LossKernels& loss();  // dispatched table (dispatch/loss.cc)

}  // namespace simdnet
