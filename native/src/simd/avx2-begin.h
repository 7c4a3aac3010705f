// Compile the rest of this translation unit for AVX2+FMA, per function, without any build flag (the route verified in
// ../shared/TOOLCHAIN.md: the same binary still runs on x86-64 CPUs without AVX; dispatch only calls these functions
// after CPUID+XGETBV said yes).
//
// Rules for kernels/*/avx2.cc:
//   1. include <immintrin.h> and every other header FIRST, then this file, and end the file with avx2-end.h;
//   2. every helper is `static inline` or in an anonymous namespace. A plain `inline` function or a template with
//      external linkage defined here would be AVX2 code that the linker may pick for other TUs too (SIGILL on old CPUs).
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#elif defined(__GNUC__)
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif
