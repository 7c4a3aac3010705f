// A persistent pool of worker threads (created once, reused by every parallel kernel and the training engine).
// parallel_for(n, fn, t) splits [0, n) into min(t, n) contiguous ranges and calls fn(begin, end, range_index) once
// per range, range_index in [0, ranges); it returns when all are done. The calling thread runs range 0 and then any
// range whose worker has not started yet (so a sleeping or descheduled worker never delays the job); thus two ranges
// may run one after the other on the same OS thread, but each range index runs exactly once and never concurrently
// with itself, so per-range scratch or partial results indexed by range_index are safe. threads() == 1 means
// everything runs inline. Nested calls from inside a task run inline. set_threads(t) (t >= 1) resizes the pool;
// default: std::thread::hardware_concurrency(); SIMDNET_THREADS in the environment sets the default. Workers spin
// for ~100 us after a job before they sleep, so back-to-back parallel calls start without a futex wake-up.
#pragma once
#include <cstddef>
#include <functional>

namespace simdnet {

size_t get_threads();
void set_threads(size_t threads);
void parallel_for(size_t n, const std::function<void(size_t begin, size_t end, size_t thread)>& fn,
                  size_t threads = 0 /* 0 = get_threads() */);

// Whether parallel_for on this thread would run inline: inside a pool task, or under an InlineScope. A kernel that
// plans per-thread work (the GEMM driver) then plans for one thread instead of t ranges run one after the other.
bool in_parallel_job();

// While one lives, every parallel_for on this thread runs inline (as a nested call does), never taking the pool's
// job lock. For reads on the JS thread while a training job uses the pool (addon/engine-serving.h): a batch-1
// predict then never queues behind a training step's GEMM, nor behind a training thread the OS has descheduled
// while it holds the lock.
class InlineScope {
 public:
  InlineScope();
  ~InlineScope();
  InlineScope(const InlineScope&) = delete;
  InlineScope& operator=(const InlineScope&) = delete;

 private:
  bool prev_;
};

}  // namespace simdnet
