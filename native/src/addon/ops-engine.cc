// `Engine`: the N-API face of engine::Engine (lib/engine/native-engine.ts wraps it as NativeEngine).
//
//   new Engine(plan)                    compile (plan checked field by field, coded errors)
//   trainStep(x, y, batch, w?)          one synchronous step; loss and metrics go to logsBuffer() (no object per step)
//   trainBatches(x, y, n, order, batchSize, firstBatch, batchCount, lrPerStep|null, diagnostics, w?) -> Promise
//   evaluate(x, y, n, batchSize, w?) / evaluateAsync(...) -> Promise<number[]>;  predict(x, n, bs, out) / predictAsync
//   w: per-sample weights (Float32Array, one per sample, finite and >= 0) or null/undefined (docs/engine.md)
//   params(), getParams(), setParams(arrays), resetOptimizer(), getOptimizerState() -> arrays,
//   setOptimizerState(arrays, step), setSlice(kind, index, offset, values), setStep(step), get/setLearningRate,
//   getStep(), cancel(),
//   memoryBytes(), isBusy(), isDisposed(), dispose()
//
// Async calls copy their scalar arguments into the worker, hold every typed array they read as a JobInput
// (job-input.h: x and dense y pinned when they are allocF32 blocks, else copied; sparse labels, order and lrPerStep
// always copied), so a buffer transferred to a Worker or detached mid-run cannot free or change what the job reads,
// hold a reference to the Engine object itself, so it cannot be collected mid-run, and set the busy flag: any other
// call that would touch the engine throws SIMDNET_BUSY until the promise settles. cancel() sets a flag the worker
// reads before each step. Native memory is reported to V8 with AdjustExternalMemory and released by dispose() or the
// finalizer.
#include <napi.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "addon/args.h"
#include "addon/engine-serving.h"
#include "addon/input-feed.h"
#include "addon/job-input.h"
#include "addon/ops-engine-plan.h"
#include "addon/registry.h"
#include "engine/engine.h"
#include "mpi/communicator.h"
#include "runtime/threadpool.h"

namespace simdnet::addon {
namespace {

using engine::Engine;
using engine::LayerDiag;
using engine::LogSums;

constexpr size_t kLogSlots = 4;  // loss + at most three metrics (validate_plan rejects duplicates)

Napi::Array log_values(Napi::Env env, const LogSums& logs, size_t count) {
  Napi::Array out = Napi::Array::New(env, count);
  for (size_t i = 0; i < count; ++i) out.Set(static_cast<uint32_t>(i), Napi::Number::New(env, logs.value(i)));
  return out;
}

Napi::Array diag_values(Napi::Env env, const std::vector<LayerDiag>& diags) {
  Napi::Array out = Napi::Array::New(env, diags.size());
  for (size_t i = 0; i < diags.size(); ++i) {
    const LayerDiag& d = diags[i];
    Napi::Object o = Napi::Object::New(env);
    o.Set("layerIndex", Napi::Number::New(env, static_cast<double>(d.layer)));
    o.Set("gradNorm", Napi::Number::New(env, d.grad_norm));
    o.Set("weightNorm", Napi::Number::New(env, d.weight_norm));
    o.Set("updateRatio", Napi::Number::New(env, d.update_ratio));
    o.Set("deadFraction", Napi::Number::New(env, d.dead_fraction));
    o.Set("activationMean", Napi::Number::New(env, d.activation_mean));
    o.Set("activationStd", Napi::Number::New(env, d.activation_std));
    out.Set(static_cast<uint32_t>(i), o);
  }
  return out;
}

// What the JS object and its running job share: the engine outlives the JS object while a job still uses it.
struct EngineState {
  std::unique_ptr<Engine> engine;
  std::atomic<bool> busy{false}, cancel{false};
  // Serving while training (engine-serving.h): made at the first trainBatches; `training` is set while that job
  // runs, and reads then go to the published snapshot instead of throwing SIMDNET_BUSY.
  std::unique_ptr<EngineServing> serving;
  std::atomic<bool> training{false};
  std::atomic<int> serve_jobs{0};
  bool finalized = false;  // the JS object is gone: no more memory reports
  int64_t reported = 0;    // bytes reported to V8 with AdjustExternalMemory
  // The input of the fed predictAsync in flight (input-feed.h), until JS reports it complete or failed (JS thread).
  std::shared_ptr<InputFeed> feed;

  // Tells V8 how much native memory the plan holds now (JS thread, after anything that may allocate or free).
  void sync_memory(Napi::Env env) {
    if (finalized) return;
    // job_reader is left out: its buffers may be resized on a libuv thread while this runs.
    int64_t now = engine ? static_cast<int64_t>(engine->memory_bytes()) : 0;
    if (serving) {
      if (serving->pub) now += static_cast<int64_t>(serving->pub->memory_bytes());
      if (serving->sync_reader) now += static_cast<int64_t>(serving->sync_reader->memory_bytes());
    }
    if (now != reported) {
      adjust(env, now - reported);
      reported = now;
    }
  }
  // The C call, status ignored: also runs from finalizers during environment teardown, where a throwing
  // Napi::MemoryManagement::AdjustExternalMemory would terminate the process.
  static void adjust(napi_env env, int64_t delta) {
    int64_t total = 0;
    napi_adjust_external_memory(env, delta, &total);
  }
};

// Base for the three async jobs: a promise, the references that keep inputs alive, and the busy/memory bookkeeping.
class EngineJob : public Napi::AsyncWorker {
 public:
  // `serve`: a read on the published snapshot during training (engine-serving.h): runs on serving->job_reader and
  // leaves the busy flag alone.
  EngineJob(Napi::Env env, std::shared_ptr<EngineState> st, Napi::Object self, const char* name, bool serve = false);
  Napi::Promise Promise() { return deferred_.Promise(); }
  // With the JS thread's own FP state: the first job starts libuv's pool threads, which inherit it (fpenv.h).
  void Queue() {
    FpGuard caller(entry_flush_bits());
    Napi::AsyncWorker::Queue();
  }
  void Hold(const Napi::Value& v) {
    if (v.IsObject()) refs_.push_back(Napi::Persistent(v.As<Napi::Object>()));
  }
  // Takes the job's inputs (read through JobInputs made before the job, so a failed copy leaves no job behind with
  // the busy flag set) and references to their JS objects.
  void Adopt(std::vector<JobInput> inputs, std::initializer_list<Napi::Value> objects) {
    inputs_ = std::move(inputs);
    for (const Napi::Value& v : objects) Hold(v);
  }
  // Adopt, then Queue: the async entry points' common last step; returns the job's promise.
  Napi::Promise AdoptAndQueue(std::vector<JobInput> inputs, std::initializer_list<Napi::Value> objects) {
    Adopt(std::move(inputs), objects);
    Napi::Promise p = Promise();
    Queue();
    return p;
  }

 protected:
  void Execute() override {
    FpGuard fp;  // this libuv thread's own state comes back after the job
    try {
      if (serve_) {
        EngineServing& sv = *st_->serving;
        std::lock_guard<std::mutex> lock(sv.job_mu);
        sv.refresh(*sv.job_reader, sv.job_version);
        if (!sv.job_reader->prepare(std::max<size_t>(1, serve_batch_))) {
          SetError("SIMDNET_ABORTED: out of memory allocating buffers for a read during training");
          return;
        }
        Run();
        return;
      }
      Run();
    } catch (const std::exception& e) {
      SetError(std::string("SIMDNET_ABORTED: native engine failure: ") + e.what());
    }
  }
  virtual void Run() = 0;
  virtual Napi::Value Result(Napi::Env env) = 0;
  void OnOK() override;
  void OnError(const Napi::Error& e) override;

