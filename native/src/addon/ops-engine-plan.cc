// Reads a PlanSpec (lib/engine/engine.ts) from a JS object into engine::PlanSpec, filling the optional fields with
// their defaults. Every wrong type or unknown name throws a TypeError/RangeError with code SIMDNET_INVALID_ARGUMENT
// whose message names the field path (e.g. `layers[2].activation.kind`); ranges are then checked by
// engine::validate_plan.
#include "addon/ops-engine-plan.h"

#include <cmath>
#include <string>

#include "addon/args.h"

namespace simdnet::addon {
namespace {

using engine::ActKind;
using engine::LayerType;
using engine::LossKind;
using engine::Metric;
using engine::OptKind;

std::string describe_value(const Napi::Value& v) {
  if (v.IsUndefined()) return "undefined";
  if (v.IsNull()) return "null";
  if (v.IsNumber()) return std::to_string(v.As<Napi::Number>().DoubleValue()) + " of type number";
  if (v.IsString()) return "'" + v.As<Napi::String>().Utf8Value() + "' of type string";
  if (v.IsBoolean()) return v.As<Napi::Boolean>().Value() ? "true" : "false";
  if (v.IsArray()) return "an Array";
  return "a value of another type";
}

std::string join(const std::string& path, const char* key) { return path.empty() ? key : path + "." + key; }

[[noreturn]] void bad_type(Napi::Env env, const std::string& path, const char* want, const Napi::Value& got) {
  throw_type_error(env, "SIMDNET_INVALID_ARGUMENT",
                   std::string("Expected ") + want + " for plan." + path + " but received " + describe_value(got));
}

Napi::Object req_object(Napi::Env env, const Napi::Value& v, const std::string& path) {
  if (!v.IsObject() || v.IsArray() || v.IsFunction()) bad_type(env, path, "an object", v);
  return v.As<Napi::Object>();
}

bool present(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  return !v.IsUndefined() && !v.IsNull();
}

double req_number(const Napi::Object& o, const char* key, const std::string& path) {
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) bad_type(o.Env(), join(path, key), "a number", v);
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d))
    throw_range_error(o.Env(), "SIMDNET_INVALID_ARGUMENT",
                      "Expected a finite number for plan." + join(path, key) + " but received " + describe_value(v));
  return d;
}

// The float32 fields of the plan: finite and within float range (args.h to_float).
float req_float(const Napi::Object& o, const char* key, const std::string& path) {
  return to_float(o.Env(), req_number(o, key, path), "plan." + join(path, key));
}

float opt_float(const Napi::Object& o, const char* key, const std::string& path, double fallback) {
  return present(o, key) ? req_float(o, key, path) : static_cast<float>(fallback);
}

double opt_double(const Napi::Object& o, const char* key, const std::string& path, double fallback) {
  return present(o, key) ? req_number(o, key, path) : fallback;
}

size_t req_size(const Napi::Object& o, const char* key, const std::string& path) {
  const double d = req_number(o, key, path);
  if (d < 0 || d != std::floor(d) || d > 9007199254740992.0)
    throw_range_error(o.Env(), "SIMDNET_INVALID_ARGUMENT",
                      "Expected a non-negative integer for plan." + join(path, key) + " but received " +
                          std::to_string(d));
  return static_cast<size_t>(d);
}

bool req_bool(const Napi::Object& o, const char* key, const std::string& path) {
  Napi::Value v = o.Get(key);
  if (!v.IsBoolean()) bad_type(o.Env(), join(path, key), "a boolean", v);
  return v.As<Napi::Boolean>().Value();
}

bool opt_bool(const Napi::Object& o, const char* key, const std::string& path, bool fallback) {
  return present(o, key) ? req_bool(o, key, path) : fallback;
}

std::string req_string(const Napi::Object& o, const char* key, const std::string& path) {
  Napi::Value v = o.Get(key);
  if (!v.IsString()) bad_type(o.Env(), join(path, key), "a string", v);
  return v.As<Napi::String>().Utf8Value();
}

template <class E, size_t N>
E pick(Napi::Env env, const std::string& name, const char* const (&names)[N], const E (&values)[N],
       const std::string& path) {
  for (size_t i = 0; i < N; ++i)
    if (name == names[i]) return values[i];
  std::string list;
  for (size_t i = 0; i < N; ++i) list += (i ? ", " : "") + std::string(names[i]);
  throw_type_error(env, "SIMDNET_INVALID_ARGUMENT",
                   "Expected one of " + list + " for plan." + path + " but received '" + name + "'");
}

engine::ActSpec read_activation(const Napi::Object& layer, const std::string& path) {
  Napi::Env env = layer.Env();
  const std::string p = path + ".activation";
  Napi::Object a = req_object(env, layer.Get("activation"), p);
  static const char* const names[] = {"linear", "sigmoid", "tanh", "relu", "leakyRelu", "softmax"};
  static const ActKind kinds[] = {ActKind::linear, ActKind::sigmoid,    ActKind::tanh,
                                  ActKind::relu,   ActKind::leaky_relu, ActKind::softmax};
  engine::ActSpec s;
  s.kind = pick(env, req_string(a, "kind", p), names, kinds, p + ".kind");
  s.alpha = opt_float(a, "alpha", p, 0.01);
  s.temperature = opt_float(a, "temperature", p, 1.0);
  return s;
}

