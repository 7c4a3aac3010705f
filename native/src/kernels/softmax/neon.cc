// Row softmax on AArch64 NEON, 4 floats: the shared softmax-simd.inc,
// instantiated by simd/instantiate-neon.inc.
#include "kernels/softmax/softmax.h"
#define SIMDNET_FAMILY_INC "kernels/softmax/softmax-simd.inc"
#define SIMDNET_FAMILY_TABLE const SoftmaxKernels softmax_kernels = kSoftmaxKernels
#include "simd/instantiate-neon.inc"
