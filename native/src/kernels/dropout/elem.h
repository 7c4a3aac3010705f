// Scalar dropout over an index range, shared by scalar.cc (everything) and the SIMD files (heads before a
// Philox block boundary and leftovers), so every ISA produces the same mask bits and the same products.
// `static inline` on purpose (see simd/avx2-begin.h).
#pragma once
#include <cstddef>
#include <cstdint>

#include "kernels/dropout/dropout.h"
#include "kernels/init/philox.h"

namespace simdnet::dropout_elem {

struct Consts {
  uint32_t threshold;  // keep iff (word >> 8) >= threshold  (philox::keep_threshold)
  float scale;         // 1 / (1 - rate), in float as the TS twin does: fround(1 / fround(1 - rate))
};
static inline Consts consts(float rate) { return {philox::keep_threshold(rate), 1.0f / (1.0f - rate)}; }

// Elements [i0, i1): word of element i is Philox word (offset + i) of (seed, stream).
static inline void forward_range(size_t i0, size_t i1, const Consts& c, uint64_t seed, uint64_t stream,
                                 uint64_t offset, const float* x, float* y, uint8_t* mask) {
  uint32_t words[4];
  uint64_t cached = ~uint64_t{0};
  for (size_t i = i0; i < i1; ++i) {
    const uint64_t idx = offset + i;
    if ((idx >> 2) != cached) {
      cached = idx >> 2;
      philox::block64(seed, stream, cached, words);
    }
    const bool keep = (words[idx & 3] >> 8) >= c.threshold;
    mask[i] = keep ? 1 : 0;
    y[i] = x[i] * (keep ? c.scale : 0.0f);  // x * mask * scale, as PyTorch and Keras: a dropped NaN stays NaN
  }
}

static inline void backward_range(size_t i0, size_t i1, float scale, const uint8_t* mask, const float* dy,
                                  float* dx) {
  for (size_t i = i0; i < i1; ++i) dx[i] = dy[i] * (mask[i] ? scale : 0.0f);
}

// Number of leading elements before offset + i reaches a multiple of 4 (a Philox block boundary), capped at n.
static inline size_t head_len(uint64_t offset, size_t n) {
  const size_t h = static_cast<size_t>((4 - (offset & 3)) & 3);
  return h < n ? h : n;
}

}  // namespace simdnet::dropout_elem
