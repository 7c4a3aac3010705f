// Self-registration of binding files: each addon/ops-*.cc ends with
//   SIMDNET_ADDON_EXPORTS(RegisterVunary)
// where `void RegisterVunary(Napi::Env env, Napi::Object exports)` sets its functions on `exports`. addon.cc calls
// every registered function at load, so adding a family never edits a shared list. (All addon/ files are direct
// sources of the one shared library in both builds, so no static-library dead stripping can drop a registrar.)
#pragma once
#include <napi.h>

namespace simdnet::addon {

using RegisterFn = void (*)(Napi::Env env, Napi::Object exports);

struct Registrar {
  explicit Registrar(RegisterFn fn);
};

void register_all(Napi::Env env, Napi::Object exports);
Napi::Object Init(Napi::Env env, Napi::Object exports);

}  // namespace simdnet::addon

#define SIMDNET_ADDON_CONCAT2(a, b) a##b
#define SIMDNET_ADDON_CONCAT(a, b) SIMDNET_ADDON_CONCAT2(a, b)
#define SIMDNET_ADDON_EXPORTS(fn) \
  static ::simdnet::addon::Registrar SIMDNET_ADDON_CONCAT(simdnet_registrar_, __LINE__)(fn);
