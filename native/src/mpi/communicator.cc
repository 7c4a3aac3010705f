// The communication thread: see communicator.h.
#include "mpi/communicator.h"

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <thread>

namespace simdnet::dist {
namespace {

// MPI counts are int: larger buffers go in pieces of at most this many elements.
constexpr size_t kMaxPiece = static_cast<size_t>(INT_MAX) / 2;

// How a collective is waited for. Blocking MPI calls spin at 100% CPU until the slowest rank arrives; where ranks
// share cores (oversubscribed nodes, busy machines) the spinning rank steals the CPU the late rank needs: measured
// here, a 2-rank all-reduce of 430 KB inside a training step took 90-100 ms blocking and 10-14 ms with the polite
// wait (bench/distributed.mjs). So by default a collective is started nonblocking (MPI_Iallreduce ...) and
// MPI_Test is polled: spinning for the first kSpinSeconds, then sleeping kSleepNs between tests. Progress of Open
// MPI's nonblocking collectives happens inside MPI_Test. SIMDNET_MPI_WAIT=block uses the blocking calls instead
// (Open MPI's tuned algorithms; best on dedicated cores).
constexpr double kSpinSeconds = 50e-6;
constexpr long kSleepNs = 50'000;

bool polite_wait() {
  static const bool polite = [] {
    const char* v = std::getenv("SIMDNET_MPI_WAIT");
    return !(v && std::string(v) == "block");
  }();
  return polite;
}

// Waits for a nonblocking request as above; returns the MPI code of MPI_Test.
int wait_request(const MpiApi& api, Handle* req) {
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    int done = 0;
    const int rc = api.Test(req, &done, nullptr);
    if (rc != kMpiSuccess || done) return rc;
    if (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > kSpinSeconds)
      std::this_thread::sleep_for(std::chrono::nanoseconds(kSleepNs));
  }
}

// One collective, waited for as polite_wait() says: `call(req)` starts it, nonblocking (the I-form, filling *req)
// when req is non-null, else blocking. Returns the MPI code.
template <typename Call>
int run_collective(const MpiApi& api, Call&& call) {
  if (!polite_wait()) return call(nullptr);
  Handle req = nullptr;
  const int rc = call(&req);
  return rc == kMpiSuccess ? wait_request(api, &req) : rc;
}

// allreduce and broadcast over a buffer of `count` elements: `call(p, n, t, req)` runs the collective on the piece at
// p (n elements of MPI type t) as run_collective's call does, piece after piece (kMaxPiece); the first failure stops
// it, with "<name> failed: ..." as the message.
template <typename Call>
JobResult for_each_piece(const MpiApi& api, void* data, size_t count, Communicator::Type type, const char* name,
                         Call&& call) {
  JobResult r;
  const size_t es = type == Communicator::Type::f32 ? 4 : 8;
  Handle t = type == Communicator::Type::f32 ? api.type_float : api.type_double;
  for (size_t off = 0; off < count; off += kMaxPiece) {
    const int n = static_cast<int>(std::min(kMaxPiece, count - off));
    void* p = static_cast<char*>(data) + off * es;
    r.rc = run_collective(api, [&](Handle* req) { return call(p, n, t, req); });
    if (r.rc != kMpiSuccess) {
      r.message = std::string(name) + " failed: " + error_text(api, r.rc);
      break;
    }
  }
  return r;
}

}  // namespace

Communicator& Communicator::instance() {
  // Never destroyed: the environment cleanup hook finalizes; a static destructor would run after libmpi's own.
  static Communicator* c = new Communicator();
  return *c;
}

bool Communicator::started() const {
  std::lock_guard<std::mutex> lock(mu_);
  return started_;
}

