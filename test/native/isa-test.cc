// Dispatch facts: scalar is always available, set_isa refuses what the CPU lacks, the best ISA comes first.
#include "check.h"

using namespace simdnet;

TEST(scalar_always_available) {
  EXPECT(isa_supported(Isa::scalar));
  auto v = available_isas();
  EXPECT(!v.empty() && v.back() == Isa::scalar);
}

TEST(set_isa_refuses_unsupported) {
  const Isa before = current_isa();
  for (Isa i : {Isa::scalar, Isa::avx2, Isa::avx512, Isa::neon})
    if (!isa_supported(i)) EXPECT(!set_isa(i));
  EXPECT(current_isa() == before);
}

TEST(parse_names_round_trip) {
  for (Isa i : {Isa::scalar, Isa::avx2, Isa::avx512, Isa::neon}) {
    Isa out;
    EXPECT(parse_isa(isa_name(i), &out) && out == i);
  }
  Isa out;
  EXPECT(!parse_isa("sse", &out));
}

// The best ISA comes first, and the AVX-512 tier implies the AVX2 one (its CPUs run AVX2 tables for any family that
// has no AVX-512 kernels, select.h).
TEST(best_first_and_avx512_implies_avx2) {
  auto v = available_isas();
  if (isa_supported(Isa::avx512)) {
    EXPECT(v.front() == Isa::avx512);
    EXPECT(isa_supported(Isa::avx2));
  } else if (isa_supported(Isa::avx2)) {
    EXPECT(v.front() == Isa::avx2);
  }
}

CHECK_MAIN()
