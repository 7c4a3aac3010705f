// Max/Min/ArgMax/ArgMin on AVX2+FMA, 8 floats: the shared argreduce-simd.inc,
// instantiated by simd/instantiate-avx2.inc.
#include "kernels/argreduce/argreduce.h"
#define SIMDNET_FAMILY_INC "kernels/argreduce/argreduce-simd.inc"
#define SIMDNET_FAMILY_TABLE const ArgreduceKernels argreduce_kernels = kArgreduceKernels
#include "simd/instantiate-avx2.inc"
