// predictAsync's input arriving while its job runs (lib/engine/native-engine.ts: a large plain Float32Array is
// copied into the engine's kept stage in slices, with event-loop turns between; the job predicts the batches
// already copied meanwhile instead of waiting for the whole copy). The JS thread reports progress (set) or gives up
// (fail: the source was detached mid-copy); the job's thread waits in wait() for the rows its next batch needs.
// Engine::predict waits on its own thread, between batches, never inside a pool task, so a JS thread that is slow
// to copy holds up this job only.
//
// The wait is bounded: after kStall without progress the job gives up (stalled()), and the JS side, if it is still
// there, runs the call again on its complete copy (#predictFed). Why not wait for ever: when a Worker is terminated
// mid-copy, no JS runs again, and Node's teardown waits for every running async work item before it runs the
// environment's cleanup hooks, so nothing could wake the job and terminate() (or process.exit()) would hang.
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace simdnet::addon {

class InputFeed {
 public:
  static constexpr std::chrono::milliseconds kStall{1000};

  explicit InputFeed(size_t rows) : rows_(rows), last_(std::chrono::steady_clock::now()) {}
  // JS thread: rows [0, ready) of the input can be read now.
  void set(size_t ready) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (ready > ready_) ready_ = ready < rows_ ? ready : rows_;
      last_ = std::chrono::steady_clock::now();
    }
    cv_.notify_all();
  }
  // JS thread (or an environment cleanup hook): no more rows will come.
  void fail() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      failed_ = true;
    }
    cv_.notify_all();
  }
  // Job thread: blocks until `need` rows can be read, the feed failed, or kStall passed without progress; returns
  // the rows readable (< need: failed or stalled).
  size_t wait(size_t need) {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      if (cv_.wait_for(lock, kStall, [&] { return ready_ >= need || failed_; })) break;
      if (std::chrono::steady_clock::now() - last_ >= kStall) {
        stalled_ = true;
        break;
      }
    }
    return ready_ >= need ? ready_ : 0;
  }
  bool stalled() {
    std::lock_guard<std::mutex> lock(mu_);
    return stalled_;
  }
  // No more progress is expected: all rows are in, or the feed failed or stalled.
  bool complete() {
    std::lock_guard<std::mutex> lock(mu_);
    return ready_ >= rows_ || failed_ || stalled_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  const size_t rows_;
  size_t ready_ = 0;
  bool failed_ = false, stalled_ = false;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace simdnet::addon
