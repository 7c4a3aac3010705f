// FpGuard (runtime/fpenv.h): sets the flush bits and gives back exactly the caller's register, nests, reaches
// thread-pool workers, and makes a dispatched kernel flush a subnormal product that the same arithmetic outside the
// guard keeps. Runs on every ISA (check.h), natively and under qemu-aarch64 (FPCR.FZ is emulated there).
#include <cfenv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

#include "check.h"
#include "kernels/optim/optim.h"
#include "runtime/fpenv.h"
#include "runtime/threadpool.h"

using namespace simdnet;

namespace {

// volatile keeps the compiler from folding these at compile time (where no FP mode applies) or moving them across
// the guard's register writes.
float product(float a, float b) {
  volatile float x = a, y = b;
  volatile float r = x * y;
  return r;
}

constexpr float kTiny = 1e-20f;  // kTiny * kTiny = 1e-40: a subnormal result (FTZ flushes it)
constexpr float kSub = 1e-40f;   // a subnormal input; kSub * 2^30 ~ 1.1e-31 is normal (DAZ / FZ reads kSub as 0)
constexpr float kTwo30 = 1073741824.0f;

bool flushing_now() { return product(kTiny, kTiny) == 0.0f; }
bool daz_now() { return product(kSub, kTwo30) == 0.0f; }

}  // namespace

TEST(subnormals_exist_outside_any_guard) {
  EXPECT(current_flush_bits() == 0);
  EXPECT(product(kTiny, kTiny) > 0.0f);
  EXPECT(product(kSub, kTwo30) > 1e-31f);
}

TEST(guard_sets_flush_bits_and_restores_them) {
#if defined(__x86_64__) || defined(__aarch64__)
  EXPECT(flush_bits_mask() != 0);
#endif
#if defined(__x86_64__)
  EXPECT((flush_bits_mask() & 0x8000) != 0);  // FTZ; DAZ (0x40) is on every x86-64 CPU this runs on
  EXPECT((flush_bits_mask() & 0x0040) != 0);
#elif defined(__aarch64__)
  EXPECT(flush_bits_mask() == (uint64_t{1} << 24));
#endif
  const uint64_t before = current_flush_bits();
  {
    FpGuard g(flush_bits_mask());
    EXPECT(current_flush_bits() == flush_bits_mask());
    if (flush_bits_mask()) {
      EXPECT(flushing_now());
      EXPECT(daz_now());
    }
  }
  EXPECT(current_flush_bits() == before);
  EXPECT(!flushing_now());
  EXPECT(!daz_now());
}

TEST(default_guard_follows_the_process_switch) {
  EXPECT(flush_subnormals());  // the default (ctest runs without SIMDNET_SUBNORMALS)
  {
    FpGuard g;
    EXPECT(current_flush_bits() == flush_bits_mask());
  }
  set_flush_subnormals(false);
  {
    FpGuard g;
    EXPECT(current_flush_bits() == 0);
    EXPECT(!flushing_now());
  }
  set_flush_subnormals(true);
  EXPECT(current_flush_bits() == 0);
}

TEST(nested_guards_restore_in_order) {
  {
    FpGuard outer(flush_bits_mask());
    {
      FpGuard inner(0);  // an IEEE region inside a flushing one
      EXPECT(current_flush_bits() == 0);
      EXPECT(!flushing_now());
      {
        FpGuard innermost(flush_bits_mask());
        EXPECT(current_flush_bits() == flush_bits_mask());
      }
      EXPECT(current_flush_bits() == 0);
    }
    EXPECT(current_flush_bits() == flush_bits_mask());
    if (flush_bits_mask()) EXPECT(flushing_now());
  }
  EXPECT(current_flush_bits() == 0);
}

// The rounding mode as the vector unit sees it (on x86-64 glibc's fegetround reads the x87 control word, which the
// guard does not touch): 1/3 and -1/3 round differently under each of nearest, downward and upward.
struct Thirds {
  float pos, neg;
  bool operator==(const Thirds& o) const { return pos == o.pos && neg == o.neg; }
};
Thirds thirds() {
  volatile float one = 1.0f, three = 3.0f;
  volatile float p = one / three, n = -one / three;
  return {p, n};
}

