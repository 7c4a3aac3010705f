// 2-D pooling on AArch64 NEON, 4 floats: the shared pool-simd.inc with this ISA's double-lane helpers
// (pool-neon.inc), instantiated by simd/instantiate-neon.inc.
#include "kernels/pool/pool.h"
#define SIMDNET_FAMILY_ISA_INC "kernels/pool/pool-neon.inc"
#define SIMDNET_FAMILY_INC "kernels/pool/pool-simd.inc"
#define SIMDNET_FAMILY_TABLE const PoolKernels pool_kernels = kPoolKernels
#include "simd/instantiate-neon.inc"
