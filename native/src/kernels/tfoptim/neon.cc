// tfjs-semantics optimizer steps on AArch64 NEON, 4 floats: the shared tfoptim-simd.inc,
// instantiated by simd/instantiate-neon.inc.
#include "kernels/tfoptim/tfoptim.h"
#define SIMDNET_FAMILY_INC "kernels/tfoptim/tfoptim-simd.inc"
#define SIMDNET_FAMILY_TABLE const TfoptimKernels tfoptim_kernels = kTfoptimKernels
#include "simd/instantiate-neon.inc"
