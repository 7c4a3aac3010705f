// FP control register access for FpGuard (fpenv.h). The register is read and written with the plain instructions
// (stmxcsr/ldmxcsr, mrs/msr fpcr) rather than <cfenv>: fesetenv has no portable name for FTZ/DAZ, and the guard must
// change those bits alone.
#include "runtime/fpenv.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) || defined(_M_X64)
#include <xmmintrin.h>
#define SIMDNET_FPENV_X86 1
#elif defined(__aarch64__)
#define SIMDNET_FPENV_ARM64 1
#endif

namespace simdnet {
namespace {

#if defined(SIMDNET_FPENV_X86)
constexpr uint64_t kFtz = 0x8000;  // MXCSR bit 15
constexpr uint64_t kDaz = 0x0040;  // MXCSR bit 6

// DAZ is writable only where FXSAVE's MXCSR_MASK (bytes 28..31 of the save area) has bit 6; a zero mask means the
// default 0xFFBF, i.e. no DAZ (early SSE parts). Writing a reserved MXCSR bit raises #GP, so ask once.
uint64_t detect_mask() noexcept {
#if defined(_MSC_VER)
  return kFtz | kDaz;  // every x64 CPU Windows runs on has DAZ
#else
  alignas(16) unsigned char area[512];
  std::memset(area, 0, sizeof area);
  __asm__ __volatile__("fxsave %0" : "=m"(area));
  uint32_t mxcsr_mask = 0;
  std::memcpy(&mxcsr_mask, area + 28, sizeof mxcsr_mask);
  if (mxcsr_mask == 0) mxcsr_mask = 0xFFBF;
  return kFtz | (mxcsr_mask & kDaz);
#endif
}
inline uint64_t read_ctl() noexcept { return _mm_getcsr(); }
inline void write_ctl(uint64_t v) noexcept { _mm_setcsr(static_cast<unsigned>(v)); }
#elif defined(SIMDNET_FPENV_ARM64)
constexpr uint64_t kFz = uint64_t{1} << 24;  // FPCR.FZ
uint64_t detect_mask() noexcept { return kFz; }
inline uint64_t read_ctl() noexcept {
  uint64_t v;
  __asm__ __volatile__("mrs %0, fpcr" : "=r"(v));
  return v;
}
inline void write_ctl(uint64_t v) noexcept { __asm__ __volatile__("msr fpcr, %0" : : "r"(v) : "memory"); }
#else
uint64_t detect_mask() noexcept { return 0; }
inline uint64_t read_ctl() noexcept { return 0; }
inline void write_ctl(uint64_t) noexcept {}
#endif

uint64_t mask() noexcept {
  static const uint64_t m = detect_mask();
  return m;
}

std::string g_env_error;

// 1 = flush, 0 = IEEE. Resolved from SIMDNET_SUBNORMALS at static initialisation (the addon's load), before any guard.
int initial_flush() {
  const char* env = std::getenv("SIMDNET_SUBNORMALS");
  if (!env || !*env || std::strcmp(env, "flush") == 0) return 1;
  if (std::strcmp(env, "ieee") == 0) return 0;
  g_env_error = std::string("SIMDNET_SUBNORMALS=") + env + " is not one of flush, ieee";
  return 1;
}
std::atomic<int> g_flush{initial_flush()};

thread_local unsigned t_depth = 0;        // live FpGuards on this thread
thread_local uint64_t t_entry_bits = 0;   // flush bits before the outermost one

}  // namespace

uint64_t flush_bits_mask() noexcept { return mask(); }
uint64_t current_flush_bits() noexcept { return read_ctl() & mask(); }

bool flush_subnormals() noexcept { return g_flush.load(std::memory_order_relaxed) != 0; }
void set_flush_subnormals(bool flush) noexcept { g_flush.store(flush ? 1 : 0, std::memory_order_relaxed); }
const std::string& subnormals_env_error() { return g_env_error; }
uint64_t entry_flush_bits() noexcept { return t_depth ? t_entry_bits : current_flush_bits(); }

FpGuard::FpGuard() noexcept : FpGuard(flush_subnormals() ? mask() : 0) {}

FpGuard::FpGuard(uint64_t flush_bits) noexcept : saved_(read_ctl()), changed_(false) {
  if (t_depth++ == 0) t_entry_bits = saved_ & mask();
  const uint64_t want = (saved_ & ~mask()) | (flush_bits & mask());
  if (want != saved_) {  // ldmxcsr serialises on some cores: skip it when the bits are already right
    write_ctl(want);
    changed_ = true;
  }
}

// Also restores when the guarded code itself changed the register (a rounding mode, an unbalanced inner change):
// the caller gets back exactly what it had.
FpGuard::~FpGuard() {
  --t_depth;
  if (changed_ || read_ctl() != saved_) write_ctl(saved_);
}

}  // namespace simdnet
