// Dispatched reductions table for the current ISA (select.h).
#include "dispatch/select.h"
#include "kernels/reduce/reduce.h"

namespace simdnet {

const ReduceKernels& reduce() {
  return select_table(scalar::reduce_kernels, SIMDNET_AVX2_TABLE(reduce_kernels), SIMDNET_NEON_TABLE(reduce_kernels),
                      SIMDNET_AVX512_TABLE(reduce_kernels));
}

}  // namespace simdnet
