// Scalar inverted dropout (contract: dropout.h; the element code: elem.h).
#include "kernels/dropout/dropout.h"
#include "kernels/dropout/elem.h"

namespace simdnet::scalar {
namespace {

void f32_dropout_ukernel__scalar(size_t n, float rate, uint64_t seed, uint64_t stream, uint64_t offset,
                                 const float* x, float* y, uint8_t* mask) {
  dropout_elem::forward_range(0, n, dropout_elem::consts(rate), seed, stream, offset, x, y, mask);
}

void f32_dropout_backward_ukernel__scalar(size_t n, float rate, const uint8_t* mask, const float* dy, float* dx) {
  dropout_elem::backward_range(0, n, dropout_elem::consts(rate).scale, mask, dy, dx);
}

}  // namespace

const DropoutKernels dropout_kernels = {f32_dropout_ukernel__scalar, f32_dropout_backward_ukernel__scalar};

}  // namespace simdnet::scalar
