// Dispatched row-softmax table for the current ISA (select.h).
#include "dispatch/select.h"
#include "kernels/softmax/softmax.h"

namespace simdnet {

const SoftmaxKernels& softmax() {
  return select_table(scalar::softmax_kernels, SIMDNET_AVX2_TABLE(softmax_kernels), SIMDNET_NEON_TABLE(softmax_kernels),
                      SIMDNET_AVX512_TABLE(softmax_kernels));
}

}  // namespace simdnet
