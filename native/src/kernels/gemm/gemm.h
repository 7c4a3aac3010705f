// Single-precision GEMM, row-major:   C = act(alpha * op(A) * op(B) + beta * C + bias)
//
//   op(A) is m x k: A itself (lda >= k) or, with trans_a, the transpose of a k x m matrix A (lda >= m);
//   op(B) is k x n: B itself (ldb >= n) or, with trans_b, the transpose of an n x k matrix B (ldb >= k);
//   C is m x n with ldc >= n. beta == 0 never reads C (so C may hold NaN garbage). k == 0 gives act(beta*C + bias).
//   The epilogue is optional (nullptr = no bias, linear): bias has n entries added to every row, then the activation
//   (kernels/vunary semantics) is applied in the same pass over the tile while it is still in registers.
//   These three products are a dense layer's forward (X W), weight gradient (X^T dY) and input gradient (dY W^T).
//
// Strategy (the driver in gemm.cc): small problems go to an unpacked path; larger ones are cache-blocked
// (BLIS loops: NC, KC, MC) with A and B packed into panels of the microkernel's MR x NR tile, and split across the
// runtime thread pool (runtime/threadpool.h). No alignment is assumed on A, B, C (JS views are 4-byte aligned).
#pragma once
#include <cstddef>

#include "kernels/vunary/vunary.h"

namespace simdnet {

struct GemmEpilogue {
  const float* bias = nullptr;  // n floats or nullptr
  Act act = Act::linear;
  float alpha = 0.0f;  // leaky ReLU slope
};

struct GemmArgs {
  bool trans_a = false, trans_b = false;
  size_t m = 0, n = 0, k = 0;
  float alpha = 1.0f;
  const float* a = nullptr;
  size_t lda = 0;
  const float* b = nullptr;
  size_t ldb = 0;
  float beta = 0.0f;
  float* c = nullptr;
  size_t ldc = 0;
  GemmEpilogue ep{};
};

// Dispatched GEMM on the ISA in use with the thread count of the runtime pool (threads = 0) or the given count.
void gemm(const GemmArgs& args, size_t threads = 0);

}  // namespace simdnet
