// Dispatched activation table: the current ISA's VunaryKernels (select.h). Looked up per call, so set_isa() takes
// effect at once; the lookup is a switch on an int, negligible next to any kernel call.
#include "dispatch/select.h"
#include "kernels/vunary/vunary.h"

namespace simdnet {

const VunaryKernels& vunary() {
  // Until the AVX2/NEON tables exist every ISA uses the scalar path.
  return select_table<VunaryKernels>(scalar::vunary_kernels, nullptr, nullptr);
}

}  // namespace simdnet
