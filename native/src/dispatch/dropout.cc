// Dispatched dropout table (kernels/dropout/dropout.h): the table of the ISA in use.
#include "dispatch/select.h"
#include "kernels/dropout/dropout.h"

namespace simdnet {

const DropoutKernels& dropout() {
  return select_table(scalar::dropout_kernels, SIMDNET_AVX2_TABLE(dropout_kernels), SIMDNET_NEON_TABLE(dropout_kernels),
                      SIMDNET_AVX512_TABLE(dropout_kernels));
}

}  // namespace simdnet
