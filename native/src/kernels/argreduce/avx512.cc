// Max/Min/ArgMax/ArgMin on AVX-512, 16 floats with opmask tails: the shared argreduce-simd.inc,
// instantiated by simd/instantiate-avx512.inc.
#include "kernels/argreduce/argreduce.h"
#define SIMDNET_FAMILY_INC "kernels/argreduce/argreduce-simd.inc"
#define SIMDNET_FAMILY_TABLE const ArgreduceKernels argreduce_kernels = kArgreduceKernels
#include "simd/instantiate-avx512.inc"
