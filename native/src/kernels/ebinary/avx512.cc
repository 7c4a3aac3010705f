// Element-wise binary ops on AVX-512, 16 floats with opmask tails: the shared ebinary-simd.inc,
// instantiated by simd/instantiate-avx512.inc.
#include "kernels/ebinary/ebinary.h"
#define SIMDNET_FAMILY_INC "kernels/ebinary/ebinary-simd.inc"
#define SIMDNET_FAMILY_TABLE const EbinaryKernels ebinary_kernels = kEbinaryKernels
#include "simd/instantiate-avx512.inc"
