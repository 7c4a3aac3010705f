// Picks one ISA's kernel table for the ISA in use. Each family's dispatch file (dispatch/<family>.cc) calls
//   select_table(scalar::vunary_kernels, SIMDNET_AVX2_TABLE(vunary_kernels), SIMDNET_NEON_TABLE(vunary_kernels))
// and forwards its ops to the result. A table missing from this build (AVX2 on arm64, NEON on x86) is nullptr.
// Families with an AVX-512 table pass SIMDNET_AVX512_TABLE(name) as a fourth argument; on the avx512 ISA a family
// without one (nullptr) runs its AVX2 table, which every AVX-512 CPU can execute.
#pragma once
#include "dispatch/isa.h"
#include "simd/arch.h"

#if SIMDNET_X86
#define SIMDNET_AVX2_TABLE(name) (&::simdnet::avx2::name)
#else
#define SIMDNET_AVX2_TABLE(name) (static_cast<decltype(&::simdnet::scalar::name)>(nullptr))
#endif
#if SIMDNET_X86
#define SIMDNET_AVX512_TABLE(name) (&::simdnet::avx512::name)
#else
#define SIMDNET_AVX512_TABLE(name) (static_cast<decltype(&::simdnet::scalar::name)>(nullptr))
#endif
#if SIMDNET_ARM64
#define SIMDNET_NEON_TABLE(name) (&::simdnet::neon::name)
#else
#define SIMDNET_NEON_TABLE(name) (static_cast<decltype(&::simdnet::scalar::name)>(nullptr))
#endif

namespace simdnet {

template <class Table>
const Table& select_table(const Table& scalar, const Table* avx2, const Table* neon, const Table* avx512 = nullptr) {
  switch (current_isa()) {
    case Isa::avx512:
      if (avx512) return *avx512;
      if (avx2) return *avx2;
      break;
    case Isa::avx2:
      if (avx2) return *avx2;
      break;
    case Isa::neon:
      if (neon) return *neon;
      break;
    default:
      break;
  }
  return scalar;
}

}  // namespace simdnet
