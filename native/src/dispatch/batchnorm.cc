// Dispatched batch-norm table (kernels/batchnorm/batchnorm.h): the table of the ISA in use.
#include "dispatch/select.h"
#include "kernels/batchnorm/batchnorm.h"

namespace simdnet {

const BatchNormKernels& batchnorm() {
  return select_table(scalar::batchnorm_kernels, SIMDNET_AVX2_TABLE(batchnorm_kernels),
                      SIMDNET_NEON_TABLE(batchnorm_kernels),
                      SIMDNET_AVX512_TABLE(batchnorm_kernels));
}

}  // namespace simdnet
