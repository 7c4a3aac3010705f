// Depthwise convolution on AVX-512, 16 floats with opmask tails: the shared depthwise-simd.inc with this ISA's double-lane
// helpers (depthwise-avx512.inc), instantiated by simd/instantiate-avx512.inc.
#include "kernels/depthwise/depthwise.h"
#define SIMDNET_FAMILY_ISA_INC "kernels/depthwise/depthwise-avx512.inc"
#define SIMDNET_FAMILY_INC "kernels/depthwise/depthwise-simd.inc"
#define SIMDNET_FAMILY_TABLE const DepthwiseKernels depthwise_kernels = kDepthwiseKernels
#include "simd/instantiate-avx512.inc"
