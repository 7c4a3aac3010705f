// Inverted dropout on AVX-512, 16 floats with opmask tails: the shared dropout-simd.inc with this ISA's philox-avx512.inc,
// instantiated by simd/instantiate-avx512.inc.
#include "kernels/dropout/elem.h"
#define SIMDNET_FAMILY_ISA_INC "kernels/dropout/philox-avx512.inc"
#define SIMDNET_FAMILY_INC "kernels/dropout/dropout-simd.inc"
#define SIMDNET_FAMILY_TABLE const DropoutKernels dropout_kernels = kDropoutKernels
#include "simd/instantiate-avx512.inc"
