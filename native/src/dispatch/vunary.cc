// Dispatched activation table: the current ISA's VunaryKernels (select.h). Looked up per call, so set_isa() takes
// effect at once; the lookup is a switch on an int, negligible next to any kernel call.
#include "dispatch/select.h"
#include "kernels/vunary/vunary.h"

namespace simdnet {

const VunaryKernels& vunary() {
  return select_table(scalar::vunary_kernels, SIMDNET_AVX2_TABLE(vunary_kernels), SIMDNET_NEON_TABLE(vunary_kernels),
                      SIMDNET_AVX512_TABLE(vunary_kernels));
}

}  // namespace simdnet
