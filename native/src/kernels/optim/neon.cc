// Optimizer steps on AArch64 NEON, 4 floats: the shared optim-simd.inc,
// instantiated by simd/instantiate-neon.inc.
#include "kernels/optim/elem.h"
#define SIMDNET_FAMILY_INC "kernels/optim/optim-simd.inc"
#define SIMDNET_FAMILY_TABLE const OptimKernels optim_kernels = kOptimKernels
#include "simd/instantiate-neon.inc"
