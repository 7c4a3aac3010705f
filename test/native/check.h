// A minimal test harness for the C++ suites (header-only so the same tests cross-compile for aarch64 and run under
// qemu with no test library for that target). Each *-test.cc defines TESTs; main() runs them on every ISA the CPU
// supports and prints "N passed, N failed"; the exit code is non-zero on any failure (ctest reads that).
#pragma once
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "dispatch/isa.h"

namespace check {

struct Case {
  const char* name;
  std::function<void()> fn;
};
inline std::vector<Case>& cases() {
  static std::vector<Case> v;
  return v;
}
inline int& failures() {
  static int f = 0;
  return f;
}
struct Reg {
  Reg(const char* name, std::function<void()> fn) { cases().push_back({name, std::move(fn)}); }
};

// |got - want| <= atol + rtol*|want|, NaN matches NaN, equal infinities match.
inline bool close(double got, double want, double atol, double rtol) {
  if (std::isnan(want)) return std::isnan(got);
  if (std::isinf(want)) return got == want;
  return std::fabs(got - want) <= atol + rtol * std::fabs(want);
}

}  // namespace check

#define CHECK_CONCAT2(a, b) a##b
#define CHECK_CONCAT(a, b) CHECK_CONCAT2(a, b)
#define TEST(name)                                                   \
  static void name();                                                \
  static ::check::Reg CHECK_CONCAT(check_reg_, name)(#name, name);   \
  static void name()

#define EXPECT(cond)                                                                                 \
  do {                                                                                               \
    if (!(cond)) {                                                                                   \
      std::printf("  FAIL %s:%d [%s]: %s\n", __FILE__, __LINE__,                                     \
                  ::simdnet::isa_name(::simdnet::current_isa()), #cond);                            \
      ++::check::failures();                                                                         \
    }                                                                                                \
  } while (0)

// Checks got[i] against want[i] for i < n; prints the first few mismatches with index, ISA and a context string.
#define EXPECT_CLOSE_ARRAY(got, want, n, atol, rtol, ctx)                                                   \
  do {                                                                                                     \
    int shown_ = 0;                                                                                        \
    for (size_t i_ = 0; i_ < (size_t)(n); ++i_) {                                                          \
      if (!::check::close((got)[i_], (want)[i_], (atol), (rtol))) {                                        \
        if (shown_++ < 5)                                                                                  \
          std::printf("  FAIL %s:%d [%s] %s: index %zu got %.9g want %.9g\n", __FILE__, __LINE__,            \
                      ::simdnet::isa_name(::simdnet::current_isa()), std::string(ctx).c_str(), i_,        \
                      (double)(got)[i_], (double)(want)[i_]);                                              \
      }                                                                                                    \
    }                                                                                                      \
    if (shown_) ++::check::failures();                                                                     \
  } while (0)

namespace check {

// `--shard=i/n` (CMakeLists.txt registers the slow suites as n ctest entries): this process runs only the
// (ISA, TEST) runs with (ISA number + TEST number) mod n == i, so the runs of one suite spread over the cores that
// ctest --parallel has. Why: under qemu-aarch64 gemm-test alone took 245 s of CI's ctest arm64 stage, on one core
// while the other sat idle. A TEST's runs on consecutive ISAs go to different shards, and so do consecutive TESTs.
inline bool shard_arg(int argc, char** argv, unsigned& index, unsigned& count) {
  index = 0;
  count = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::sscanf(argv[i], "--shard=%u/%u", &index, &count) == 2 && count > 0 && index < count) continue;
    std::fprintf(stderr, "usage: %s [--shard=i/n]\n", argv[0]);
    return false;
  }
  return true;
}

}  // namespace check

// Runs every TEST once per supported ISA (or this shard's share of those runs); prints the plain summary line.
#define CHECK_MAIN()                                                                                         \
  int main(int argc, char** argv) {                                                                          \
    unsigned shard = 0, shards = 1, isa_no = 0;                                                              \
    if (!::check::shard_arg(argc, argv, shard, shards)) return 2;                                            \
    int passed = 0, failed = 0;                                                                              \
    for (::simdnet::Isa isa : ::simdnet::available_isas()) {                                                 \
      ::simdnet::set_isa(isa);                                                                               \
      unsigned case_no = 0;                                                                                  \
      for (auto& c : ::check::cases()) {                                                                     \
        if ((isa_no + case_no++) % shards != shard) continue;                                                \
        const int before = ::check::failures();                                                             \
        c.fn();                                                                                              \
        const bool ok = ::check::failures() == before;                                                      \
        std::printf("%s %s [%s]\n", ok ? "ok  " : "FAIL", c.name, ::simdnet::isa_name(isa));               \
        (ok ? passed : failed)++;                                                                            \
      }                                                                                                      \
      ++isa_no;                                                                                              \
    }                                                                                                        \
    std::printf("%d passed, %d failed\n", passed, failed);                                                  \
    return failed ? 1 : 0;                                                                                   \
  }
