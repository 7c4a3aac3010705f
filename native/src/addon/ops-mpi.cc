// Bindings of the MPI communication thread (native/src/mpi/communicator.h) for lib/distributed:
//   mpiInit(libPath)                 -> Promise<{ rank, size, library }>; loads Open MPI (dlopen) and starts the thread
//   mpiAllreduce(f32 | f64)          -> Promise<void>: in-place sum over all ranks
//   mpiBroadcast(f32 | f64, root)    -> Promise<void>: in place, from root
//   mpiBarrier()                     -> Promise<void>
//   mpiAbort(code)                   never returns: MPI_Abort(MPI_COMM_WORLD, code) (the whole job ends)
//   mpiState()                       -> { started, rank, size }
// Every MPI call runs on the communication thread; results come back through one thread-safe function, referenced
// only while jobs are pending so that an idle communicator never keeps the process alive. The typed arrays are held
// by a reference until their job settles (the caller must not detach them meanwhile: lib/distributed says so).
// MPI_Finalize runs from an environment cleanup hook. MPI can be initialized once per process: a second environment
// (a worker thread) gets SIMDNET_MPI_UNAVAILABLE.
#include <napi.h>

#include <memory>
#include <string>

#include "addon/args.h"
#include "addon/registry.h"
#include "mpi/communicator.h"
#include "mpi/mpi-api.h"

