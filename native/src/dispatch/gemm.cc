// GEMM dispatch: the microkernel table of the ISA in use, and the public entry points over the shared driver.
#include "kernels/gemm/gemm.h"

#include "dispatch/select.h"

namespace simdnet {

const GemmKernels& gemm_kernels() {
  return select_table(scalar::gemm_kernels, SIMDNET_AVX2_TABLE(gemm_kernels), SIMDNET_NEON_TABLE(gemm_kernels),
                      SIMDNET_AVX512_TABLE(gemm_kernels));
}

void gemm(const GemmArgs& args, size_t threads) { gemm_run(gemm_kernels(), args, threads); }

double fma_peak(double ms, size_t threads) { return fma_peak_run(gemm_kernels(), ms, threads); }

}  // namespace simdnet
