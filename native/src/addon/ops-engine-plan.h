// PlanSpec (JS object, lib/engine/engine.ts) -> engine::PlanSpec with defaults filled in; throws coded JS errors.
#pragma once
#include <napi.h>

#include "engine/plan.h"

namespace simdnet::addon {

engine::PlanSpec read_plan(Napi::Env env, const Napi::Value& value);

}  // namespace simdnet::addon
