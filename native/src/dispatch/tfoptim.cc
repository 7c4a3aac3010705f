// Dispatched tfjs-semantics optimizer table: the current ISA's TfoptimKernels (select.h). Looked up per call, so
// set_isa() takes effect at once; the lookup is a switch on an int, negligible next to any kernel call.
#include "dispatch/select.h"
#include "kernels/tfoptim/tfoptim.h"

namespace simdnet {

const TfoptimKernels& tfoptim() {
  return select_table(scalar::tfoptim_kernels, SIMDNET_AVX2_TABLE(tfoptim_kernels),
                      SIMDNET_NEON_TABLE(tfoptim_kernels), SIMDNET_AVX512_TABLE(tfoptim_kernels));
}

}  // namespace simdnet
