// Inverted dropout: keep element i with probability 1-rate, scale kept ones by 1/(1-rate), so inference is identity.
// The keep decision for element i is uniform01(philox(seed, stream, offset + i)) >= rate (init/rng.h), so a seed
// reproduces the mask; the engine uses a fresh stream per step. rate in [0, 1); rate == 0 copies.
//   forward:  y = x * mask * scale, mask[i] in {0, 1} stored as uint8 for backward
//   backward: dx = dy * mask * scale  (dx may alias dy)
#pragma once
#include <cstddef>
#include <cstdint>

#include "simd/isa-tables.h"

namespace simdnet {

struct DropoutKernels {
  void (*forward)(size_t n, float rate, uint64_t seed, uint64_t stream, uint64_t offset, const float* x, float* y,
                  uint8_t* mask);
  void (*backward)(size_t n, float rate, const uint8_t* mask, const float* dy, float* dx);
};

SIMDNET_ISA_TABLES(DropoutKernels, dropout_kernels)  // scalar::, avx2::, avx512::, neon::dropout_kernels

const DropoutKernels& dropout();  // dispatched table (dispatch/dropout.cc)

}  // namespace simdnet
