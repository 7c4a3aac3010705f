// Instruction-set selection: which kernel table every dispatched op uses.
//
// Detected once (isa.cc): x86-64 avx2 needs AVX2 and FMA in CPUID *and* YMM state enabled by the OS (XGETBV);
// avx512 needs that plus AVX-512F/DQ/BW/VL in CPUID and opmask + ZMM state enabled (XCR0 bits 1, 2, 5, 6, 7);
// AArch64 always has NEON. Best first: avx512, avx2, neon, scalar.
// SIMDNET_ISA=scalar|avx2|avx512|neon in the environment forces a path at load and fails loudly
// (std::runtime_error -> JS Error at require time) when the CPU lacks it, like BLIS's BLIS_ARCH_TYPE.
// set_isa() lets tests drive every available variant in one process.
#pragma once
#include <string>
#include <vector>

namespace simdnet {

enum class Isa : int { scalar = 0, avx2 = 1, neon = 2, avx512 = 3 };
constexpr int kIsaCount = 4;

const char* isa_name(Isa isa) noexcept;
bool parse_isa(const std::string& name, Isa* out) noexcept;

// True when this build contains the ISA's kernels and the CPU (and OS) can run them.
bool isa_supported(Isa isa) noexcept;
// Supported ISAs, best first.
std::vector<Isa> available_isas();
// The ISA the dispatched ops use now. First call resolves SIMDNET_ISA or the best available.
Isa current_isa();
// Switches every dispatched op; returns false (and changes nothing) if unsupported.
bool set_isa(Isa isa) noexcept;
// Message from a bad SIMDNET_ISA, or empty. The addon turns a non-empty one into an error at load.
const std::string& isa_env_error();

}  // namespace simdnet
