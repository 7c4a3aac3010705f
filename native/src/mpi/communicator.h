// The one communication thread that owns every MPI call of the process (docs/distributed.md). MPI is initialized on
// it (MPI_THREAD_SERIALIZED requested; only this thread calls MPI, except abort_now's last resort) and finalized on
// it. Collectives are started nonblocking and polled politely unless SIMDNET_MPI_WAIT=block (communicator.cc). Callers post jobs and get the result through a completion callback that runs ON THE COMMUNICATION THREAD
// (the addon forwards it to JS with a thread-safe function), so the JS event loop never waits on MPI.
//
// No N-API here (addon/ops-mpi.cc is the glue).
#pragma once
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>

#include "mpi/mpi-api.h"

namespace simdnet::dist {

struct JobResult {
  int rc = kMpiSuccess;  // kMpiSuccess, an MPI error code, or -1 for a simdnet-side error
  std::string message;   // when rc != kMpiSuccess
  int rank = 0, size = 1;
};

class Communicator {
 public:
  using Done = std::function<void(const JobResult&)>;
  enum class Type { f32, f64 };

  // The process-wide instance (MPI can be initialized once per process).
  static Communicator& instance();

  // Starts the thread over a loaded library (load_mpi) and posts MPI_Init_thread + rank/size; `done` gets rank and
  // size (or the MPI error). Returns false when already started (MPI initializes once per process).
  bool start(const MpiApi* api, Done done);
  bool started() const;
  int rank() const { return rank_; }
  int size() const { return size_; }

  // In-place sum over all ranks of `count` elements at `data` (split into int-sized pieces).
  void allreduce(void* data, size_t count, Type type, Done done);
  // allreduce for a thread that may wait (a libuv worker running the engine's fused distributed step,
  // addon/ops-engine.cc): posts it and blocks the calling thread until it completes. Never on the JS thread.
  JobResult allreduce_wait(void* data, size_t count, Type type);
  void broadcast(void* data, size_t count, Type type, int root, Done done);
  void barrier(Done done);

  // Ends the whole job: MPI_Abort(MPI_COMM_WORLD, code) on the communication thread when it is idle, else from the
  // calling thread (an abort must also get through while this thread waits in a collective that a failed rank will
  // never join); std::_Exit(code) if neither has ended the process within a few seconds. Never returns.
  [[noreturn]] void abort_now(int code);

  // MPI_Finalize on the thread, then joins it (environment cleanup). Waits for queued jobs first.
  void finalize();

 private:
  Communicator() = default;
  void post(std::function<JobResult()> job, Done done);
  void loop();

  const MpiApi* api_ = nullptr;
  std::thread thread_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  struct Job {
    std::function<JobResult()> run;
    Done done;
  };
  std::deque<Job> queue_;
  bool stop_ = false;
  bool running_job_ = false;
  bool started_ = false;
  bool initialized_ = false;  // MPI_Init_thread succeeded
  int rank_ = 0, size_ = 1;
};

}  // namespace simdnet::dist