  std::shared_ptr<EngineState> st_;
  Engine* engine_;
  bool serve_;
  size_t serve_batch_ = 1;

 private:
  void Finish();
  Napi::Promise::Deferred deferred_;
  Napi::ObjectReference self_;
  std::vector<Napi::ObjectReference> refs_;
  std::vector<JobInput> inputs_;
};

// A list of the engine's float arrays as getParams/setParams and getOptimizerState/setOptimizerState see them:
// where each lives, its length, its name in errors ("values[0]") and what a length error adds (" (d1/kernel)").
struct EngineArray {
  float* data;
  size_t size;
  std::string name, detail;
};

std::vector<EngineArray> ParamArrays(Engine& e) {
  std::vector<EngineArray> out;
  for (size_t i = 0; i < e.param_count(); ++i)
    out.push_back({e.param(i), e.param_info(i).size, "values[" + std::to_string(i) + "]",
                   " (" + e.param_info(i).name + ")"});
  return out;
}

std::vector<EngineArray> StateArrays(Engine& e) {
  std::vector<EngineArray> out;
  for (size_t i = 0; i < e.optimizer_state_count(); ++i)
    out.push_back({e.optimizer_state(i), e.param_info(e.optimizer_state_param(i)).size,
                   "state[" + std::to_string(i) + "]", ""});
  return out;
}

// Copies of every array, as Float32Arrays.
Napi::Array CopyOut(Napi::Env env, const std::vector<EngineArray>& list) {
  Napi::Array out = Napi::Array::New(env, list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    Napi::Float32Array a = Napi::Float32Array::New(env, list[i].size);
    std::memcpy(a.Data(), list[i].data, list[i].size * sizeof(float));
    out.Set(static_cast<uint32_t>(i), a);
  }
  return out;
}

// Copies arr[i] into list[i] after checking every element (type, detached buffer, length), so a bad call changes
// nothing. `what` names the arrays in the count error ("parameter arrays").
void CopyIn(Napi::Env env, Napi::Array arr, const std::vector<EngineArray>& list, const char* what) {
  if (arr.Length() != list.size())
    throw_range_error(env, "SIMDNET_SHAPE_MISMATCH",
                      "Expected " + std::to_string(list.size()) + " " + what + " but received " +
                          std::to_string(arr.Length()));
  std::vector<const float*> src(list.size());
  for (uint32_t i = 0; i < arr.Length(); ++i) {
    Napi::Value v = arr.Get(i);
    const EngineArray& d = list[i];
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
      throw_type_error(env, "SIMDNET_INVALID_ARGUMENT", "Expected a Float32Array for " + d.name);
    Napi::Float32Array a = v.As<Napi::Float32Array>();
    bool detached = false;
    if (napi_is_detached_arraybuffer(env, a.ArrayBuffer(), &detached) == napi_ok && detached)
      throw_type_error(env, "SIMDNET_DETACHED_BUFFER", d.name + " is backed by a detached ArrayBuffer");
    if (a.ElementLength() != d.size)
      throw_range_error(env, "SIMDNET_SHAPE_MISMATCH",
                        d.name + d.detail + " has " + std::to_string(a.ElementLength()) + " elements but " +
                            std::to_string(d.size) + " are needed");
    src[i] = a.Data();
  }
  for (size_t i = 0; i < src.size(); ++i) std::memmove(list[i].data, src[i], list[i].size * sizeof(float));
}

class EngineWrap : public Napi::ObjectWrap<EngineWrap> {
 public:
  static void Register(Napi::Env env, Napi::Object exports) {
    Napi::Function ctor = DefineClass(
        env, "Engine",
        {InstanceMethod<&EngineWrap::Params>("params"), InstanceMethod<&EngineWrap::GetParams>("getParams"),
         InstanceMethod<&EngineWrap::SetParams>("setParams"),
         InstanceMethod<&EngineWrap::ResetOptimizer>("resetOptimizer"),
         InstanceMethod<&EngineWrap::GetOptimizerState>("getOptimizerState"),
         InstanceMethod<&EngineWrap::SetOptimizerState>("setOptimizerState"),
         InstanceMethod<&EngineWrap::SetSlice>("setSlice"), InstanceMethod<&EngineWrap::SetStep>("setStep"),
         InstanceMethod<&EngineWrap::GetLearningRate>("getLearningRate"),
         InstanceMethod<&EngineWrap::SetLearningRate>("setLearningRate"),
         InstanceMethod<&EngineWrap::GetStep>("getStep"), InstanceMethod<&EngineWrap::LogsBuffer>("logsBuffer"),
         InstanceMethod<&EngineWrap::TrainStep>("trainStep"),
         InstanceMethod<&EngineWrap::GradientSize>("gradientSize"),
         InstanceMethod<&EngineWrap::GradSums>("gradSums"),
         InstanceMethod<&EngineWrap::ApplyGradientSums>("applyGradientSums"),
         InstanceMethod<&EngineWrap::GradSumsAsync>("gradSumsAsync"),
         InstanceMethod<&EngineWrap::ApplyGradientSumsAsync>("applyGradientSumsAsync"),
         InstanceMethod<&EngineWrap::DistributedStepAsync>("distributedStepAsync"),
         InstanceMethod<&EngineWrap::TrainBatches>("trainBatches"), InstanceMethod<&EngineWrap::Cancel>("cancel"),
         InstanceMethod<&EngineWrap::Evaluate>("evaluate"),
         InstanceMethod<&EngineWrap::EvaluateAsync>("evaluateAsync"),
         InstanceMethod<&EngineWrap::Predict>("predict"), InstanceMethod<&EngineWrap::PredictAsync>("predictAsync"),
         InstanceMethod<&EngineWrap::FeedInput>("feedInput"), InstanceMethod<&EngineWrap::FeedFail>("feedFail"),
         InstanceMethod<&EngineWrap::MemoryBytes>("memoryBytes"), InstanceMethod<&EngineWrap::IsBusy>("isBusy"),
         InstanceMethod<&EngineWrap::IsDisposed>("isDisposed"), InstanceMethod<&EngineWrap::Dispose>("dispose"),
         InstanceMethod<&EngineWrap::InputSize>("inputSize"),
         InstanceMethod<&EngineWrap::OutputSize>("outputSize"), InstanceMethod<&EngineWrap::IsServing>("isServing"),
         InstanceMethod<&EngineWrap::HoldSnapshot>("holdSnapshot"),
         InstanceMethod<&EngineWrap::SetPublishInterval>("setPublishInterval"),
         InstanceMethod<&EngineWrap::ServingStats>("servingStats")});
    exports.Set("Engine", ctor);
  }

  // Hides ObjectWrap's InstanceMethod so every method in the list above (and any added to it) runs under the FP
  // guard, as registry.h's set_function does for functions.
  template <Napi::Value (EngineWrap::*M)(const Napi::CallbackInfo&)>
  static PropertyDescriptor InstanceMethod(const char* name) {
    return Napi::ObjectWrap<EngineWrap>::InstanceMethod<&EngineWrap::Guarded<M>>(name);
  }
  template <Napi::Value (EngineWrap::*M)(const Napi::CallbackInfo&)>
  Napi::Value Guarded(const Napi::CallbackInfo& info) {
    FpGuard fp;
    return (this->*M)(info);
  }

  explicit EngineWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<EngineWrap>(info) {
    FpGuard fp;  // weight initialisation
    Napi::Env env = info.Env();
    engine::PlanSpec plan = read_plan(env, info.Length() > 0 ? info[0] : env.Undefined());
    engine::Status st;
    st_->engine = Engine::create(plan, &st);
    if (!st_->engine) {
      if (st.range) throw_range_error(env, st.code, st.message);
      throw_type_error(env, st.code, st.message);
    }
    metric_count_ = plan.metrics.size();
    Napi::Float64Array logs = Napi::Float64Array::New(env, kLogSlots);
    logs_ = logs.Data();
    logs_ref_ = Napi::Persistent(logs);
    logs_buffer_ref_ = Napi::Persistent(logs.ArrayBuffer());
    SyncMemory(env);
  }

