// Losses on AArch64 NEON, 4 floats: the shared loss-simd.inc,
// instantiated by simd/instantiate-neon.inc.
#include "kernels/loss/loss.h"
#define SIMDNET_FAMILY_INC "kernels/loss/loss-simd.inc"
#define SIMDNET_FAMILY_TABLE const LossKernels loss_kernels = kLossKernels
#include "simd/instantiate-neon.inc"
