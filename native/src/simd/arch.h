// Which architecture this translation unit is compiled for. avx2.cc files wrap their body in #if SIMDNET_X86,
// neon.cc files in #if SIMDNET_ARM64, so every file compiles everywhere (it is just empty on other targets).
#pragma once
#if defined(__x86_64__) || defined(_M_X64)
#define SIMDNET_X86 1
#else
#define SIMDNET_X86 0
#endif
#if defined(__aarch64__) || defined(_M_ARM64)
#define SIMDNET_ARM64 1
#else
#define SIMDNET_ARM64 0
#endif