  // Finalizer (or environment teardown). A job still running keeps the engine alive through its own reference to the
  // state and stops at its next step; the engine is freed when the last reference goes.
  ~EngineWrap() override {
    if (st_->feed) st_->feed->fail();  // nobody is left to report its rows
    st_->feed.reset();
    st_->cancel.store(true);
    st_->finalized = true;
    if (!st_->busy.load()) st_->engine.reset();
    if (st_->reported) {
      EngineState::adjust(Env(), -st_->reported);
      st_->reported = 0;
    }
  }

  bool busy() const { return st_->busy.load(); }

  void SyncMemory(Napi::Env env) { st_->sync_memory(env); }

 private:
  void Release() {
    if (!st_->engine) return;
    st_->engine.reset();
    if (st_->serve_jobs.load() == 0) st_->serving.reset();
    st_->sync_memory(Env());
  }

  // Reads go to the published snapshot: a trainBatches job is running (and the engine is not disposed).
  bool Serving() const { return st_->engine && st_->training.load() && st_->serving; }

  // A reader or published copy of the same plan (JS thread).
  std::unique_ptr<Engine> Copy(Napi::Env env) {
    engine::Status status;
    std::unique_ptr<Engine> e = Engine::create(st_->engine->plan(), &status);
    if (!e) throw_error(env, "SIMDNET_ABORTED", "Could not allocate the serving copy of the engine");
    return e;
  }

  // The serving state, made on first use (JS thread): the published copy; each reader is made when first needed
  // (SyncReader, AsyncReader), so a model that only trains holds one more copy, one that only predicts async two.
  EngineServing& Serve(Napi::Env env) {
    if (!st_->engine) throw_error(env, "SIMDNET_DISPOSED", "This engine has been disposed");
    if (!st_->serving) {
      auto sv = std::make_unique<EngineServing>();
      sv->pub = Copy(env);
      if (!st_->busy.load()) EngineServing::copy_state(*sv->pub, *st_->engine);
      st_->serving = std::move(sv);
      SyncMemory(env);
    }
    return *st_->serving;
  }

  // predictAsync/evaluateAsync always run on serving->job_reader, so they never hold the engine (a fit() starting
  // while one runs is not refused). Outside training the published parameters are brought up to the engine's own
  // first (a copy of the parameters; only training changes them while a job runs).
  void PublishIfIdle(Napi::Env env) {
    EngineServing& sv = Serve(env);
    if (st_->training.load() || busy()) return;
    std::lock_guard<std::mutex> lock(sv.pub_mu);  // held elsewhere only for a copy of the parameters
    Engine& e = *st_->engine;
    for (size_t i = 0; i < e.param_count(); ++i)
      std::memcpy(sv.pub->param(i), e.param(i), e.param_info(i).size * sizeof(float));
    sv.pub->set_step(e.step());
    ++sv.version;
  }

  // The async jobs' reader, made before the first one is queued (none can be running on it while it is null).
  void AsyncReader(Napi::Env env) {
    EngineServing& sv = Serve(env);
    if (!sv.job_reader) sv.job_reader = Copy(env);
  }

  // The JS thread's reader, brought up to the published step.
  Engine& SyncReader(Napi::Env env) {
    EngineServing& sv = Serve(env);
    if (!sv.sync_reader) {
      sv.sync_reader = Copy(env);
      SyncMemory(env);
    }
    sv.refresh_or_keep(*sv.sync_reader, sv.sync_version);
    return *sv.sync_reader;
  }

  // Every method that touches the engine: not disposed, not busy.
  Engine& Usable(Napi::Env env) {
    if (!st_->engine) throw_error(env, "SIMDNET_DISPOSED", "This engine has been disposed");
    if (busy()) throw_error(env, "SIMDNET_BUSY", "The engine is busy with an asynchronous call");
    return *st_->engine;
  }

  void Prepare(Napi::Env env, Engine& e, size_t batch, bool diagnostics) {
    if (!e.prepare(batch, diagnostics))
      throw_range_error(env, "SIMDNET_INVALID_ARGUMENT",
                        "Out of memory allocating buffers for batch size " + std::to_string(batch));
    SyncMemory(env);
  }

  // How a job holds y: sparse labels (one column) are row indices checked at call time, so always a copy; other
  // targets are only computed with and may be pinned like x (an autoencoder's y is as large as its x).
  static JobInput::Mode LabelMode(const Engine& e) { return e.target_size() == 1 ? JobInput::kCopy : JobInput::kPin; }

  void CheckLabels(Napi::Env env, const Engine& e, const float* y, size_t n) {
    const long long bad = e.find_bad_label(y, n);
    if (bad >= 0)
      throw_range_error(env, "SIMDNET_INVALID_ARGUMENT",
                        "Expected a class index (integer in [0, " + std::to_string(e.output_size()) + ")) for y[" +
                            std::to_string(bad) + "] but received " + std::to_string(y[bad]));
  }

  void WriteLogs(Napi::Env env, const LogSums& logs) {
    // The logs buffer is handed to JS once; if someone transferred (detached) it, its memory is gone: write nothing.
    bool detached = false;
    if (napi_is_detached_arraybuffer(env, logs_buffer_ref_.Value(), &detached) != napi_ok || detached) return;
    for (size_t i = 0; i < kLogSlots; ++i) logs_[i] = i <= metric_count_ ? logs.value(i) : 0.0;
  }

  Napi::Value Params(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!st_->engine) throw_error(env, "SIMDNET_DISPOSED", "This engine has been disposed");
    Napi::Array out = Napi::Array::New(env, st_->engine->param_count());
    for (size_t i = 0; i < st_->engine->param_count(); ++i) {
      const engine::ParamInfo& p = st_->engine->param_info(i);
      Napi::Object o = Napi::Object::New(env);
      o.Set("name", p.name);
      o.Set("layerIndex", Napi::Number::New(env, static_cast<double>(p.layer)));
      Napi::Array shape = Napi::Array::New(env, p.shape.size());
      for (size_t d = 0; d < p.shape.size(); ++d)
        shape.Set(static_cast<uint32_t>(d), Napi::Number::New(env, static_cast<double>(p.shape[d])));
      o.Set("shape", shape);
      o.Set("trainable", Napi::Boolean::New(env, p.trainable));
      out.Set(static_cast<uint32_t>(i), o);
    }
    return out;
  }

  Napi::Value GetParams(const Napi::CallbackInfo& info) {
    if (Serving()) {
      std::lock_guard<std::mutex> lock(st_->serving->pub_mu);
      return CopyOut(info.Env(), ParamArrays(*st_->serving->pub));
    }
    Engine& e = Usable(info.Env());
    return CopyOut(info.Env(), ParamArrays(e));
  }

  Napi::Value SetParams(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Engine& e = Usable(env);
    if (info.Length() < 1 || !info[0].IsArray())
      throw_type_error(env, "SIMDNET_INVALID_ARGUMENT", "Expected an Array of Float32Array for values");
    CopyIn(env, info[0].As<Napi::Array>(), ParamArrays(e), "parameter arrays");
    return env.Undefined();
  }

  // Copies of the optimizer's state arrays, in Engine::optimizer_state order.
  Napi::Value GetOptimizerState(const Napi::CallbackInfo& info) {
    if (Serving()) {
      std::lock_guard<std::mutex> lock(st_->serving->pub_mu);
      return CopyOut(info.Env(), StateArrays(*st_->serving->pub));
    }
    Engine& e = Usable(info.Env());
    return CopyOut(info.Env(), StateArrays(e));
  }

