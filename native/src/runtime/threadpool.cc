// Persistent fork-join pool. A job is a (n, fn) pair split into `parts` contiguous ranges, range 0 run by the caller.
// One job at a time (a mutex serialises callers from different JS threads / async workers); a call from inside a
// job runs inline instead of deadlocking.
//
// Ranges are claimed, not assigned: worker i claims range i (a CAS on claims_[i] from an older generation to the
// current one) before it reads the job, and the caller, once its own range is done, claims and runs every range no
// worker has claimed yet. A worker that is asleep or descheduled (the cores are shared with other processes) then
// costs nothing: the job never waits for a thread that has not started, so 2 threads are never much slower than 1.
//
// Wake-up is spin-then-sleep: after a job a worker polls the job counter for about kSpinSeconds before it sleeps on
// the condition variable, and the caller polls the completion counter likewise before it sleeps. Back-to-back
// parallel calls (the GEMMs of a training step) then start within a fraction of a microsecond instead of paying a
// futex wake-up (tens of microseconds under load), which is what lets a 2-thread GEMM on small matrices beat 1 thread.
// The spin is short so an idle pool gives its cores back quickly (the machine may be shared).
//
// Floating point: a worker runs each range under an FpGuard holding the submitting thread's flush bits
// (runtime/fpenv.h), so FTZ/DAZ set by an addon entry point reach every range of its job, and a worker's own
// register is back to what it was between jobs.
#include "runtime/threadpool.h"

#include "runtime/fpenv.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#endif

namespace simdnet {
namespace {

thread_local bool t_in_job = false;  // also set by InlineScope

constexpr double kSpinSeconds = 100e-6;
constexpr size_t kMaxThreads = 1024;  // set_threads' bound in the addon

inline void cpu_relax() {
#if defined(__x86_64__) || defined(_M_X64)
  _mm_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

// Polls `ready` for up to kSpinSeconds; true as soon as it holds.
template <class Pred>
bool spin_until(Pred ready) {
  if (ready()) return true;
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    for (int i = 0; i < 64; ++i) {
      cpu_relax();
      if (ready()) return true;
    }
    if (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > kSpinSeconds) return false;
  }
}

class Pool {
 public:
  Pool() {
    size_t t = std::max<unsigned>(1, std::thread::hardware_concurrency());
    if (const char* env = std::getenv("SIMDNET_THREADS"); env && *env) {
      const long v = std::strtol(env, nullptr, 10);
      if (v >= 1 && v <= 1024) t = static_cast<size_t>(v);
    }
    threads_ = t;
  }
  ~Pool() { stop_workers(); }

  size_t threads() const { return threads_.load(); }

  void set_threads(size_t t) {
    std::lock_guard<std::mutex> job(job_mutex_);
    threads_ = std::max<size_t>(1, t);
    // Workers are (re)started lazily to the needed count by run().
  }

  void run(size_t n, const std::function<void(size_t, size_t, size_t)>& fn, size_t want) {
    if (n == 0) return;
    size_t t = want ? want : threads_.load();
    t = std::min({t, n, kMaxThreads});
    if (t <= 1 || t_in_job) {
      fn(0, n, 0);
      return;
    }
    std::lock_guard<std::mutex> job(job_mutex_);
    ensure_workers(t - 1);
    const uint64_t g = generation_.load(std::memory_order_relaxed) + 1;
    fn_.store(&fn, std::memory_order_relaxed);
    n_.store(n, std::memory_order_relaxed);
    parts_.store(t, std::memory_order_relaxed);
    flush_bits_.store(current_flush_bits(), std::memory_order_relaxed);
    pending_.store(t - 1, std::memory_order_relaxed);
    // Workers beyond this job's ranges find their slot already taken for generation g.
    for (size_t i = t; i <= workers_.size(); ++i) claims_[i].store(g, std::memory_order_relaxed);
    {
      // Under the mutex so a worker between its predicate check and its sleep cannot miss the new generation.
      std::lock_guard<std::mutex> lk(m_);
      generation_.store(g, std::memory_order_release);
    }
    cv_.notify_all();
    t_in_job = true;
    fn(0, n / t, 0);  // the caller takes range 0
    for (size_t i = 1; i < t; ++i)  // then every range whose worker has not shown up yet
      if (claim(i, g)) run_range(i);
    t_in_job = false;
    if (!spin_until([&] { return pending_.load(std::memory_order_acquire) == 0; })) {
      std::unique_lock<std::mutex> lk(m_);
      done_cv_.wait(lk, [&] { return pending_.load(std::memory_order_acquire) == 0; });
    }
  }

