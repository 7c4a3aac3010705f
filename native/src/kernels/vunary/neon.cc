// Activations on AArch64 NEON, 4 floats: the shared vunary-simd.inc,
// instantiated by simd/instantiate-neon.inc.
#include "kernels/vunary/vunary.h"
#define SIMDNET_FAMILY_INC "kernels/vunary/vunary-simd.inc"
#define SIMDNET_FAMILY_TABLE const VunaryKernels vunary_kernels = kVunaryKernels
#include "simd/instantiate-neon.inc"