  // setOptimizerState(arrays, step): every array checked before anything is copied, so a bad call changes nothing.
  Napi::Value SetOptimizerState(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Engine& e = Usable(env);
    if (info.Length() < 1 || !info[0].IsArray())
      throw_type_error(env, "SIMDNET_INVALID_ARGUMENT", "Expected an Array of Float32Array for the optimizer state");
    const size_t step = get_size(info, 1, "step");
    CopyIn(env, info[0].As<Napi::Array>(), StateArrays(e), "optimizer state arrays");
    e.set_step(step);
    return env.Undefined();
  }

  // setSlice(kind, index, offset, values): copies values into parameter `index` (kind 0) or optimizer state array
  // `index` (kind 1) from element `offset` on. loadModel streams a saved file into a fresh engine in small chunks
  // this way (lib/io/load.ts), so no copy of the whole file exists beside the engine. Checked before copying.
  Napi::Value SetSlice(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Engine& e = Usable(env);
    const size_t kind = get_size(info, 0, "kind");
    const size_t index = get_size(info, 1, "index");
    const size_t offset = get_size(info, 2, "offset");
    const float* src = get_f32(info, 3, "values", 0);
    const size_t n = info[3].As<Napi::Float32Array>().ElementLength();
    if (kind > 1)
      throw_range_error(env, "SIMDNET_INVALID_ARGUMENT", "Expected kind 0 (parameter) or 1 (optimizer state)");
    const size_t count = kind == 0 ? e.param_count() : e.optimizer_state_count();
    if (index >= count)
      throw_range_error(env, "SIMDNET_INVALID_ARGUMENT",
                        "Expected an index below " + std::to_string(count) + " but received " + std::to_string(index));
    float* dst = kind == 0 ? e.param(index) : e.optimizer_state(index);
    const size_t size = e.param_info(kind == 0 ? index : e.optimizer_state_param(index)).size;
    if (offset > size || n > size - offset)
      throw_range_error(env, "SIMDNET_SHAPE_MISMATCH",
                        "Elements " + std::to_string(offset) + ".." + std::to_string(offset + n) + " are past the " +
                            std::to_string(size) + " of array " + std::to_string(index));
    std::memmove(dst + offset, src, n * sizeof(float));
    return env.Undefined();
  }

  // setStep(step): the optimizer's step counter alone (after setSlice has written its state).
  Napi::Value SetStep(const Napi::CallbackInfo& info) {
    Engine& e = Usable(info.Env());
    e.set_step(get_size(info, 0, "step"));
    return info.Env().Undefined();
  }

  Napi::Value ResetOptimizer(const Napi::CallbackInfo& info) {
    Usable(info.Env()).reset_optimizer();
    return info.Env().Undefined();
  }

  Napi::Value GetLearningRate(const Napi::CallbackInfo& info) {
    if (!st_->engine) throw_error(info.Env(), "SIMDNET_DISPOSED", "This engine has been disposed");
    if (Serving()) {
      std::lock_guard<std::mutex> lock(st_->serving->pub_mu);
      return Napi::Number::New(info.Env(), st_->serving->pub->learning_rate());
    }
    return Napi::Number::New(info.Env(), st_->engine->learning_rate());
  }

  Napi::Value SetLearningRate(const Napi::CallbackInfo& info) {
    Engine& e = Usable(info.Env());
    const double lr = get_double(info, 0, "lr");
    if (lr < 0) throw_range_error(info.Env(), "SIMDNET_INVALID_ARGUMENT", "the learning rate must be >= 0");
    e.set_learning_rate(lr);
    return info.Env().Undefined();
  }

  Napi::Value GetStep(const Napi::CallbackInfo& info) {
    if (!st_->engine) throw_error(info.Env(), "SIMDNET_DISPOSED", "This engine has been disposed");
    if (Serving()) {  // the snapshot's step, so that save() during training stores one step's state
      std::lock_guard<std::mutex> lock(st_->serving->pub_mu);
      return Napi::Number::New(info.Env(), static_cast<double>(st_->serving->pub->step()));
    }
    return Napi::Number::New(info.Env(), static_cast<double>(st_->engine->step()));
  }