TEST(guard_keeps_the_callers_rounding_mode_and_undoes_changes_inside) {
  const int mode = std::fegetround();
  const Thirds nearest = thirds();
  EXPECT(std::fesetround(FE_DOWNWARD) == 0);
  const Thirds down = thirds();
  EXPECT(std::fesetround(FE_UPWARD) == 0);
  const Thirds up = thirds();
  EXPECT(!(down == nearest) && !(up == nearest) && !(up == down));
  EXPECT(std::fesetround(FE_DOWNWARD) == 0);
  {
    FpGuard g(flush_bits_mask());
    EXPECT(thirds() == down);                  // only the flush bits change
    EXPECT(std::fesetround(FE_UPWARD) == 0);   // guarded code changing something else...
    EXPECT(thirds() == up);
  }
  EXPECT(thirds() == down);                    // ...is undone: the caller gets its exact register back
  EXPECT(current_flush_bits() == 0);
  std::fesetround(mode);
  EXPECT(thirds() == nearest);
}

TEST(thread_pool_jobs_run_with_the_submitters_bits) {
  struct Seen {
    std::thread::id who;
    uint64_t bits;
    bool flushed;
  };
  // Runs 2-range jobs until a worker (not the caller) has run a range; range 0 sleeps so the worker gets to claim
  // range 1 instead of the caller. Returns what the worker saw.
  auto worker_view = [](bool& found) {
    const std::thread::id me = std::this_thread::get_id();
    for (int attempt = 0; attempt < 200; ++attempt) {
      std::mutex mu;
      std::vector<Seen> seen;
      parallel_for(2, [&](size_t, size_t, size_t range) {
        if (range == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
        Seen s{std::this_thread::get_id(), current_flush_bits(), flushing_now()};
        std::lock_guard<std::mutex> lk(mu);
        seen.push_back(s);
      }, 2);
      for (const Seen& s : seen)
        if (s.who != me) {
          found = true;
          return s;
        }
    }
    found = false;
    return Seen{};
  };
  bool found = false;
  Seen s;
  {
    FpGuard g(flush_bits_mask());
    s = worker_view(found);
  }
  EXPECT(found);
  EXPECT(s.bits == flush_bits_mask());
  if (flush_bits_mask()) EXPECT(s.flushed);
  // The same worker, now submitted from an IEEE thread, computes with subnormals again.
  s = worker_view(found);
  EXPECT(found);
  EXPECT(s.bits == 0);
  EXPECT(!s.flushed);
  EXPECT(current_flush_bits() == 0);
}

TEST(threads_started_under_a_guard_get_the_entry_state_only_when_asked) {
  // What a thread inherits from its creator (Linux clone copies the FP register), and entry_flush_bits(): the bits
  // before the outermost guard, which EngineJob::Queue restores while libuv may start its pool.
  auto child_bits = [] {
    uint64_t bits = ~uint64_t{0};
    std::thread t([&] { bits = current_flush_bits(); });
    t.join();
    return bits;
  };
  EXPECT(entry_flush_bits() == 0);
  {
    FpGuard outer(flush_bits_mask());
    EXPECT(entry_flush_bits() == 0);
    {
      FpGuard inner(0);
      EXPECT(entry_flush_bits() == 0);  // still the outermost guard's
    }
#if defined(__linux__)
    EXPECT(child_bits() == flush_bits_mask());  // the leak EngineJob::Queue avoids
#endif
    {
      FpGuard caller(entry_flush_bits());
      EXPECT(child_bits() == 0);
    }
    EXPECT(current_flush_bits() == flush_bits_mask());
  }
  EXPECT(entry_flush_bits() == current_flush_bits());
  EXPECT(child_bits() == 0);
}

TEST(a_kernel_under_the_guard_flushes_a_subnormal_product) {
  // scale_inplace over a length with a vector body and a tail on every ISA: x * s with x = s = 1e-20.
  constexpr size_t n = 37;
  std::vector<float> x(n, kTiny), y(n, kSub);
  optim().scale_inplace(n, kTiny, x.data());     // outside: IEEE
  optim().scale_inplace(n, kTwo30, y.data());
  for (size_t i = 0; i < n; ++i) {
    EXPECT(x[i] > 0.0f && x[i] < 1.1754944e-38f);  // the subnormal 1e-40
    EXPECT(y[i] > 1e-31f);                        // a subnormal input read as itself
  }
  std::vector<float> xf(n, kTiny), yf(n, kSub);
  {
    FpGuard g;
    optim().scale_inplace(n, kTiny, xf.data());
    optim().scale_inplace(n, kTwo30, yf.data());
  }
  if (flush_bits_mask()) {
    for (size_t i = 0; i < n; ++i) {
      EXPECT(xf[i] == 0.0f);  // FTZ: the subnormal result is flushed
      EXPECT(yf[i] == 0.0f);  // DAZ: the subnormal input reads as 0
    }
  }
  EXPECT(current_flush_bits() == 0);
  EXPECT(product(kTiny, kTiny) > 0.0f);
}

CHECK_MAIN()
