// Losses on AVX-512, 16 floats with opmask tails: the shared loss-simd.inc,
// instantiated by simd/instantiate-avx512.inc.
#include "kernels/loss/loss.h"
#define SIMDNET_FAMILY_INC "kernels/loss/loss-simd.inc"
#define SIMDNET_FAMILY_TABLE const LossKernels loss_kernels = kLossKernels
#include "simd/instantiate-avx512.inc"
