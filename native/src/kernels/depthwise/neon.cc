// Depthwise convolution on AArch64 NEON, 4 floats: the shared depthwise-simd.inc with this ISA's double-lane
// helpers (depthwise-neon.inc), instantiated by simd/instantiate-neon.inc.
#include "kernels/depthwise/depthwise.h"
#define SIMDNET_FAMILY_ISA_INC "kernels/depthwise/depthwise-neon.inc"
#define SIMDNET_FAMILY_INC "kernels/depthwise/depthwise-simd.inc"
#define SIMDNET_FAMILY_TABLE const DepthwiseKernels depthwise_kernels = kDepthwiseKernels
#include "simd/instantiate-neon.inc"
