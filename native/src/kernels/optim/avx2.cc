// Optimizer steps on AVX2+FMA, 8 floats: the shared optim-simd.inc,
// instantiated by simd/instantiate-avx2.inc.
#include "kernels/optim/elem.h"
#define SIMDNET_FAMILY_INC "kernels/optim/optim-simd.inc"
#define SIMDNET_FAMILY_TABLE const OptimKernels optim_kernels = kOptimKernels
#include "simd/instantiate-avx2.inc"
