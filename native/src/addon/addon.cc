// The addon's entry point: runtime facts (ISA, threads, subnormal mode) and every self-registered binding file
// (registry.h).
#include <napi.h>

#include <vector>

#include "addon/args.h"
#include "addon/registry.h"
#include "dispatch/isa.h"
#include "runtime/fpenv.h"
#include "runtime/threadpool.h"

namespace simdnet::addon {
namespace {

std::vector<RegisterFn>& registrars() {
  static std::vector<RegisterFn> v;
  return v;
}

Napi::Value Isa(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), isa_name(current_isa())); }

Napi::Value AvailableIsas(const Napi::CallbackInfo& info) {
  auto isas = available_isas();
  Napi::Array out = Napi::Array::New(info.Env(), isas.size());
  for (size_t i = 0; i < isas.size(); ++i) out.Set(static_cast<uint32_t>(i), isa_name(isas[i]));
  return out;
}

Napi::Value SetIsa(const Napi::CallbackInfo& info) {
  const std::string name = get_string(info, 0, "isa");
  simdnet::Isa want;
  if (!parse_isa(name, &want))
    throw_range_error(info.Env(), "SIMDNET_INVALID_ARGUMENT", "Unknown ISA '" + name + "' (scalar, avx2, avx512, neon)");
  if (!set_isa(want))
    throw_range_error(info.Env(), "SIMDNET_ISA_UNSUPPORTED", "ISA '" + name + "' is not supported on this CPU");
  return info.Env().Undefined();
}

Napi::Value GetThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(get_threads()));
}

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  const size_t t = get_size(info, 0, "threads");
  if (t < 1 || t > 1024) throw_range_error(info.Env(), "SIMDNET_INVALID_ARGUMENT", "threads must be in [1, 1024]");
  set_threads(t);
  return info.Env().Undefined();
}

// flushSubnormals(): whether entry points run with FTZ+DAZ (runtime/fpenv.h); setFlushSubnormals(bool) switches it
// for every later call (an async job already running keeps the mode it started with).
Napi::Value FlushSubnormals(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), flush_subnormals());
}

Napi::Value SetFlushSubnormals(const Napi::CallbackInfo& info) {
  set_flush_subnormals(get_bool(info, 0, "flush"));
  return info.Env().Undefined();
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  if (!isa_env_error().empty()) throw_error(env, "SIMDNET_ISA_UNSUPPORTED", isa_env_error());
  if (!subnormals_env_error().empty()) throw_error(env, "SIMDNET_INVALID_ARGUMENT", subnormals_env_error());
  set_function<Isa>(env, exports, "isa");
  set_function<AvailableIsas>(env, exports, "availableIsas");
  set_function<SetIsa>(env, exports, "setIsa");
  set_function<GetThreads>(env, exports, "getThreads");
  set_function<SetThreads>(env, exports, "setThreads");
  set_function<FlushSubnormals>(env, exports, "flushSubnormals");
  set_function<SetFlushSubnormals>(env, exports, "setFlushSubnormals");
  register_all(env, exports);
  return exports;
}

Registrar::Registrar(RegisterFn fn) { registrars().push_back(fn); }

void register_all(Napi::Env env, Napi::Object exports) {
  for (RegisterFn fn : registrars()) fn(env, exports);
}

}  // namespace simdnet::addon

static Napi::Object SimdnetInit(Napi::Env env, Napi::Object exports) { return simdnet::addon::Init(env, exports); }
NODE_API_MODULE(simdnet, SimdnetInit)