  // Serving while training: whether reads go to the snapshot now, pause/resume publishing (several reads that must
  // see one step), the publishing interval, and counters (tests, bench).
  Napi::Value IsServing(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), Serving()); }
  Napi::Value HoldSnapshot(const Napi::CallbackInfo& info) {
    const bool on = info.Length() > 0 && info[0].IsBoolean() && info[0].As<Napi::Boolean>().Value();
    Serve(info.Env()).set_hold(on);
    return info.Env().Undefined();
  }
  Napi::Value SetPublishInterval(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsNumber() || !(info[0].As<Napi::Number>().DoubleValue() >= 0))
      throw_range_error(env, "SIMDNET_INVALID_ARGUMENT", "Expected a number of milliseconds >= 0 for the publish interval");
    Serve(env).interval_ns.store(static_cast<int64_t>(info[0].As<Napi::Number>().DoubleValue() * 1e6));
    return env.Undefined();
  }
  Napi::Value ServingStats(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    EngineServing& sv = Serve(env);
    Napi::Object o = Napi::Object::New(env);
    o.Set("publishes", Napi::Number::New(env, static_cast<double>(sv.publishes.load())));
    o.Set("skipped", Napi::Number::New(env, static_cast<double>(sv.skipped.load())));
    o.Set("publishMs", Napi::Number::New(env, static_cast<double>(sv.publish_ns.load()) / 1e6));
    o.Set("kept", Napi::Number::New(env, static_cast<double>(sv.kept)));
    {
      std::lock_guard<std::mutex> lock(sv.pub_mu);
      o.Set("version", Napi::Number::New(env, static_cast<double>(sv.version)));
      o.Set("step", Napi::Number::New(env, static_cast<double>(sv.pub->step())));
    }
    return o;
  }

  Napi::Value LogsBuffer(const Napi::CallbackInfo&) { return logs_ref_.Value(); }

  // Optional per-sample weights at info[i]: n finite values >= 0, or nullptr when null/undefined.
  static const float* GetWeights(const Napi::CallbackInfo& info, size_t i, size_t n) {
    const float* w = get_f32_opt(info, i, "sampleWeight", n);
    if (w)
      for (size_t k = 0; k < n; ++k)
        if (!(w[k] >= 0.0f) || !std::isfinite(w[k]))
          throw_range_error(info.Env(), "SIMDNET_INVALID_ARGUMENT",
                            "sampleWeight[" + std::to_string(k) + "] is not a finite number >= 0");
    return w;
  }

  Napi::Value TrainStep(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Engine& e = Usable(env);
    const size_t batch = get_size(info, 2, "batch");
    if (batch < 1) throw_range_error(env, "SIMDNET_INVALID_ARGUMENT", "batch must be >= 1");
    const float* x = get_f32(info, 0, "x", checked_mul(env, batch, e.input_size()));
    const float* y = get_f32(info, 1, "y", checked_mul(env, batch, e.target_size()));
    CheckLabels(env, e, y, batch);
    const float* w = GetWeights(info, 3, batch);
    Prepare(env, e, batch, false);
    LogSums logs;
    e.train_step(x, y, batch, &logs, w);
    WriteLogs(env, logs);
    return env.Undefined();
  }

  // Data-parallel split step (lib/distributed/train.ts): gradientSize(), gradSums(x, y, batch, out) -> logs in
  // logsBuffer(), applyGradientSums(sums, count, lr). Synchronous, like trainStep; distributed fit uses the async
  // forms below (gradSumsAsync, applyGradientSumsAsync).
  Napi::Value GradientSize(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(Usable(info.Env()).trainable_size()));
  }

  // Shared checks of gradSums/gradSumsAsync: (x, y, batch, out), labels checked and e's buffers sized for batch.
  struct GradSumsArgs {
    const float* x;
    const float* y;
    size_t batch;
    float* out;  // trainable_size() floats
  };
  GradSumsArgs ReadGradSums(const Napi::CallbackInfo& info, Engine& e) {
    Napi::Env env = info.Env();
    GradSumsArgs a{};
    a.batch = get_size(info, 2, "batch");
    if (a.batch < 1) throw_range_error(env, "SIMDNET_INVALID_ARGUMENT", "batch must be >= 1");
    a.x = get_f32(info, 0, "x", checked_mul(env, a.batch, e.input_size()));
    a.y = get_f32(info, 1, "y", checked_mul(env, a.batch, e.target_size()));
    a.out = get_f32(info, 3, "out", e.trainable_size());
    CheckLabels(env, e, a.y, a.batch);
    Prepare(env, e, a.batch, false);
    return a;
  }

  // Shared checks of applyGradientSums/applyGradientSumsAsync: (sums, count, lr).
  struct ApplySumsArgs {
    const float* sums;  // trainable_size() floats
    double count;
    float lr;
  };
  static ApplySumsArgs ReadApplySums(const Napi::CallbackInfo& info, const Engine& e) {
    ApplySumsArgs a{};
    a.sums = get_f32(info, 0, "sums", e.trainable_size());
    a.count = get_double(info, 1, "count");
    if (!(a.count > 0)) throw_range_error(info.Env(), "SIMDNET_INVALID_ARGUMENT", "count must be > 0");
    a.lr = get_float(info, 2, "lr");
    return a;
  }

  Napi::Value GradSums(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Engine& e = Usable(env);
    const GradSumsArgs a = ReadGradSums(info, e);
    LogSums logs;
    e.grad_sums(a.x, a.y, a.batch, a.out, &logs);
    WriteLogs(env, logs);
    return env.Undefined();
  }

  Napi::Value ApplyGradientSums(const Napi::CallbackInfo& info) {
    Engine& e = Usable(info.Env());
    const ApplySumsArgs a = ReadApplySums(info, e);
    e.apply_gradient_sums(a.sums, a.count, a.lr);
    return info.Env().Undefined();
  }

  // The two halves off the JS thread, for distributed fit (lib/distributed/train.ts): gradSumsAsync(x, y, batch, out)
  // -> Promise<number[]> (loss and metrics of the batch, as logsBuffer holds them) and applyGradientSumsAsync(sums,
  // count, lr) -> Promise<void>, each one job on a libuv thread (defined below the class).
  Napi::Value GradSumsAsync(const Napi::CallbackInfo& info);
  Napi::Value ApplyGradientSumsAsync(const Napi::CallbackInfo& info);
  // The whole data-parallel step as one job (lib/distributed/train.ts with an MPI group): gradient sums, the in-place
  // all-reduce on the MPI communication thread (the job's thread waits for it), then the update; see DistStepJob.
  Napi::Value DistributedStepAsync(const Napi::CallbackInfo& info);
  // Before either job: reads while it runs are served from the published copy (engine-serving.h), which is first
  // brought up to the engine's state now, as TrainBatches does, so a read during the job sees the state a read just
  // before it saw (never an older one) and never a half-applied update.
  void StartSplitJob(Napi::Env env) {
    EngineServing& sv = Serve(env);
    {
      std::lock_guard<std::mutex> lock(sv.pub_mu);  // held elsewhere only for a copy of the parameters
      EngineServing::copy_state(*sv.pub, *st_->engine);
      ++sv.version;
      sv.floor_version = sv.version;
      sv.last_ns = EngineServing::now_ns();
    }
    SyncMemory(env);
  }

  // Shared checks of evaluate/evaluateAsync: x, y, n, batchSize.
  struct EvalArgs {
    const float* x;
    const float* y;
    const float* w;  // per-sample weights or nullptr
    size_t n, batch_size;
  };
  // `prepare_on`: the engine that will compute (its buffers are sized here), or nullptr for a serve job, which
  // sizes job_reader's on its own thread.
  EvalArgs ReadEval(const Napi::CallbackInfo& info, Engine& e, bool with_y, Engine* prepare_on) {
    Napi::Env env = info.Env();
    const size_t yi = with_y ? 1 : 0;
    EvalArgs a{};
    a.n = get_size(info, yi + 1, "n");
    a.batch_size = get_size(info, yi + 2, "batchSize");
    if (a.batch_size < 1) throw_range_error(env, "SIMDNET_INVALID_ARGUMENT", "batchSize must be >= 1");
    a.x = get_f32(info, 0, "x", checked_mul(env, a.n, e.input_size()));
    if (with_y) {
      a.y = get_f32(info, 1, "y", checked_mul(env, a.n, e.target_size()));
      CheckLabels(env, e, a.y, a.n);
      a.w = GetWeights(info, 4, a.n);
    }
    if (prepare_on) Prepare(env, *prepare_on, std::max<size_t>(1, std::min(a.batch_size, a.n)), false);
    return a;
  }

  Napi::Value Evaluate(const Napi::CallbackInfo& info) {
    if (Serving()) {
      Engine& r = SyncReader(info.Env());
      EvalArgs a = ReadEval(info, *st_->engine, true, &r);
      LogSums logs;
      InlineScope solo;  // off the training job's thread pool (runtime/threadpool.h)
      r.evaluate(a.x, a.y, a.n, a.batch_size, &logs, a.w);
      WriteLogs(info.Env(), logs);
      return info.Env().Undefined();
    }
    Engine& e = Usable(info.Env());
    EvalArgs a = ReadEval(info, e, true, &e);
    LogSums logs;
    e.evaluate(a.x, a.y, a.n, a.batch_size, &logs, a.w);
    WriteLogs(info.Env(), logs);
    return info.Env().Undefined();
  }

  Napi::Value Predict(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const bool serving = Serving();
    Engine& e = serving ? SyncReader(env) : Usable(env);
    EvalArgs a = ReadEval(info, e, false, &e);
    float* out = get_f32(info, 3, "out", checked_mul(env, a.n, e.output_size()));
    if (serving || a.n <= EngineServing::kInlineRows) {
      InlineScope solo;  // off the thread pool (runtime/threadpool.h): EngineServing::kInlineRows
      e.predict(a.x, a.n, a.batch_size, out);
    } else {
      e.predict(a.x, a.n, a.batch_size, out);
    }
    return info[3];
  }

  Napi::Value TrainBatches(const Napi::CallbackInfo& info);
  Napi::Value EvaluateAsync(const Napi::CallbackInfo& info);
  Napi::Value PredictAsync(const Napi::CallbackInfo& info);

  // feedInput(rows): rows [0, rows) of the fed predictAsync's input are in place (input-feed.h); feedFail(): none
  // will follow (the job then rejects). No-ops without a fed call in flight, also after dispose().
  Napi::Value FeedInput(const Napi::CallbackInfo& info) {
    const size_t rows = get_size(info, 0, "rows");
    if (st_->feed) {
      st_->feed->set(rows);
      if (st_->feed->complete()) st_->feed.reset();
    }
    return info.Env().Undefined();
  }
  Napi::Value FeedFail(const Napi::CallbackInfo& info) {
    if (st_->feed) st_->feed->fail();
    st_->feed.reset();
    return info.Env().Undefined();
  }

  Napi::Value Cancel(const Napi::CallbackInfo& info) {
    st_->cancel.store(true);
    return info.Env().Undefined();
  }

  Napi::Value MemoryBytes(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), st_->engine ? static_cast<double>(st_->engine->memory_bytes()) : 0.0);
  }
  Napi::Value IsBusy(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), busy()); }
  Napi::Value IsDisposed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), !st_->engine); }
  Napi::Value InputSize(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), st_->engine ? static_cast<double>(st_->engine->input_size()) : 0.0);
  }
  Napi::Value OutputSize(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), st_->engine ? static_cast<double>(st_->engine->output_size()) : 0.0);
  }

  Napi::Value Dispose(const Napi::CallbackInfo& info) {
    if (busy()) throw_error(info.Env(), "SIMDNET_BUSY", "Cannot dispose the engine while an asynchronous call runs");
    Release();
    return info.Env().Undefined();
  }

  std::shared_ptr<EngineState> st_ = std::make_shared<EngineState>();
  size_t metric_count_ = 0;
  double* logs_ = nullptr;
  Napi::Reference<Napi::Float64Array> logs_ref_;
  Napi::Reference<Napi::ArrayBuffer> logs_buffer_ref_;
};