// Keras defaults (lib/kernels/reference/init.ts resolveInit): randomUniform [-0.05, 0.05), normals mean 0 std 0.05.
engine::InitSpec read_init(const Napi::Object& layer, const char* key, const std::string& path) {
  Napi::Env env = layer.Env();
  const std::string p = join(path, key);
  Napi::Object o = req_object(env, layer.Get(key), p);
  static const char* const names[] = {"zeros",        "ones",          "constant",     "randomUniform",
                                      "randomNormal", "truncatedNormal", "glorotUniform", "glorotNormal",
                                      "heUniform",    "heNormal",      "lecunUniform", "lecunNormal"};
  static const Init kinds[] = {Init::zeros,         Init::ones,          Init::constant,       Init::uniform,
                               Init::normal,        Init::truncated_normal, Init::glorot_uniform, Init::glorot_normal,
                               Init::he_uniform,    Init::he_normal,     Init::lecun_uniform,  Init::lecun_normal};
  engine::InitSpec s;
  s.kind = pick(env, req_string(o, "kind", p), names, kinds, p + ".kind");
  if (s.kind == Init::constant) s.value = opt_float(o, "value", p, 0.0);
  if (s.kind == Init::uniform) {
    s.a = opt_float(o, "minval", p, -0.05);
    s.b = opt_float(o, "maxval", p, 0.05);
  }
  if (s.kind == Init::normal || s.kind == Init::truncated_normal) {
    s.a = opt_float(o, "mean", p, 0.0);
    s.b = opt_float(o, "stddev", p, 0.05);
  }
  return s;
}

engine::RegSpec read_reg(const Napi::Object& layer, const char* key, const std::string& path) {
  engine::RegSpec r;
  if (!present(layer, key)) return r;
  const std::string p = join(path, key);
  Napi::Object o = req_object(layer.Env(), layer.Get(key), p);
  r.on = true;
  r.l1 = opt_float(o, "l1", p, 0.0);
  r.l2 = opt_float(o, "l2", p, 0.0);
  return r;
}

engine::LayerSpec read_layer(const Napi::Object& o, const std::string& path) {
  Napi::Env env = o.Env();
  engine::LayerSpec l;
  l.name = req_string(o, "name", path);
  static const char* const names[] = {"dense", "activation", "dropout", "batchNormalization"};
  static const LayerType types[] = {LayerType::dense, LayerType::activation, LayerType::dropout, LayerType::batch_norm};
  l.type = pick(env, req_string(o, "type", path), names, types, path + ".type");
  switch (l.type) {
    case LayerType::dense:
      l.input_size = req_size(o, "inputSize", path);
      l.units = req_size(o, "units", path);
      l.use_bias = req_bool(o, "useBias", path);
      l.act = read_activation(o, path);
      l.kernel_init = read_init(o, "kernelInitializer", path);
      l.bias_init = read_init(o, "biasInitializer", path);
      l.kernel_reg = read_reg(o, "kernelRegularizer", path);
      l.bias_reg = read_reg(o, "biasRegularizer", path);
      break;
    case LayerType::activation:
      l.input_size = l.units = req_size(o, "size", path);
      l.act = read_activation(o, path);
      break;
    case LayerType::dropout: {
      l.input_size = l.units = req_size(o, "size", path);
      l.rate = req_float(o, "rate", path);
      l.has_seed = present(o, "seed");
      if (l.has_seed) {
        const double s = req_number(o, "seed", path);
        if (s < 0 || s != std::floor(s) || s > 9007199254740992.0)
          throw_range_error(env, "SIMDNET_INVALID_ARGUMENT", "plan." + path + ".seed must be an integer in [0, 2^53]");
        l.seed = static_cast<uint64_t>(s);
      }
      break;
    }
    case LayerType::batch_norm:
      l.input_size = l.units = req_size(o, "size", path);
      l.momentum = req_float(o, "momentum", path);
      l.epsilon = req_float(o, "epsilon", path);
      l.center = req_bool(o, "center", path);
      l.scale = req_bool(o, "scale", path);
      break;
  }
  return l;
}