bool Communicator::start(const MpiApi* api, Done done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (started_) return false;
    started_ = true;
    api_ = api;
  }
  thread_ = std::thread([this] { loop(); });
  post(
      [this]() {
        JobResult r;
        int flag = 0;
        api_->Initialized(&flag);
        if (!flag) {
          int provided = 0;
          r.rc = api_->Init_thread(nullptr, nullptr, kMpiThreadSerialized, &provided);
          if (r.rc != kMpiSuccess) {
            r.message = "MPI_Init_thread failed: " + error_text(*api_, r.rc);
            return r;
          }
        }
        api_->Comm_rank(api_->comm_world, &r.rank);
        api_->Comm_size(api_->comm_world, &r.size);
        std::lock_guard<std::mutex> lock(mu_);
        initialized_ = true;
        rank_ = r.rank;
        size_ = r.size;
        return r;
      },
      std::move(done));
  return true;
}

void Communicator::post(std::function<JobResult()> job, Done done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(Job{std::move(job), std::move(done)});
  }
  cv_.notify_all();
}

void Communicator::loop() {
  for (;;) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stop_ and nothing left
      job = std::move(queue_.front());
      queue_.pop_front();
      running_job_ = true;
    }
    JobResult r = job.run();
    {
      std::lock_guard<std::mutex> lock(mu_);
      running_job_ = false;
    }
    cv_.notify_all();
    if (job.done) job.done(r);
  }
}

JobResult Communicator::allreduce_wait(void* data, size_t count, Type type) {
  auto result = std::make_shared<std::promise<JobResult>>();
  std::future<JobResult> f = result->get_future();
  allreduce(data, count, type, [result](const JobResult& r) { result->set_value(r); });
  return f.get();
}

void Communicator::allreduce(void* data, size_t count, Type type, Done done) {
  post(
      [this, data, count, type]() {
        const MpiApi& api = *api_;
        return for_each_piece(api, data, count, type, "MPI_Allreduce", [&](void* p, int n, Handle t, Handle* req) {
          return req ? api.Iallreduce(mpi_in_place(), p, n, t, api.op_sum, api.comm_world, req)
                     : api.Allreduce(mpi_in_place(), p, n, t, api.op_sum, api.comm_world);
        });
      },
      std::move(done));
}

void Communicator::broadcast(void* data, size_t count, Type type, int root, Done done) {
  post(
      [this, data, count, type, root]() {
        const MpiApi& api = *api_;
        return for_each_piece(api, data, count, type, "MPI_Bcast", [&](void* p, int n, Handle t, Handle* req) {
          return req ? api.Ibcast(p, n, t, root, api.comm_world, req) : api.Bcast(p, n, t, root, api.comm_world);
        });
      },
      std::move(done));
}

void Communicator::barrier(Done done) {
  post(
      [this]() {
        JobResult r;
        const MpiApi& api = *api_;
        r.rc = run_collective(api, [&](Handle* req) {
          return req ? api.Ibarrier(api.comm_world, req) : api.Barrier(api.comm_world);
        });
        if (r.rc != kMpiSuccess) r.message = "MPI_Barrier failed: " + error_text(api, r.rc);
        return r;
      },
      std::move(done));
}

void Communicator::abort_now(int code) {
  bool idle = false, ready = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ready = initialized_ && api_ != nullptr;
    idle = !running_job_ && queue_.empty() && thread_.joinable() && !stop_;
    if (ready && idle) {
      // Jump the queue: nothing else may run first.
      queue_.push_front(Job{[this, code]() {
                              api_->Abort(api_->comm_world, code);
                              return JobResult{};
                            },
                            nullptr});
    }
  }
  if (ready && idle) {
    cv_.notify_all();
  } else if (ready) {
    api_->Abort(api_->comm_world, code);  // the thread is stuck in a collective: abort from here
  }
  if (ready) std::this_thread::sleep_for(std::chrono::seconds(5));
  std::_Exit(code);
}

void Communicator::finalize() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!started_ || stop_) return;
  }
  post(
      [this]() {
        JobResult r;
        int init = 0, fin = 0;
        api_->Initialized(&init);
        api_->Finalized(&fin);
        if (init && !fin) r.rc = api_->Finalize();
        return r;
      },
      nullptr);
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace simdnet::dist