EngineJob::EngineJob(Napi::Env env, std::shared_ptr<EngineState> st, Napi::Object self, const char* name, bool serve)
    : Napi::AsyncWorker(env, name),
      st_(std::move(st)),
      engine_(serve ? st_->serving->job_reader.get() : st_->engine.get()),
      serve_(serve),
      deferred_(Napi::Promise::Deferred::New(env)),
      self_(Napi::Persistent(self)) {
  if (serve_)
    st_->serve_jobs.fetch_add(1);
  else
    st_->busy.store(true);
}

void EngineJob::Finish() {
  if (serve_) {
    st_->serve_jobs.fetch_sub(1);
    st_->sync_memory(Env());
    return;
  }
  st_->training.store(false);
  st_->busy.store(false);
  st_->sync_memory(Env());
}

// Both completions swallow N-API failures: they happen only while the environment is being torn down (a worker
// thread terminated mid-run), where there is nobody left to resolve and an escaping exception would abort.
void EngineJob::OnOK() {
  Finish();
  try {
    Napi::Env env = Env();
    deferred_.Resolve(Result(env));
  } catch (...) {
  }
}

void EngineJob::OnError(const Napi::Error& e) {
  Finish();
  try {
    Napi::Env env = Env();
    Napi::Error err = Napi::Error::New(env, e.Message());
    err.Set("code", Napi::String::New(env, "SIMDNET_ABORTED"));
    deferred_.Reject(err.Value());
  } catch (...) {
  }
}

class TrainBatchesJob : public EngineJob {
 public:
  TrainBatchesJob(Napi::Env env, std::shared_ptr<EngineState> st, Napi::Object self, const engine::TrainBatchesArgs& args,
                  size_t metric_count)
      : EngineJob(env, std::move(st), self, "simdnet:trainBatches"), args_(args), metric_count_(metric_count) {}

 protected:
  void Run() override { steps_ = engine_->train_batches(args_, &logs_, &diags_); }
  Napi::Value Result(Napi::Env env) override {
    Napi::Object r = Napi::Object::New(env);
    r.Set("steps", Napi::Number::New(env, static_cast<double>(steps_)));
    r.Set("logs", log_values(env, logs_, 1 + metric_count_));
    if (args_.diagnostics) r.Set("diagnostics", diag_values(env, diags_));
    return r;
  }

 private:
  engine::TrainBatchesArgs args_;
  size_t metric_count_;
  size_t steps_ = 0;
  LogSums logs_;
  std::vector<LayerDiag> diags_;
};

class EvaluateJob : public EngineJob {
 public:
  EvaluateJob(Napi::Env env, std::shared_ptr<EngineState> st, Napi::Object self, const float* x, const float* y,
              const float* w, size_t n, size_t batch_size, size_t metric_count, bool serve)
      : EngineJob(env, std::move(st), self, "simdnet:evaluate", serve),
        x_(x), y_(y), w_(w), n_(n), batch_size_(batch_size), metric_count_(metric_count) {
    serve_batch_ = std::min(batch_size, n);
  }

 protected:
  void Run() override { engine_->evaluate(x_, y_, n_, batch_size_, &logs_, w_); }
  Napi::Value Result(Napi::Env env) override { return log_values(env, logs_, 1 + metric_count_); }

 private:
  const float* x_;
  const float* y_;
  const float* w_;
  size_t n_, batch_size_, metric_count_;
  LogSums logs_;
};

class PredictJob : public EngineJob {
 public:
  PredictJob(Napi::Env env, std::shared_ptr<EngineState> st, Napi::Object self, const float* x, size_t n, size_t batch_size,
             Napi::Float32Array out, bool serve, std::shared_ptr<InputFeed> feed)
      : EngineJob(env, std::move(st), self, "simdnet:predict", serve),
        x_(x), n_(n), batch_size_(batch_size), out_data_(out.Data()), out_(Napi::Persistent(out)),
        feed_(std::move(feed)) {
    serve_batch_ = std::min(batch_size, n);
  }

 protected:
  void Run() override {
    if (!feed_) {
      engine_->predict(x_, n_, batch_size_, out_data_);
      return;
    }
    const std::function<size_t(size_t)> ready = [this](size_t need) { return feed_->wait(need); };
    try {
      engine_->predict(x_, n_, batch_size_, out_data_, &ready);
    } catch (const std::runtime_error&) {
      // The message lib/engine/native-engine.ts looks for to run the call again on its complete copy.
      if (feed_->stalled()) throw std::runtime_error("input stalled: no rows for 1 s");
      throw;
    }
  }
  Napi::Value Result(Napi::Env) override { return out_.Value(); }

 private:
  const float* x_;
  size_t n_, batch_size_;
  float* out_data_;
  Napi::Reference<Napi::Float32Array> out_;
  std::shared_ptr<InputFeed> feed_;
};

