// 2-D pooling on AVX2+FMA, 8 floats: the shared pool-simd.inc with this ISA's double-lane helpers
// (pool-avx2.inc), instantiated by simd/instantiate-avx2.inc.
#include "kernels/pool/pool.h"
#define SIMDNET_FAMILY_ISA_INC "kernels/pool/pool-avx2.inc"
#define SIMDNET_FAMILY_INC "kernels/pool/pool-simd.inc"
#define SIMDNET_FAMILY_TABLE const PoolKernels pool_kernels = kPoolKernels
#include "simd/instantiate-avx2.inc"
