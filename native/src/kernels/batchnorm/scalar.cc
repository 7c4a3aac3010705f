// Scalar batch normalization (contract: batchnorm.h): rows-scalar.h plugged into driver.inc.
#include <cmath>
#include <cstddef>

#include "kernels/batchnorm/batchnorm.h"
#include "kernels/batchnorm/rows-scalar.h"

namespace simdnet::scalar {
namespace {

static inline void row_add(size_t len, const float* x, const float* shift, float* acc) {
  batchnorm_rows::add(0, len, x, shift, acc);
}
static inline void row_sqdiff(size_t len, const float* x, const float* shift, const float* rel, float* acc) {
  batchnorm_rows::sqdiff(0, len, x, shift, rel, acc);
}
static inline void row_affine(size_t len, const float* x, const float* shift, const float* rel, const float* a,
                              const float* b, float* y) {
  batchnorm_rows::affine(0, len, x, shift, rel, a, b, y);
}
static inline void row_bwd_acc(size_t len, const float* x, const float* dy, const float* mean, const float* inv,
                               float* sdy, float* sdyx) {
  batchnorm_rows::bwd_acc(0, len, x, dy, mean, inv, sdy, sdyx);
}
static inline void row_bwd_dx(size_t len, const float* x, const float* dy, const float* mean, const float* inv,
                              const float* k, float fm, const float* sdy, const float* sdyx, float* dx) {
  batchnorm_rows::bwd_dx(0, len, x, dy, mean, inv, k, fm, sdy, sdyx, dx);
}

#include "kernels/batchnorm/driver.inc"

}  // namespace

const BatchNormKernels batchnorm_kernels = {f32_batchnorm_forward_train, f32_batchnorm_forward_infer,
                                            f32_batchnorm_backward};

}  // namespace simdnet::scalar
