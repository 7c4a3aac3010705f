// Dispatched element-wise binary table: the current ISA's EbinaryKernels (select.h). Looked up per call, so set_isa()
// takes effect at once; the lookup is a switch on an int, negligible next to any kernel call.
#include "dispatch/select.h"
#include "kernels/ebinary/ebinary.h"

namespace simdnet {

const EbinaryKernels& ebinary() {
  return select_table(scalar::ebinary_kernels, SIMDNET_AVX2_TABLE(ebinary_kernels),
                      SIMDNET_NEON_TABLE(ebinary_kernels), SIMDNET_AVX512_TABLE(ebinary_kernels));
}

}  // namespace simdnet
