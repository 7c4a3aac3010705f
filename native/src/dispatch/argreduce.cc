// Dispatched max/min/argmax/argmin table: the current ISA's ArgreduceKernels (select.h). Looked up per call, so
// set_isa() takes effect at once; the lookup is a switch on an int, negligible next to any kernel call.
#include "dispatch/select.h"
#include "kernels/argreduce/argreduce.h"

namespace simdnet {

const ArgreduceKernels& argreduce() {
  return select_table(scalar::argreduce_kernels, SIMDNET_AVX2_TABLE(argreduce_kernels),
                      SIMDNET_NEON_TABLE(argreduce_kernels), SIMDNET_AVX512_TABLE(argreduce_kernels));
}

}  // namespace simdnet