Napi::Value EngineWrap::TrainBatches(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Engine& e = Usable(env);
  engine::TrainBatchesArgs a;
  a.n = get_size(info, 2, "n");
  a.batch_size = get_size(info, 4, "batchSize");
  a.first_batch = get_size(info, 5, "firstBatch");
  a.batch_count = get_size(info, 6, "batchCount");
  if (a.n < 1) throw_range_error(env, "SIMDNET_INVALID_ARGUMENT", "n must be >= 1");
  if (a.batch_size < 1) throw_range_error(env, "SIMDNET_INVALID_ARGUMENT", "batchSize must be >= 1");
  const size_t batches = (a.n + a.batch_size - 1) / a.batch_size;
  if (a.first_batch > batches || a.batch_count > batches - a.first_batch)
    throw_range_error(env, "SIMDNET_INVALID_ARGUMENT",
                      "batches [" + std::to_string(a.first_batch) + ", " +
                          std::to_string(a.first_batch + a.batch_count) + ") are outside the epoch's " +
                          std::to_string(batches) + " batches");
  a.x = get_f32(info, 0, "x", checked_mul(env, a.n, e.input_size()));
  a.y = get_f32(info, 1, "y", checked_mul(env, a.n, e.target_size()));
  a.order = get_u32(info, 3, "order", a.n);
  for (size_t i = 0; i < a.n; ++i)
    if (a.order[i] >= a.n)
      throw_range_error(env, "SIMDNET_INVALID_ARGUMENT",
                        "order[" + std::to_string(i) + "] = " + std::to_string(a.order[i]) + " is not below n = " +
                            std::to_string(a.n));
  a.lr_per_step = get_f32_opt(info, 7, "lrPerStep", a.batch_count);
  if (a.lr_per_step)
    for (size_t i = 0; i < a.batch_count; ++i)
      if (!(a.lr_per_step[i] >= 0) || !std::isfinite(a.lr_per_step[i]))
        throw_range_error(env, "SIMDNET_INVALID_ARGUMENT",
                          "lrPerStep[" + std::to_string(i) + "] is not a finite number >= 0");
  a.diagnostics = info.Length() > 8 && info[8].IsBoolean() && info[8].As<Napi::Boolean>().Value();
  CheckLabels(env, e, a.y, a.n);
  a.w = GetWeights(info, 9, a.n);
  Prepare(env, e, std::min(a.batch_size, a.n), a.diagnostics);  // a batch never has more than n rows
  // The job reads these, not the caller's arrays (job-input.h); no JS runs between the checks above and the copies.
  std::vector<JobInput> in;
  in.reserve(5);
  in.emplace_back(env, info[0], a.x, a.n * e.input_size() * sizeof(float), JobInput::kPin);
  a.x = in.back().get<float>();
  in.emplace_back(env, info[1], a.y, a.n * e.target_size() * sizeof(float), LabelMode(e));
  a.y = in.back().get<float>();
  in.emplace_back(env, info[3], a.order, a.n * sizeof(uint32_t), JobInput::kCopy);
  a.order = in.back().get<uint32_t>();
  if (a.lr_per_step) {
    in.emplace_back(env, info[7], a.lr_per_step, a.batch_count * sizeof(float), JobInput::kCopy);
    a.lr_per_step = in.back().get<float>();
  }
  if (a.w) {
    in.emplace_back(env, info[9], a.w, a.n * sizeof(float), JobInput::kCopy);
    a.w = in.back().get<float>();
  }
  st_->cancel.store(false);
  a.cancel = &st_->cancel;
  // Reads during this job see the state at its start until the first publish after a step (engine-serving.h).
  EngineServing& sv = Serve(env);
  {
    std::lock_guard<std::mutex> lock(sv.pub_mu);  // held elsewhere only for a copy of the parameters
    EngineServing::copy_state(*sv.pub, e);
    ++sv.version;
    sv.floor_version = sv.version;
    sv.last_ns = EngineServing::now_ns();
  }
  SyncMemory(env);
  a.after_step = &EngineServing::after_step;
  a.after_step_ctx = &sv;
  auto* job = new TrainBatchesJob(env, st_, info.This().As<Napi::Object>(), a, metric_count_);
  st_->training.store(true);
  return job->AdoptAndQueue(std::move(in), {info[0], info[1], info[3]});
}

// gradSumsAsync's job: Engine::grad_sums on a libuv thread. `out` is written in place when it is an allocF32 block
// (pinned: its memory outlives a detach, job-input.h), else into the job's own buffer, copied into `out` when the job
// settles on the JS thread (skipped if `out` was detached meanwhile).
class GradSumsJob : public EngineJob {
 public:
  GradSumsJob(Napi::Env env, std::shared_ptr<EngineState> st, Napi::Object self, const float* x, const float* y,
              size_t batch, float* out, Napi::Float32Array out_array, size_t size, size_t metric_count)
      : EngineJob(env, std::move(st), self, "simdnet:gradSums"),
        x_(x), y_(y), batch_(batch), out_(out), size_(size), metric_count_(metric_count),
        out_ref_(Napi::Persistent(out_array)) {
    if (!out_) own_.resize(size);
  }

 protected:
  void Run() override { engine_->grad_sums(x_, y_, batch_, out_ ? out_ : own_.data(), &logs_); }
  Napi::Value Result(Napi::Env env) override {
    if (!out_) {
      Napi::Float32Array a = out_ref_.Value();
      bool detached = false;
      if (napi_is_detached_arraybuffer(env, a.ArrayBuffer(), &detached) == napi_ok && !detached &&
          a.ElementLength() >= size_)
        std::memcpy(a.Data(), own_.data(), size_ * sizeof(float));
    }
    return log_values(env, logs_, 1 + metric_count_);
  }

 private:
  const float* x_;
  const float* y_;
  size_t batch_;
  float* out_;
  size_t size_, metric_count_;
  Napi::Reference<Napi::Float32Array> out_ref_;
  std::vector<float> own_;
  LogSums logs_;
};

// applyGradientSumsAsync's job: Engine::apply_gradient_sums on a libuv thread, then a publish for reads.
class ApplySumsJob : public EngineJob {
 public:
  ApplySumsJob(Napi::Env env, std::shared_ptr<EngineState> st, Napi::Object self, const float* sums, double count,
               float lr)
      : EngineJob(env, std::move(st), self, "simdnet:applyGradientSums"), sums_(sums), count_(count), lr_(lr) {}

 protected:
  void Run() override {
    engine_->apply_gradient_sums(sums_, count_, lr_);
    st_->serving->publish(*engine_, false);  // as trainBatches' after_step: at most once per publish interval
  }
  Napi::Value Result(Napi::Env env) override { return env.Undefined(); }

 private:
  const float* sums_;
  double count_;
  float lr_;
};

// distributedStepAsync's job: one global step of lib/distributed/train.ts without returning to JS in between. `buf`
// (an allocF32 block, pinned) is laid out as train.ts describes: [ gradient sums (G) | samples | stop | end | log
// slot k * samples for each k in `slots` ]. The job fills this rank's part (rows 0: zeros), hands the buffer to the
// communication thread for the in-place sum over all ranks and waits, then applies sums / count (count 0: nothing)
// at `lr` (NaN: the engine's rate; else also set as the current rate) and publishes for reads, as trainBatches does.
// The engine never sees MPI: the all-reduce is the addon's Communicator (mpi/communicator.h, a dlopen'd library).
class DistStepJob : public EngineJob {
 public:
  DistStepJob(Napi::Env env, std::shared_ptr<EngineState> st, Napi::Object self, const float* x, const float* y,
              size_t rows, float* buf, size_t grad_size, std::vector<size_t> slots, bool stop, bool ended, float lr)
      : EngineJob(env, std::move(st), self, "simdnet:distributedStep"),
        x_(x), y_(y), rows_(rows), buf_(buf), g_(grad_size), slots_(std::move(slots)), stop_(stop), ended_(ended),
        lr_(lr) {}

 protected:
  void Run() override {
    const size_t total = g_ + 3 + slots_.size();
    if (rows_ > 0) {
      LogSums logs;
      engine_->grad_sums(x_, y_, rows_, buf_, &logs);
      for (size_t m = 0; m < slots_.size(); ++m)
        buf_[g_ + 3 + m] = static_cast<float>(logs.value(slots_[m]) * static_cast<double>(rows_));
    } else {
      std::memset(buf_, 0, total * sizeof(float));
    }
    buf_[g_] = static_cast<float>(rows_);
    buf_[g_ + 1] = stop_ ? 1.0f : 0.0f;
    buf_[g_ + 2] = ended_ ? 1.0f : 0.0f;
    const dist::JobResult r = dist::Communicator::instance().allreduce_wait(buf_, total, dist::Communicator::Type::f32);
    if (r.rc != dist::kMpiSuccess) {
      SetError("SIMDNET_MPI_ERROR: " + r.message);
      return;
    }
    const float count = buf_[g_];
    if (count > 0) {
      const bool has_lr = !std::isnan(lr_);
      engine_->apply_gradient_sums(buf_, count, has_lr ? lr_ : static_cast<float>(engine_->learning_rate()));
      if (has_lr) engine_->set_learning_rate(lr_);
      st_->serving->publish(*engine_, false);
    }
  }
  Napi::Value Result(Napi::Env env) override { return env.Undefined(); }

 private:
  const float* x_;
  const float* y_;
  size_t rows_;
  float* buf_;
  size_t g_;
  std::vector<size_t> slots_;
  bool stop_, ended_;
  float lr_;
};

