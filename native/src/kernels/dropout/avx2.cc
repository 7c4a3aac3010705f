// Inverted dropout on AVX2+FMA, 8 floats: the shared dropout-simd.inc with this ISA's philox-avx2.inc,
// instantiated by simd/instantiate-avx2.inc.
#include "kernels/dropout/elem.h"
#define SIMDNET_FAMILY_ISA_INC "kernels/dropout/philox-avx2.inc"
#define SIMDNET_FAMILY_INC "kernels/dropout/dropout-simd.inc"
#define SIMDNET_FAMILY_TABLE const DropoutKernels dropout_kernels = kDropoutKernels
#include "simd/instantiate-avx2.inc"