namespace simdnet::addon {
namespace {

using dist::Communicator;
using dist::JobResult;

struct Pending {
  Napi::Promise::Deferred deferred;
  Napi::Reference<Napi::Value> keep;  // the buffer, alive until the job settles
  bool init = false;
  JobResult result;
  explicit Pending(Napi::Env env) : deferred(Napi::Promise::Deferred::New(env)) {}
};

void settle(Napi::Env env, Napi::Function, std::nullptr_t*, Pending* p);
using Tsfn = Napi::TypedThreadSafeFunction<std::nullptr_t, Pending, settle>;

// The environment that initialized MPI (only its thread touches these).
napi_env g_env = nullptr;
Tsfn g_tsfn;
size_t g_pending = 0;
std::string g_library;

void settle(Napi::Env env, Napi::Function, std::nullptr_t*, Pending* raw) {
  std::unique_ptr<Pending> p(raw);
  if (env == nullptr) return;  // environment going away
  const JobResult& r = p->result;
  if (r.rc != dist::kMpiSuccess) {
    Napi::Error err = Napi::Error::New(env, r.message);
    err.Set("code", Napi::String::New(env, p->init ? "SIMDNET_MPI_UNAVAILABLE" : "SIMDNET_MPI_ERROR"));
    p->deferred.Reject(err.Value());
  } else if (p->init) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("rank", Napi::Number::New(env, r.rank));
    o.Set("size", Napi::Number::New(env, r.size));
    o.Set("library", Napi::String::New(env, g_library));
    p->deferred.Resolve(o);
  } else {
    p->deferred.Resolve(env.Undefined());
  }
  if (--g_pending == 0) g_tsfn.Unref(env);
}

// Registers p as pending and returns the completion that hands it back to the JS thread.
Communicator::Done completion(Napi::Env env, Pending* p) {
  if (g_pending++ == 0) g_tsfn.Ref(env);
  return [p](const JobResult& r) {
    p->result = r;
    g_tsfn.BlockingCall(p);  // napi_closing at teardown: p is then lost with the environment
  };
}

void cleanup(void*) {
  Communicator& c = Communicator::instance();
  c.finalize();
  g_tsfn.Release();
  g_env = nullptr;
}

Communicator& ready(Napi::Env env) {
  Communicator& c = Communicator::instance();
  if (!c.started() || g_env != static_cast<napi_env>(env))
    throw_error(env, "SIMDNET_MPI_ERROR", "MPI is not initialized in this thread: await distributed.init() first");
  return c;
}

// A Float32Array or Float64Array argument: data, element count, type.
struct Buf {
  void* data;
  size_t count;
  Communicator::Type type;
};
Buf get_buffer(const Napi::CallbackInfo& info, size_t i, const char* name) {
  Napi::Env env = info.Env();
  if (info.Length() > i && info[i].IsTypedArray()) {
    Napi::TypedArray t = info[i].As<Napi::TypedArray>();
    if (t.TypedArrayType() == napi_float32_array) {
      Napi::Float32Array f = t.As<Napi::Float32Array>();
      return {f.Data(), f.ElementLength(), Communicator::Type::f32};
    }
    if (t.TypedArrayType() == napi_float64_array) {
      Napi::Float64Array f = t.As<Napi::Float64Array>();
      return {f.Data(), f.ElementLength(), Communicator::Type::f64};
    }
  }
  throw_type_error(env, "SIMDNET_INVALID_ARGUMENT", std::string("Expected a Float32Array or Float64Array for ") + name);
}

Napi::Value MpiInit(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Communicator& c = Communicator::instance();
  if (c.started())
    throw_error(env, "SIMDNET_MPI_UNAVAILABLE",
                g_env == static_cast<napi_env>(env) ? "MPI is already initialized (call distributed.init() once)"
                                                    : "MPI is initialized by another thread of this process");
  std::string path = info.Length() > 0 && info[0].IsString() ? info[0].As<Napi::String>().Utf8Value()
                                                             : dist::default_library_path();
  dist::LoadError err;
  const dist::MpiApi* api = dist::load_mpi(path, &err);
  if (!api) throw_error(env, err.code, err.message);
  g_env = env;
  g_library = api->path;
  g_tsfn = Tsfn::New(env, "simdnet-mpi", 0, 1);
  g_tsfn.Unref(env);
  napi_add_env_cleanup_hook(env, cleanup, nullptr);
  auto* p = new Pending(env);
  p->init = true;
  Napi::Promise promise = p->deferred.Promise();
  c.start(api, completion(env, p));
  return promise;
}

Napi::Value MpiAllreduce(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Communicator& c = ready(env);
  Buf b = get_buffer(info, 0, "data");
  auto* p = new Pending(env);
  p->keep = Napi::Persistent(info[0]);
  Napi::Promise promise = p->deferred.Promise();
  c.allreduce(b.data, b.count, b.type, completion(env, p));
  return promise;
}

Napi::Value MpiBroadcast(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Communicator& c = ready(env);
  Buf b = get_buffer(info, 0, "data");
  const size_t root = get_size(info, 1, "root");
  if (root >= static_cast<size_t>(c.size()))
    throw_range_error(env, "SIMDNET_INVALID_ARGUMENT",
                      "Expected a root rank below " + std::to_string(c.size()) + " but received " + std::to_string(root));
  auto* p = new Pending(env);
  p->keep = Napi::Persistent(info[0]);
  Napi::Promise promise = p->deferred.Promise();
  c.broadcast(b.data, b.count, b.type, static_cast<int>(root), completion(env, p));
  return promise;
}

Napi::Value MpiBarrier(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Communicator& c = ready(env);
  auto* p = new Pending(env);
  Napi::Promise promise = p->deferred.Promise();
  c.barrier(completion(env, p));
  return promise;
}

Napi::Value MpiAbort(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t code = get_size(info, 0, "code");
  Communicator& c = ready(env);
  c.abort_now(static_cast<int>(code > 255 ? 1 : code));
}

Napi::Value MpiState(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Communicator& c = Communicator::instance();
  Napi::Object o = Napi::Object::New(env);
  const bool mine = c.started() && g_env == static_cast<napi_env>(env);
  o.Set("started", Napi::Boolean::New(env, mine));
  o.Set("rank", Napi::Number::New(env, mine ? c.rank() : 0));
  o.Set("size", Napi::Number::New(env, mine ? c.size() : 1));
  return o;
}

void RegisterMpi(Napi::Env env, Napi::Object exports) {
  set_function<MpiInit>(env, exports, "mpiInit");
  set_function<MpiAllreduce>(env, exports, "mpiAllreduce");
  set_function<MpiBroadcast>(env, exports, "mpiBroadcast");
  set_function<MpiBarrier>(env, exports, "mpiBarrier");
  set_function<MpiAbort>(env, exports, "mpiAbort");
  set_function<MpiState>(env, exports, "mpiState");
}

}  // namespace
}  // namespace simdnet::addon

SIMDNET_ADDON_EXPORTS(simdnet::addon::RegisterMpi)
