// Max/Min/ArgMax/ArgMin on AArch64 NEON, 4 floats: the shared argreduce-simd.inc,
// instantiated by simd/instantiate-neon.inc.
#include "kernels/argreduce/argreduce.h"
#define SIMDNET_FAMILY_INC "kernels/argreduce/argreduce-simd.inc"
#define SIMDNET_FAMILY_TABLE const ArgreduceKernels argreduce_kernels = kArgreduceKernels
#include "simd/instantiate-neon.inc"
