// Depthwise convolution on AVX2+FMA, 8 floats: the shared depthwise-simd.inc with this ISA's double-lane
// helpers (depthwise-avx2.inc), instantiated by simd/instantiate-avx2.inc.
#include "kernels/depthwise/depthwise.h"
#define SIMDNET_FAMILY_ISA_INC "kernels/depthwise/depthwise-avx2.inc"
#define SIMDNET_FAMILY_INC "kernels/depthwise/depthwise-simd.inc"
#define SIMDNET_FAMILY_TABLE const DepthwiseKernels depthwise_kernels = kDepthwiseKernels
#include "simd/instantiate-avx2.inc"
