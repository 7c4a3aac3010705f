// Declares one kernel family's table in every ISA namespace, so a family header names the ISAs in one place:
//   namespace simdnet { SIMDNET_ISA_TABLES(OptimKernels, optim_kernels) }
// declares scalar::, avx2::, avx512:: and neon::optim_kernels. A table absent from a build (avx2/avx512 on arm64,
// neon on x86) is declared but never referenced: dispatch/select.h's SIMDNET_*_TABLE macros pass nullptr there.
#pragma once

#define SIMDNET_ISA_TABLES(Type, name)         \
  namespace scalar { extern const Type name; } \
  namespace avx2 { extern const Type name; }   \
  namespace avx512 { extern const Type name; } \
  namespace neon { extern const Type name; }
