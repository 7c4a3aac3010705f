// Row softmax on AVX-512, 16 floats with opmask tails: the shared softmax-simd.inc,
// instantiated by simd/instantiate-avx512.inc.
#include "kernels/softmax/softmax.h"
#define SIMDNET_FAMILY_INC "kernels/softmax/softmax-simd.inc"
#define SIMDNET_FAMILY_TABLE const SoftmaxKernels softmax_kernels = kSoftmaxKernels
#include "simd/instantiate-avx512.inc"
