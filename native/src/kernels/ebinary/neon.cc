// Element-wise binary ops on AArch64 NEON, 4 floats: the shared ebinary-simd.inc,
// instantiated by simd/instantiate-neon.inc.
#include "kernels/ebinary/ebinary.h"
#define SIMDNET_FAMILY_INC "kernels/ebinary/ebinary-simd.inc"
#define SIMDNET_FAMILY_TABLE const EbinaryKernels ebinary_kernels = kEbinaryKernels
#include "simd/instantiate-neon.inc"
