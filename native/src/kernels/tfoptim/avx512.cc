// tfjs-semantics optimizer steps on AVX-512, 16 floats with opmask tails: the shared tfoptim-simd.inc,
// instantiated by simd/instantiate-avx512.inc.
#include "kernels/tfoptim/tfoptim.h"
#define SIMDNET_FAMILY_INC "kernels/tfoptim/tfoptim-simd.inc"
#define SIMDNET_FAMILY_TABLE const TfoptimKernels tfoptim_kernels = kTfoptimKernels
#include "simd/instantiate-avx512.inc"
