// Reductions on AVX2+FMA, 8 floats: the shared reduce-simd.inc,
// instantiated by simd/instantiate-avx2.inc.
#include "kernels/reduce/reduce.h"
#define SIMDNET_FAMILY_INC "kernels/reduce/reduce-simd.inc"
#define SIMDNET_FAMILY_TABLE const ReduceKernels reduce_kernels = kReduceKernels
#include "simd/instantiate-avx2.inc"
