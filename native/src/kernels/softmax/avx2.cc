// Row softmax on AVX2+FMA, 8 floats: the shared softmax-simd.inc,
// instantiated by simd/instantiate-avx2.inc.
#include "kernels/softmax/softmax.h"
#define SIMDNET_FAMILY_INC "kernels/softmax/softmax-simd.inc"
#define SIMDNET_FAMILY_TABLE const SoftmaxKernels softmax_kernels = kSoftmaxKernels
#include "simd/instantiate-avx2.inc"
