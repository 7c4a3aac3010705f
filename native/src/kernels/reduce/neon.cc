// Reductions on AArch64 NEON, 4 floats: the shared reduce-simd.inc,
// instantiated by simd/instantiate-neon.inc.
#include "kernels/reduce/reduce.h"
#define SIMDNET_FAMILY_INC "kernels/reduce/reduce-simd.inc"
#define SIMDNET_FAMILY_TABLE const ReduceKernels reduce_kernels = kReduceKernels
#include "simd/instantiate-neon.inc"
