// Compile the rest of this translation unit for AVX-512 (F, DQ, BW, VL) plus AVX2+FMA, per function, without any build
// flag: the same route as simd/avx2-begin.h (see its rules, which apply here unchanged: include every header first,
// then this file; end with avx512-end.h; every helper `static inline` or in an anonymous namespace). Dispatch only
// calls these functions after CPUID+XGETBV reported AVX-512F/DQ/BW/VL and opmask/ZMM state (dispatch/isa.cc).
// Kernels live in namespace simdnet::avx512 in kernels/*/avx512.cc; tools/check-avx2-isolation.sh allows EVEX code
// only there.
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma"))), apply_to = function)
#elif defined(__GNUC__)
#pragma GCC push_options
#pragma GCC target("avx512f,avx512dq,avx512bw,avx512vl,avx2,fma")
#endif
