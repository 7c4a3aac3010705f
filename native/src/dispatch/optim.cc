// Dispatched optimizer table (kernels/optim/optim.h): the table of the ISA in use.
#include "dispatch/select.h"
#include "kernels/optim/optim.h"

namespace simdnet {

const OptimKernels& optim() {
  return select_table(scalar::optim_kernels, SIMDNET_AVX2_TABLE(optim_kernels), SIMDNET_NEON_TABLE(optim_kernels),
                      SIMDNET_AVX512_TABLE(optim_kernels));
}

}  // namespace simdnet
