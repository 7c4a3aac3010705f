// tfjs-semantics optimizer steps on AVX2+FMA, 8 floats: the shared tfoptim-simd.inc,
// instantiated by simd/instantiate-avx2.inc.
#include "kernels/tfoptim/tfoptim.h"
#define SIMDNET_FAMILY_INC "kernels/tfoptim/tfoptim-simd.inc"
#define SIMDNET_FAMILY_TABLE const TfoptimKernels tfoptim_kernels = kTfoptimKernels
#include "simd/instantiate-avx2.inc"
