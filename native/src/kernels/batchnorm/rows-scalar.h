// Scalar row operations of driver.inc (also the leftovers of the SIMD rows). `static inline` (simd/avx2-begin.h).
#pragma once
#include <cstddef>

namespace simdnet::batchnorm_rows {

static inline void add(size_t j, size_t len, const float* x, const float* shift, float* acc) {
  for (; j < len; ++j) acc[j] += x[j] - shift[j];
}
static inline void sqdiff(size_t j, size_t len, const float* x, const float* shift, const float* rel, float* acc) {
  for (; j < len; ++j) {
    const float d = (x[j] - shift[j]) - rel[j];
    acc[j] += d * d;
  }
}
static inline void affine(size_t j, size_t len, const float* x, const float* shift, const float* rel, const float* a,
                          const float* b, float* y) {
  for (; j < len; ++j) y[j] = ((x[j] - shift[j]) - rel[j]) * a[j] + b[j];
}
static inline void bwd_acc(size_t j, size_t len, const float* x, const float* dy, const float* mean, const float* inv,
                           float* sdy, float* sdyx) {
  for (; j < len; ++j) {
    sdy[j] += dy[j];
    sdyx[j] += dy[j] * ((x[j] - mean[j]) * inv[j]);
  }
}
static inline void bwd_dx(size_t j, size_t len, const float* x, const float* dy, const float* mean, const float* inv,
                          const float* k, float fm, const float* sdy, const float* sdyx, float* dx) {
  for (; j < len; ++j) {
    const float xhat = (x[j] - mean[j]) * inv[j];
    dx[j] = k[j] * (fm * dy[j] - sdy[j] - xhat * sdyx[j]);
  }
}

}  // namespace simdnet::batchnorm_rows
