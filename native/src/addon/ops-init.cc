// Bindings for the initializers and the Philox generator (kernels/init). Every argument is checked (args.h);
// seeds, streams and counters are integers in [0, 2^53] (what a JS number holds exactly).
#include <napi.h>

#include <cmath>
#include <string>

#include "addon/args.h"
#include "addon/registry.h"
#include "kernels/init/init.h"
#include "kernels/init/rng.h"

namespace simdnet::addon {
namespace {

// initFill(kind, fanIn, fanOut, value, a, b, seed, stream, n, w): kind is the index of init.h's enum Init
// (lib/kernels/reference/init.ts INIT_KINDS); fans >= 1.
Napi::Value InitFill(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const size_t kind = get_size(info, 0, "kind");
  if (kind > static_cast<size_t>(::simdnet::Init::lecun_normal))
    throw_range_error(env, "SIMDNET_INVALID_ARGUMENT", "Unknown initializer kind " + std::to_string(kind));
  InitArgs a;
  a.kind = static_cast<::simdnet::Init>(kind);
  a.fan_in = get_size(info, 1, "fanIn");
  a.fan_out = get_size(info, 2, "fanOut");
  if (a.fan_in < 1 || a.fan_out < 1) throw_range_error(env, "SIMDNET_INVALID_ARGUMENT", "fanIn and fanOut must be >= 1");
  a.value = get_float(info, 3, "value");
  a.a = get_float(info, 4, "a");
  a.b = get_float(info, 5, "b");
  if (!std::isfinite(a.value) || !std::isfinite(a.a) || !std::isfinite(a.b))
    throw_range_error(env, "SIMDNET_INVALID_ARGUMENT", "initializer parameters overflow float32");
  if ((a.kind == ::simdnet::Init::uniform && !(a.a < a.b)) ||
      ((a.kind == ::simdnet::Init::normal || a.kind == ::simdnet::Init::truncated_normal) && !(a.b >= 0)))
    throw_range_error(env, "SIMDNET_INVALID_ARGUMENT", "uniform needs a < b; normal needs std >= 0");
  a.seed = get_u53(info, 6, "seed");
  a.stream = get_u53(info, 7, "stream");
  const size_t n = get_size(info, 8, "n");
  float* w = get_f32(info, 9, "w", n);
  init_fill(a, n, w);
  return info[9];
}

// philox4x32(seed, stream, ctr) -> Uint32Array(4)
Napi::Value Philox4x32(const Napi::CallbackInfo& info) {
  const uint64_t seed = get_u53(info, 0, "seed"), stream = get_u53(info, 1, "stream"), ctr = get_u53(info, 2, "ctr");
  Napi::Uint32Array out = Napi::Uint32Array::New(info.Env(), 4);
  philox4x32(seed, stream, ctr, out.Data());
  return out;
}

// shuffledOrder(n, seed, stream, out: Uint32Array(n)) -> out
Napi::Value ShuffledOrder(const Napi::CallbackInfo& info) {
  const size_t n = get_size(info, 0, "n");
  if (n > UINT32_MAX) throw_range_error(info.Env(), "SIMDNET_INVALID_ARGUMENT", "n must be below 2^32");
  const uint64_t seed = get_u53(info, 1, "seed"), stream = get_u53(info, 2, "stream");
  uint32_t* out = get_u32(info, 3, "out", n);
  shuffled_order(seed, stream, static_cast<uint32_t>(n), out);
  return info[3];
}

void RegisterInit(Napi::Env env, Napi::Object exports) {
  set_function<ShuffledOrder>(env, exports, "shuffledOrder");
  set_function<InitFill>(env, exports, "initFill");
  set_function<Philox4x32>(env, exports, "philox4x32");
}

}  // namespace
}  // namespace simdnet::addon

SIMDNET_ADDON_EXPORTS(simdnet::addon::RegisterInit)