Napi::Value EngineWrap::DistributedStepAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Engine& e = Usable(env);
  if (!dist::Communicator::instance().started())
    throw_error(env, "SIMDNET_MPI_ERROR", "MPI is not initialized: await distributed.init() first");
  const size_t rows = get_size(info, 2, "rows");
  if (!info[4].IsArray()) throw_type_error(env, "SIMDNET_INVALID_ARGUMENT", "Expected an array of log slots for slots");
  Napi::Array sl = info[4].As<Napi::Array>();
  std::vector<size_t> slots(sl.Length());
  for (uint32_t i = 0; i < sl.Length(); ++i) {
    Napi::Value v = sl.Get(i);
    const double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1;
    if (!(d >= 0 && d <= static_cast<double>(metric_count_)) || d != std::floor(d))
      throw_range_error(env, "SIMDNET_INVALID_ARGUMENT",
                        "slots[" + std::to_string(i) + "] is not a log slot of this engine");
    slots[i] = static_cast<size_t>(d);
  }
  const size_t g = e.trainable_size();
  float* buf = get_f32(info, 3, "buf", g + 3 + slots.size());
  const bool stop = info[5].ToBoolean().Value(), ended = info[6].ToBoolean().Value();
  const float lr = info[7].IsNumber() ? get_float(info, 7, "lr") : std::numeric_limits<float>::quiet_NaN();
  std::vector<JobInput> in;
  in.reserve(3);
  // The buffer is written by the job and summed by the communication thread: it must be native memory that a detach
  // cannot free (an allocF32 block, pinned for the job), never a copy.
  if (Block* probe = pin_block(env, info[3].As<Napi::Float32Array>().ArrayBuffer())) {
    unpin_block(env, probe);
  } else {
    throw_type_error(env, "SIMDNET_INVALID_ARGUMENT", "buf must be native memory (allocF32)");
  }
  in.emplace_back(env, info[3], buf, (g + 3 + slots.size()) * sizeof(float), JobInput::kPin);
  const float* x = nullptr;
  const float* y = nullptr;
  if (rows > 0) {
    x = get_f32(info, 0, "x", checked_mul(env, rows, e.input_size()));
    y = get_f32(info, 1, "y", checked_mul(env, rows, e.target_size()));
    CheckLabels(env, e, y, rows);
    Prepare(env, e, rows, false);
    in.emplace_back(env, info[0], x, rows * e.input_size() * sizeof(float), JobInput::kPin);
    x = in.back().get<float>();
    in.emplace_back(env, info[1], y, rows * e.target_size() * sizeof(float), LabelMode(e));
    y = in.back().get<float>();
  }
  StartSplitJob(env);
  auto* job = new DistStepJob(env, st_, info.This().As<Napi::Object>(), x, y, rows, buf, g, std::move(slots), stop,
                              ended, lr);
  st_->training.store(true);
  return job->AdoptAndQueue(std::move(in), {info[0], info[1], info[3]});
}

Napi::Value EngineWrap::GradSumsAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Engine& e = Usable(env);
  const GradSumsArgs a = ReadGradSums(info, e);
  // The job reads these, not the caller's arrays (job-input.h); `out` is written only through a pin.
  std::vector<JobInput> in;
  in.reserve(3);
  in.emplace_back(env, info[0], a.x, a.batch * e.input_size() * sizeof(float), JobInput::kPin);
  in.emplace_back(env, info[1], a.y, a.batch * e.target_size() * sizeof(float), LabelMode(e));
  float* direct = nullptr;
  if (Block* probe = pin_block(env, info[3].As<Napi::Float32Array>().ArrayBuffer())) {
    unpin_block(env, probe);  // only asked whether it is a block; JS still holds it, so nothing is freed here
    in.emplace_back(env, info[3], a.out, e.trainable_size() * sizeof(float), JobInput::kPin);
    direct = a.out;  // the pinned block's own bytes: the JobInput keeps them alive
  }
  StartSplitJob(env);
  auto* job = new GradSumsJob(env, st_, info.This().As<Napi::Object>(), in[0].get<float>(), in[1].get<float>(),
                              a.batch, direct, info[3].As<Napi::Float32Array>(), e.trainable_size(), metric_count_);
  st_->training.store(true);
  return job->AdoptAndQueue(std::move(in), {info[0], info[1]});
}

Napi::Value EngineWrap::ApplyGradientSumsAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Engine& e = Usable(env);
  const ApplySumsArgs a = ReadApplySums(info, e);
  std::vector<JobInput> in;
  in.emplace_back(env, info[0], a.sums, e.trainable_size() * sizeof(float), JobInput::kPin);
  StartSplitJob(env);
  auto* job = new ApplySumsJob(env, st_, info.This().As<Napi::Object>(), in[0].get<float>(), a.count, a.lr);
  st_->training.store(true);
  return job->AdoptAndQueue(std::move(in), {info[0]});
}

Napi::Value EngineWrap::EvaluateAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const bool serve = true;
  if (!st_->engine) throw_error(env, "SIMDNET_DISPOSED", "This engine has been disposed");
  Engine& e = *st_->engine;
  EvalArgs a = ReadEval(info, e, true, nullptr);
  PublishIfIdle(env);
  AsyncReader(env);
  std::vector<JobInput> in;
  in.reserve(3);
  in.emplace_back(env, info[0], a.x, a.n * e.input_size() * sizeof(float), JobInput::kPin);
  in.emplace_back(env, info[1], a.y, a.n * e.target_size() * sizeof(float), LabelMode(e));
  if (a.w) in.emplace_back(env, info[4], a.w, a.n * sizeof(float), JobInput::kCopy);
  auto* job = new EvaluateJob(env, st_, info.This().As<Napi::Object>(), in[0].get<float>(), in[1].get<float>(),
                              a.w ? in[2].get<float>() : nullptr, a.n, a.batch_size, metric_count_, serve);
  return job->AdoptAndQueue(std::move(in), {info[0], info[1]});
}

Napi::Value EngineWrap::PredictAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const bool serve = true;
  if (!st_->engine) throw_error(env, "SIMDNET_DISPOSED", "This engine has been disposed");
  Engine& e = *st_->engine;
  EvalArgs a = ReadEval(info, e, false, nullptr);
  PublishIfIdle(env);
  AsyncReader(env);
  Napi::Float32Array out = Napi::Float32Array::New(env, checked_mul(env, a.n, e.output_size()));
  // predictAsync(x, n, batchSize, fed): fed = true when x (an allocF32 block) is still being filled: the job then
  // predicts each batch once feedInput has reported its rows (input-feed.h; lib/engine/native-engine.ts).
  const bool fed = info.Length() > 3 && info[3].IsBoolean() && info[3].As<Napi::Boolean>().Value();
  if (fed && st_->feed && !st_->feed->complete())
    throw_error(env, "SIMDNET_BUSY", "Another predictAsync is still receiving its input");
  std::vector<JobInput> in;
  in.emplace_back(env, info[0], a.x, a.n * e.input_size() * sizeof(float), JobInput::kPin);
  if (fed && !in[0].pinned())
    throw_type_error(env, "SIMDNET_INVALID_ARGUMENT", "A fed predictAsync needs x to be an allocF32 block");
  std::shared_ptr<InputFeed> feed;
  if (fed) {
    feed = std::make_shared<InputFeed>(a.n);
    st_->feed = feed;
  }
  auto* job = new PredictJob(env, st_, info.This().As<Napi::Object>(), in[0].get<float>(), a.n, a.batch_size, out, serve,
                             std::move(feed));
  return job->AdoptAndQueue(std::move(in), {info[0]});
}

void RegisterEngine(Napi::Env env, Napi::Object exports) { EngineWrap::Register(env, exports); }

}  // namespace
}  // namespace simdnet::addon

SIMDNET_ADDON_EXPORTS(simdnet::addon::RegisterEngine)
