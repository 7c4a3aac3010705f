#include "dispatch/isa.h"

#include <atomic>
#include <cstdlib>
#include <mutex>

#if defined(__x86_64__) || defined(_M_X64)
#if defined(_MSC_VER)
#include <intrin.h>
#else
#include <cpuid.h>
#endif
#endif

namespace simdnet {
namespace {

#if defined(__x86_64__) || defined(_M_X64)
// CPUID leaf 1 ECX: FMA bit 12, OSXSAVE bit 27, AVX bit 28; leaf 7 EBX: AVX2 bit 5. XCR0 bits 1|2 = XMM|YMM state.
bool cpu_has_avx2_fma() noexcept {
  unsigned a = 0, b = 0, c = 0, d = 0;
#if defined(_MSC_VER)
  int r[4];
  __cpuid(r, 0);
  if (r[0] < 7) return false;
  __cpuid(r, 1);
  c = static_cast<unsigned>(r[2]);
#else
  if (__get_cpuid_max(0, nullptr) < 7) return false;
  __cpuid(1, a, b, c, d);
#endif
  const bool fma = (c >> 12) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
  if (!(fma && osxsave && avx)) return false;
#if defined(_MSC_VER)
  const unsigned long long xcr0 = _xgetbv(0);
  __cpuidex(r, 7, 0);
  b = static_cast<unsigned>(r[1]);
#else
  unsigned xlo = 0, xhi = 0;
  __asm__ volatile("xgetbv" : "=a"(xlo), "=d"(xhi) : "c"(0));
  const unsigned long long xcr0 = (static_cast<unsigned long long>(xhi) << 32) | xlo;
  __cpuid_count(7, 0, a, b, c, d);
#endif
  if ((xcr0 & 0x6) != 0x6) return false;
  return (b >> 5) & 1;
}

// AVX-512 tier: AVX2+FMA as above, CPUID leaf 7 EBX AVX512F bit 16, DQ bit 17, BW bit 30, VL bit 31, and the OS
// saving opmask (XCR0 bit 5), the upper halves of ZMM0-15 (bit 6) and ZMM16-31 (bit 7) as well as XMM|YMM (bits 1, 2).
bool cpu_has_avx512() noexcept {
  if (!cpu_has_avx2_fma()) return false;
  unsigned a = 0, b = 0, c = 0, d = 0;
#if defined(_MSC_VER)
  int r[4];
  __cpuidex(r, 7, 0);
  b = static_cast<unsigned>(r[1]);
  const unsigned long long xcr0 = _xgetbv(0);
#else
  __cpuid_count(7, 0, a, b, c, d);
  unsigned xlo = 0, xhi = 0;
  __asm__ volatile("xgetbv" : "=a"(xlo), "=d"(xhi) : "c"(0));
  const unsigned long long xcr0 = (static_cast<unsigned long long>(xhi) << 32) | xlo;
#endif
  if ((xcr0 & 0xE6) != 0xE6) return false;
  const unsigned need = (1u << 16) | (1u << 17) | (1u << 30) | (1u << 31);
  return (b & need) == need;
}
#endif

bool probe(Isa isa) noexcept {
  switch (isa) {
    case Isa::scalar: return true;
    case Isa::avx2:
#if defined(__x86_64__) || defined(_M_X64)
      return cpu_has_avx2_fma();
#else
      return false;
#endif
    case Isa::avx512:
#if defined(__x86_64__) || defined(_M_X64)
      return cpu_has_avx512();
#else
      return false;
#endif
    case Isa::neon:
#if defined(__aarch64__) || defined(_M_ARM64)
      return true;  // Advanced SIMD is baseline on AArch64
#else
      return false;
#endif
  }
  return false;
}

// The CPU is asked once (CPUID and XGETBV are serialising, and the answer cannot change); every query after that
// reads the cached bits.
bool detect(Isa isa) noexcept {
  static const bool has[kIsaCount] = {probe(Isa::scalar), probe(Isa::avx2), probe(Isa::neon), probe(Isa::avx512)};
  const int i = static_cast<int>(isa);
  return i >= 0 && i < kIsaCount && has[i];
}

std::atomic<int> g_current{-1};
std::once_flag g_once;
std::string g_env_error;

void resolve() {
  Isa best = Isa::scalar;
  for (Isa i : {Isa::avx2, Isa::avx512, Isa::neon})  // later entries win: avx512 over avx2
    if (detect(i)) best = i;
  if (const char* env = std::getenv("SIMDNET_ISA"); env && *env) {
    Isa want;
    if (!parse_isa(env, &want))
      g_env_error = std::string("SIMDNET_ISA=") + env + " is not one of scalar, avx2, avx512, neon";
    else if (!detect(want))
      g_env_error = std::string("SIMDNET_ISA=") + env + " is not supported by this CPU/build (best available: " +
                    isa_name(best) + ")";
    else
      best = want;
  }
  g_current.store(static_cast<int>(best));
}

}  // namespace

const char* isa_name(Isa isa) noexcept {
  switch (isa) {
    case Isa::scalar: return "scalar";
    case Isa::avx2: return "avx2";
    case Isa::neon: return "neon";
    case Isa::avx512: return "avx512";
  }
  return "unknown";
}

bool parse_isa(const std::string& name, Isa* out) noexcept {
  for (Isa i : {Isa::scalar, Isa::avx2, Isa::avx512, Isa::neon})
    if (name == isa_name(i)) { *out = i; return true; }
  return false;
}

bool isa_supported(Isa isa) noexcept { return detect(isa); }

std::vector<Isa> available_isas() {
  std::vector<Isa> v;
  for (Isa i : {Isa::avx512, Isa::avx2, Isa::neon, Isa::scalar})
    if (detect(i)) v.push_back(i);
  return v;
}

Isa current_isa() {
  std::call_once(g_once, resolve);
  return static_cast<Isa>(g_current.load(std::memory_order_relaxed));
}

bool set_isa(Isa isa) noexcept {
  if (!detect(isa)) return false;
  current_isa();  // make sure the env resolution has run and cannot overwrite us later
  g_current.store(static_cast<int>(isa));
  return true;
}

const std::string& isa_env_error() {
  current_isa();
  return g_env_error;
}

}  // namespace simdnet
