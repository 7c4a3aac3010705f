// 2-D pooling on AVX-512, 16 floats with opmask tails: the shared pool-simd.inc with this ISA's double-lane helpers
// (pool-avx512.inc), instantiated by simd/instantiate-avx512.inc.
#include "kernels/pool/pool.h"
#define SIMDNET_FAMILY_ISA_INC "kernels/pool/pool-avx512.inc"
#define SIMDNET_FAMILY_INC "kernels/pool/pool-simd.inc"
#define SIMDNET_FAMILY_TABLE const PoolKernels pool_kernels = kPoolKernels
#include "simd/instantiate-avx512.inc"