 private:
  // Range i of generation g: true for exactly one claimant (the worker i or the caller).
  bool claim(size_t i, uint64_t g) {
    uint64_t cur = claims_[i].load(std::memory_order_relaxed);
    while (cur < g)
      if (claims_[i].compare_exchange_weak(cur, g, std::memory_order_acq_rel, std::memory_order_relaxed)) return true;
    return false;
  }

  // Runs range i of the current job (claimed, so the job cannot finish before it) and signals its completion.
  void run_range(size_t i) {
    const auto* fn = fn_.load(std::memory_order_relaxed);
    const size_t n = n_.load(std::memory_order_relaxed), parts = parts_.load(std::memory_order_relaxed);
    {
      FpGuard fp(flush_bits_.load(std::memory_order_relaxed));
      (*fn)(n * i / parts, n * (i + 1) / parts, i);
    }
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::lock_guard<std::mutex> lk(m_);  // pairs with the caller's predicate check before it sleeps
      done_cv_.notify_one();
    }
  }

  // Called under job_mutex_, before the next generation is published. A new worker starts from the current
  // generation, with its slot marked as claimed for it: otherwise its slot, never written (0), let it claim the
  // generation it first read -- an earlier job, long finished, whose fields the caller was overwriting -- run a
  // range of a half-set job and decrement the new job's pending count, so the caller could return while a range
  // still ran on its stack (seen as a crash in gemm-test once 3- and 4-thread calls followed many 2-thread ones).
  void ensure_workers(size_t count) {
    count = std::min(count, kMaxThreads - 1);
    while (workers_.size() < count) {
      const size_t index = workers_.size() + 1;
      const uint64_t now = generation_.load(std::memory_order_relaxed);
      claims_[index].store(now, std::memory_order_relaxed);
      workers_.emplace_back([this, index, now] { worker(index, now); });
    }
  }

  void stop_workers() {
    {
      std::lock_guard<std::mutex> lk(m_);
      stop_ = true;
      generation_.fetch_add(1, std::memory_order_release);
    }
    cv_.notify_all();
    for (auto& w : workers_) w.join();
    workers_.clear();
  }

  void worker(size_t index, uint64_t seen) {
    t_in_job = true;
    for (;;) {
      auto fresh = [&] { return generation_.load(std::memory_order_acquire) != seen; };
      if (!spin_until(fresh)) {
        std::unique_lock<std::mutex> lk(m_);
        cv_.wait(lk, fresh);
      }
      if (stop_.load()) return;
      seen = generation_.load(std::memory_order_acquire);
      // A failed claim: the caller took this range already, or this job has fewer ranges. A successful one means
      // generation `seen` is still running (it cannot finish without this range), so the job fields are its own:
      // after job g ends every slot holds >= g, so a worker that slept through it can never claim a stale range.
      if (claim(index, seen)) run_range(index);
    }
  }

  std::atomic<size_t> threads_{1};
  std::mutex job_mutex_;
  std::mutex m_;
  std::condition_variable cv_, done_cv_;
  std::vector<std::thread> workers_;
  std::atomic<const std::function<void(size_t, size_t, size_t)>*> fn_{nullptr};
  std::atomic<size_t> n_{0}, parts_{0}, pending_{0};
  std::atomic<uint64_t> flush_bits_{0};  // the submitter's FTZ/DAZ bits, for the workers' ranges
  std::atomic<uint64_t> generation_{0};
  std::atomic<bool> stop_{false};
  // claims_[i]: the last generation whose range i has been claimed (or that has no range i).
  std::unique_ptr<std::atomic<uint64_t>[]> claims_{new std::atomic<uint64_t>[kMaxThreads]()};
};

Pool& pool() {
  static Pool* p = new Pool();  // never destroyed: workers may outlive static destruction order at process exit
  return *p;
}

}  // namespace

size_t get_threads() { return pool().threads(); }
void set_threads(size_t threads) { pool().set_threads(threads); }
void parallel_for(size_t n, const std::function<void(size_t, size_t, size_t)>& fn, size_t threads) {
  pool().run(n, fn, threads);
}

bool in_parallel_job() { return t_in_job; }

InlineScope::InlineScope() : prev_(t_in_job) { t_in_job = true; }
InlineScope::~InlineScope() { t_in_job = prev_; }

}  // namespace simdnet
