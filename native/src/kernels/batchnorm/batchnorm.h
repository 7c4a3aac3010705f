// Batch normalization over the batch axis of an m x n row-major matrix (one statistic per feature column), Keras
// semantics: running = momentum*running + (1-momentum)*batch_stat with the *biased* batch variance, eps added to the
// variance; gamma (scale) and beta (center) may be nullptr when the layer has scale/center off (then 1 and 0).
//   forward_train: mean, var over rows; y = gamma*(x-mean)/sqrt(var+eps) + beta; saves mean and inv_std for
//                  backward; updates running stats when they are non-null.
//   forward_infer: uses running mean/var.
//   backward:      given dy, x and the saved mean/inv_std: dgamma = sum dy*xhat, dbeta = sum dy,
//                  dx = gamma*inv_std/m * (m*dy - sum(dy) - xhat*sum(dy*xhat)). dgamma/dbeta may be nullptr.
// m >= 1 for forward_train/backward. In place: y may alias x, dx may alias dy (or x). No allocation (the drivers
// keep per-column sums for blocks of 256 columns on the stack; kernels/batchnorm/driver.inc).
#pragma once
#include <cstddef>

#include "simd/isa-tables.h"

namespace simdnet {

struct BatchNormKernels {
  void (*forward_train)(size_t m, size_t n, float momentum, float eps, const float* x, const float* gamma,
                        const float* beta, float* running_mean, float* running_var, float* save_mean,
                        float* save_inv_std, float* y);
  void (*forward_infer)(size_t m, size_t n, float eps, const float* x, const float* gamma, const float* beta,
                        const float* running_mean, const float* running_var, float* y);
  void (*backward)(size_t m, size_t n, const float* x, const float* dy, const float* gamma, const float* save_mean,
                   const float* save_inv_std, float* dx, float* dgamma, float* dbeta);
};

SIMDNET_ISA_TABLES(BatchNormKernels, batchnorm_kernels)  // scalar::, avx2::, avx512::, neon::batchnorm_kernels

const BatchNormKernels& batchnorm();  // dispatched table (dispatch/batchnorm.cc)

}  // namespace simdnet
