// Inverted dropout on AArch64 NEON, 4 floats: the shared dropout-simd.inc with this ISA's philox-neon.inc,
// instantiated by simd/instantiate-neon.inc.
#include "kernels/dropout/elem.h"
#define SIMDNET_FAMILY_ISA_INC "kernels/dropout/philox-neon.inc"
#define SIMDNET_FAMILY_INC "kernels/dropout/dropout-simd.inc"
#define SIMDNET_FAMILY_TABLE const DropoutKernels dropout_kernels = kDropoutKernels
#include "simd/instantiate-neon.inc"
