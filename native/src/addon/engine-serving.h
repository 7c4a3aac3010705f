// Serving while training (issue 12): what predict/evaluate/getParams/getOptimizerState read while a trainBatches
// job changes the engine's weights on a libuv thread (docs/engine.md, "Serving while training").
//
// The training thread PUBLISHES a copy of the whole trained state (parameters, optimizer state, step counter,
// learning rate) into `pub` after a completed step, at most once per `interval_ns` (default 5 ms; 0: after every
// step). It only
// try_locks: when a reader is copying out of `pub` it skips this step and publishes after the next one, so a reader
// never slows training by more than one skipped copy, and training never waits. A reader locks `pub_mu` only to copy
// the parameters it needs into its own engine (`sync_reader` for calls on the JS thread, `job_reader` for
// predictAsync/evaluateAsync on libuv threads, serialised by `job_mu`), then computes without holding it. The JS
// thread does not even wait for a publish in progress: it answers from its reader's copy, one publish older
// (refresh_or_keep), and runs its kernels off the thread pool (kInlineRows), so it never waits for the training
// thread. `hold` pauses publishing, so several reads in a row (save(): parameters, optimizer state, step) see one
// step; those reads wait for the lock (set_hold).
//
// Every copy comes whole from one completed step: `pub` is written only under `pub_mu` by the training thread,
// between steps, and a reader copies under the same lock. No N-API here (ops-engine.cc is the glue).
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>

#include "engine/engine.h"

namespace simdnet::addon {

struct EngineServing {
  // A synchronous predict on the JS thread runs every kernel inline (runtime/threadpool.h InlineScope) during
  // training, and for at most this many rows always. A 2-thread GEMM saves a few microseconds on a batch of 1, but
  // the JS thread then waits for the pool: for the training step's GEMM holding the pool's job lock, or for a worker
  // that claimed its range and was descheduled (a loaded 2-core machine). bench/serve.mjs, batch-1 predict during
  // fit with the pool at 2 threads: p99 13 to 22 ms against 0.3 to 1.2 ms at 1 thread, the slow calls clustered in
  // fit's start (snapshot, before the job takes over), while a spin of the same length beside it stayed under 4 ms.
  static constexpr size_t kInlineRows = 16;

  std::unique_ptr<engine::Engine> pub, sync_reader, job_reader;  // readers made on first use (ops-engine.cc)
  std::mutex pub_mu;  // guards pub and version
  std::mutex job_mu;  // one async read at a time on job_reader
  uint64_t version = 0;
  uint64_t sync_version = UINT64_MAX, job_version = UINT64_MAX;  // what each reader holds
  // JS thread: the version published when the running trainBatches job started. The JS thread's reader may answer
  // from its own copy instead of waiting while the trainer publishes (refresh_or_keep), but never from one older.
  uint64_t floor_version = 0;
  std::atomic<bool> hold{false};
  // Default 5 ms: publishing after every step cost the bench MLP 3 to 9% of its epoch time (a 1.3 MB copy per
  // 1.8 ms step), once per 5 ms about 1% (bench/serve.mjs; docs/engine.md).
  std::atomic<int64_t> interval_ns{5'000'000};
  std::atomic<uint64_t> publishes{0}, skipped{0}, publish_ns{0};  // publish_ns: time spent copying (bench)
  uint64_t kept = 0;  // JS thread: reads answered from the reader's copy while a publish held pub_mu (bench)
  int64_t last_ns = 0;  // training thread only

  static int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

  // Copies src's trained state into dst (same plan: same arrays, same sizes).
  static void copy_state(engine::Engine& dst, engine::Engine& src) {
    for (size_t i = 0; i < src.param_count(); ++i)
      std::memcpy(dst.param(i), src.param(i), src.param_info(i).size * sizeof(float));
    for (size_t i = 0; i < src.optimizer_state_count(); ++i)
      std::memcpy(dst.optimizer_state(i), src.optimizer_state(i),
                  src.param_info(src.optimizer_state_param(i)).size * sizeof(float));
    dst.set_step(src.step());
    dst.set_learning_rate(src.learning_rate());
  }

  // Publishes src unless held or (without force) the interval has not passed. Returns whether it did.
  bool publish(engine::Engine& src, bool force) {
    if (hold.load(std::memory_order_acquire)) return false;
    const int64_t now = now_ns();
    if (!force && now - last_ns < interval_ns.load(std::memory_order_relaxed)) return false;
    std::unique_lock<std::mutex> lock(pub_mu, std::try_to_lock);
    if (!lock.owns_lock()) {
      skipped.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    if (hold.load(std::memory_order_relaxed)) return false;  // again under the lock: see set_hold
    copy_state(*pub, src);
    ++version;
    last_ns = now;
    publish_ns.fetch_add(static_cast<uint64_t>(now_ns() - now), std::memory_order_relaxed);
    publishes.fetch_add(1, std::memory_order_relaxed);
    return true;
  }

  // Pauses (or resumes) publishing. Pausing waits for a publish in progress: one that takes pub_mu after this
  // sees `hold` under it and gives up, so from the return on, `pub` stays as it is until resumed.
  void set_hold(bool on) {
    hold.store(on, std::memory_order_release);
    if (on) std::lock_guard<std::mutex> barrier(pub_mu);
  }

  // engine::TrainBatchesArgs::after_step.
  static void after_step(void* ctx, engine::Engine& e) { static_cast<EngineServing*>(ctx)->publish(e, false); }

  // Brings a reader's parameters up to the published version (under pub_mu: at most one publish's wait).
  void refresh(engine::Engine& reader, uint64_t& have) {
    std::lock_guard<std::mutex> lock(pub_mu);
    copy_params(reader, have);
  }

  // Under pub_mu.
  void copy_params(engine::Engine& reader, uint64_t& have) {
    if (have == version) return;
    for (size_t i = 0; i < pub->param_count(); ++i)
      std::memcpy(reader.param(i), pub->param(i), pub->param_info(i).size * sizeof(float));
    reader.set_step(pub->step());
    have = version;
  }

  // refresh for the JS thread's reader: when the trainer holds pub_mu (copying a publish, tens of microseconds, but
  // longer if the OS deschedules it meanwhile on a loaded machine), a reader whose copy is from this job answers
  // from that copy, one publish older, rather than wait: a JS-thread read never waits for the training thread.
  // Not while publishing is held (consistentRead: the reads in it must agree with `pub`, which no longer changes).
  void refresh_or_keep(engine::Engine& reader, uint64_t& have) {
    if (have != UINT64_MAX && have >= floor_version && !hold.load(std::memory_order_relaxed)) {
      std::unique_lock<std::mutex> lock(pub_mu, std::try_to_lock);
      if (!lock.owns_lock()) {
        ++kept;
        return;
      }
      copy_params(reader, have);
      return;
    }
    refresh(reader, have);
  }

  size_t memory_bytes() const {
    return (pub ? pub->memory_bytes() : 0) + (sync_reader ? sync_reader->memory_bytes() : 0) +
           (job_reader ? job_reader->memory_bytes() : 0);
  }
};

}  // namespace simdnet::addon
