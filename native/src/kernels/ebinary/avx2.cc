// Element-wise binary ops on AVX2+FMA, 8 floats: the shared ebinary-simd.inc,
// instantiated by simd/instantiate-avx2.inc.
#include "kernels/ebinary/ebinary.h"
#define SIMDNET_FAMILY_INC "kernels/ebinary/ebinary-simd.inc"
#define SIMDNET_FAMILY_TABLE const EbinaryKernels ebinary_kernels = kEbinaryKernels
#include "simd/instantiate-avx2.inc"
