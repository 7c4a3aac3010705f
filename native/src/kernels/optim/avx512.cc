// Optimizer steps on AVX-512, 16 floats with opmask tails: the shared optim-simd.inc,
// instantiated by simd/instantiate-avx512.inc.
#include "kernels/optim/elem.h"
#define SIMDNET_FAMILY_INC "kernels/optim/optim-simd.inc"
#define SIMDNET_FAMILY_TABLE const OptimKernels optim_kernels = kOptimKernels
#include "simd/instantiate-avx512.inc"
