// Persistent fork-join pool: workers sleep on a condition variable between jobs; a job is a (n, fn) pair split into
// `threads` contiguous ranges, range 0 run by the caller. One job at a time (a mutex serialises callers from
// different JS threads / async workers); a call from inside a job runs inline instead of deadlocking.
#include "runtime/threadpool.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

namespace simdnet {
namespace {

thread_local bool t_in_job = false;

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
    t = std::min(t, n);
    if (t <= 1 || t_in_job) {
      fn(0, n, 0);
      return;
    }
    std::lock_guard<std::mutex> job(job_mutex_);
    ensure_workers(t - 1);
    {
      std::lock_guard<std::mutex> lk(m_);
      fn_ = &fn;
      n_ = n;
      parts_ = t;
      pending_ = t - 1;
      ++generation_;
    }
    cv_.notify_all();
    t_in_job = true;
    fn(0, n / t, 0);  // the caller takes range 0
    t_in_job = false;
    std::unique_lock<std::mutex> lk(m_);
    done_cv_.wait(lk, [&] { return pending_ == 0; });
    fn_ = nullptr;
  }

 private:
  void ensure_workers(size_t count) {
    while (workers_.size() < count) {
      const size_t index = workers_.size() + 1;
      workers_.emplace_back([this, index] { worker(index); });
    }
  }

  void stop_workers() {
    {
      std::lock_guard<std::mutex> lk(m_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& w : workers_) w.join();
    workers_.clear();
  }

  void worker(size_t index) {
    t_in_job = true;
    uint64_t seen = 0;
    std::unique_lock<std::mutex> lk(m_);
    for (;;) {
      cv_.wait(lk, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      if (index >= parts_) continue;  // this job uses fewer threads
      const auto* fn = fn_;
      const size_t n = n_, parts = parts_;
      lk.unlock();
      (*fn)(n * index / parts, n * (index + 1) / parts, index);
      lk.lock();
      if (--pending_ == 0) done_cv_.notify_one();
    }
  }

  std::atomic<size_t> threads_{1};
  std::mutex job_mutex_;
  std::mutex m_;
  std::condition_variable cv_, done_cv_;
  std::vector<std::thread> workers_;
  const std::function<void(size_t, size_t, size_t)>* fn_ = nullptr;
  size_t n_ = 0, parts_ = 0, pending_ = 0;
  uint64_t generation_ = 0;
  bool stop_ = false;
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

}  // namespace simdnet
