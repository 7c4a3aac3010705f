// Self-registration of binding files: each addon/ops-*.cc ends with
//   SIMDNET_ADDON_EXPORTS(RegisterVunary)
// where `void RegisterVunary(Napi::Env env, Napi::Object exports)` sets its functions on `exports`. addon.cc calls
// every registered function at load, so adding a family never edits a shared list. (All addon/ files are direct
// sources of the one shared library in both builds, so no static-library dead stripping can drop a registrar.)
//
// A registrar exports each function with set_function<F>(env, exports, "name"), never a bare Napi::Function::New:
// set_function runs every call of F under an FpGuard (runtime/fpenv.h), so every entry point computes with
// FTZ+DAZ (unless the opt-out is set) and gives the JS thread its own FP state back on return or throw. A class
// wraps its methods the same way (ops-engine.cc: EngineWrap hides ObjectWrap::InstanceMethod with a guarded one);
// async work sets its own guard in Execute. test/addon/ftz.test.ts checks the addon sources for all three.
#pragma once
#include <napi.h>

#include "runtime/fpenv.h"

namespace simdnet::addon {

using RegisterFn = void (*)(Napi::Env env, Napi::Object exports);

struct Registrar {
  explicit Registrar(RegisterFn fn);
};

void register_all(Napi::Env env, Napi::Object exports);
Napi::Object Init(Napi::Env env, Napi::Object exports);

// F under the FP guard: the guard's destructor also runs when F throws (a Napi::Error unwinds through it).
template <Napi::Function::Callback F>
Napi::Value guarded(const Napi::CallbackInfo& info) {
  FpGuard fp;
  return F(info);
}

// exports[name] = F, each call run by guarded<F>.
template <Napi::Function::Callback F>
void set_function(Napi::Env env, Napi::Object exports, const char* name) {
  exports.Set(name, Napi::Function::New<guarded<F>>(env, name));
}

}  // namespace simdnet::addon

#define SIMDNET_ADDON_CONCAT2(a, b) a##b
#define SIMDNET_ADDON_CONCAT(a, b) SIMDNET_ADDON_CONCAT2(a, b)
#define SIMDNET_ADDON_EXPORTS(fn) \
  static ::simdnet::addon::Registrar SIMDNET_ADDON_CONCAT(simdnet_registrar_, __LINE__)(fn);
