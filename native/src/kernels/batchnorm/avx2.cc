// Batch norm on AVX2+FMA, 8 floats: the shared batchnorm-simd.inc,
// instantiated by simd/instantiate-avx2.inc.
#include "kernels/batchnorm/rows-scalar.h"
#include "kernels/batchnorm/batchnorm.h"
#define SIMDNET_FAMILY_INC "kernels/batchnorm/batchnorm-simd.inc"
#define SIMDNET_FAMILY_TABLE const BatchNormKernels batchnorm_kernels = kBatchNormKernels
#include "simd/instantiate-avx2.inc"
