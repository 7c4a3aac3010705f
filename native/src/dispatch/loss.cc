// Dispatched loss table for the current ISA (select.h).
#include "dispatch/select.h"
#include "kernels/loss/loss.h"

namespace simdnet {

const LossKernels& loss() {
  return select_table(scalar::loss_kernels, SIMDNET_AVX2_TABLE(loss_kernels), SIMDNET_NEON_TABLE(loss_kernels),
                      SIMDNET_AVX512_TABLE(loss_kernels));
}

}  // namespace simdnet