engine::OptimSpec read_optimizer(const Napi::Object& plan) {
  Napi::Env env = plan.Env();
  const std::string p = "optimizer";
  Napi::Object o = req_object(env, plan.Get("optimizer"), p);
  static const char* const names[] = {"sgd", "momentum", "adagrad", "rmsprop", "adam", "adamw"};
  static const OptKind kinds[] = {OptKind::sgd,     OptKind::momentum, OptKind::adagrad,
                                  OptKind::rmsprop, OptKind::adam,     OptKind::adamw};
  engine::OptimSpec s;
  s.kind = pick(env, req_string(o, "kind", p), names, kinds, p + ".kind");
  s.learning_rate = req_number(o, "learningRate", p);
  // Defaults: lib/optimizers/defaults.ts (OPTIMIZER_DEFAULTS, shared with JsEngine): PyTorch's values, except
  // momentum 0.9 for the 'momentum' kind and RMSprop rho 0.9 (Keras); eps 1e-8 (Adagrad 1e-10), Adagrad's initial
  // accumulator 0, AdamW weight decay 0.01 (decoupled), coupled weight decay 0 elsewhere.
  s.momentum = opt_float(o, "momentum", p, s.kind == OptKind::momentum ? 0.9 : 0.0);
  s.dampening = opt_float(o, "dampening", p, 0.0);
  s.nesterov = opt_bool(o, "nesterov", p, false);
  s.rho = opt_float(o, "rho", p, 0.9);
  s.centered = opt_bool(o, "centered", p, false);
  s.epsilon = opt_float(o, "epsilon", p, s.kind == OptKind::adagrad ? 1e-10 : 1e-8);
  s.initial_accumulator = opt_float(o, "initialAccumulatorValue", p, 0.0);
  s.beta1 = opt_double(o, "beta1", p, 0.9);  // range-checked by plan.cc
  s.beta2 = opt_double(o, "beta2", p, 0.999);
  s.amsgrad = opt_bool(o, "amsgrad", p, false);
  s.weight_decay = opt_float(o, "weightDecay", p, s.kind == OptKind::adamw ? 0.01 : 0.0);
  s.has_clip_norm = present(o, "clipNorm");
  if (s.has_clip_norm) s.clip_norm = req_float(o, "clipNorm", p);
  s.has_clip_value = present(o, "clipValue");
  if (s.has_clip_value) s.clip_value = req_float(o, "clipValue", p);
  return s;
}

}  // namespace

engine::PlanSpec read_plan(Napi::Env env, const Napi::Value& value) {
  if (!value.IsObject() || value.IsArray())
    throw_type_error(env, "SIMDNET_INVALID_ARGUMENT", "Expected a PlanSpec object but received " + describe_value(value));
  Napi::Object o = value.As<Napi::Object>();
  engine::PlanSpec plan;
  plan.input_size = req_size(o, "inputSize", "");
  Napi::Value layers = o.Get("layers");
  if (!layers.IsArray()) bad_type(env, "layers", "an Array", layers);
  Napi::Array arr = layers.As<Napi::Array>();
  if (arr.Length() > 100000) throw_range_error(env, "SIMDNET_INVALID_ARGUMENT", "plan.layers is too long");
  for (uint32_t i = 0; i < arr.Length(); ++i) {
    const std::string path = "layers[" + std::to_string(i) + "]";
    plan.layers.push_back(read_layer(req_object(env, arr.Get(i), path), path));
  }
  static const char* const losses[] = {"meanSquaredError", "binaryCrossentropy", "categoricalCrossentropy",
                                       "sparseCategoricalCrossentropy", "meanAbsoluteError", "huber", "logCosh",
                                       "hinge", "squaredHinge", "kullbackLeiblerDivergence", "poisson"};
  static const LossKind loss_kinds[] = {LossKind::mse,    LossKind::bce,           LossKind::cce,
                                        LossKind::sparse_cce, LossKind::mae,     LossKind::huber,
                                        LossKind::log_cosh, LossKind::hinge,     LossKind::squared_hinge,
                                        LossKind::kld,    LossKind::poisson};
  plan.loss = pick(env, req_string(o, "loss", ""), losses, loss_kinds, "loss");
  plan.huber_delta = to_float(env, opt_double(o, "huberDelta", "", 1.0), "plan.huberDelta");
  Napi::Value metrics = o.Get("metrics");
  if (!metrics.IsUndefined()) {
    if (!metrics.IsArray()) bad_type(env, "metrics", "an Array", metrics);
    Napi::Array m = metrics.As<Napi::Array>();
    static const char* const metric_names[] = {"accuracy", "mse", "mae"};
    static const Metric metric_kinds[] = {Metric::accuracy, Metric::mse, Metric::mae};
    for (uint32_t i = 0; i < m.Length(); ++i) {
      const std::string path = "metrics[" + std::to_string(i) + "]";
      Napi::Value v = m.Get(i);
      if (!v.IsString()) bad_type(env, path, "a string", v);
      plan.metrics.push_back(pick(env, v.As<Napi::String>().Utf8Value(), metric_names, metric_kinds, path));
    }
  }
  plan.optimizer = read_optimizer(o);
  const double seed = req_number(o, "seed", "");
  if (seed < 0 || seed != std::floor(seed) || seed > 9007199254740992.0)
    throw_range_error(env, "SIMDNET_INVALID_ARGUMENT", "plan.seed must be an integer in [0, 2^53]");
  plan.seed = static_cast<uint64_t>(seed);
  return plan;
}

}  // namespace simdnet::addon
