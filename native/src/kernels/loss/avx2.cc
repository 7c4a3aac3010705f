// Losses on AVX2+FMA, 8 floats: the shared loss-simd.inc,
// instantiated by simd/instantiate-avx2.inc.
#include "kernels/loss/loss.h"
#define SIMDNET_FAMILY_INC "kernels/loss/loss-simd.inc"
#define SIMDNET_FAMILY_TABLE const LossKernels loss_kernels = kLossKernels
#include "simd/instantiate-avx2.inc"
