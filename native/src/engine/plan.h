// The training plan in plain C++ (no N-API): the PlanSpec of lib/engine/engine.ts after the binding has read it and
// filled in defaults, plus its validation. docs/engine.md fixes the semantics every field has in the engine.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "kernels/init/init.h"

namespace simdnet::engine {

// A failure the caller caused (bad spec, bad shapes): `code` is a SIMDNET_* error code, empty when ok.
// `range` says whether it is a RangeError (a value out of range) rather than a TypeError/plain Error.
struct Status {
  std::string code;
  std::string message;
  bool range = true;
  bool ok() const { return code.empty(); }
  static Status Ok() { return {}; }
  static Status Invalid(std::string msg) { return {"SIMDNET_INVALID_ARGUMENT", std::move(msg), true}; }
};

enum class LayerType : int { dense, activation, dropout, batch_norm };
enum class ActKind : int { linear, sigmoid, tanh, relu, leaky_relu, softmax };
enum class LossKind : int { mse, bce, cce, sparse_cce, mae, huber, log_cosh, hinge, squared_hinge, kld, poisson };
enum class Metric : int { accuracy, mse, mae };
enum class OptKind : int { sgd, momentum, adagrad, rmsprop, adam, adamw };

struct ActSpec {
  ActKind kind = ActKind::linear;
  float alpha = 0.01f;       // leakyRelu slope
  float temperature = 1.0f;  // softmax temperature
};

// An initializer already mapped onto init.h's InitArgs fields (value; a/b = uniform bounds or normal mean/std).
struct InitSpec {
  Init kind = Init::zeros;
  float value = 0.0f, a = 0.0f, b = 1.0f;
};

struct RegSpec {
  bool on = false;
  float l1 = 0.0f, l2 = 0.0f;
};

struct LayerSpec {
  LayerType type = LayerType::dense;
  std::string name;
  size_t input_size = 0, units = 0;  // units = output size (activation/dropout/batchNorm: == input_size)
  // dense
  bool use_bias = true;
  ActSpec act;  // dense and activation
  InitSpec kernel_init, bias_init;
  RegSpec kernel_reg, bias_reg;
  // dropout
  float rate = 0.0f;
  bool has_seed = false;
  uint64_t seed = 0;
  // batchNormalization
  float momentum = 0.99f, epsilon = 1e-3f;
  bool center = true, scale = true;
};

// Optimizer hyper-parameters with defaults filled in (the binding applies lib/optimizers/defaults.ts's values).
// 'sgd' always uses the plain SGD rule (its momentum field is ignored, as in JsEngine); 'momentum' the heavy-ball one.
struct OptimSpec {
  OptKind kind = OptKind::sgd;
  double learning_rate = 0.01;
  float momentum = 0.0f, dampening = 0.0f;
  bool nesterov = false;
  float rho = 0.9f;
  bool centered = false;
  float epsilon = 1e-8f;
  float initial_accumulator = 0.0f;
  double beta1 = 0.9, beta2 = 0.999;  // double, as PyTorch holds them (kernels/optim/optim.h AdamArgs)
  bool amsgrad = false;
  float weight_decay = 0.0f;
  bool has_clip_norm = false, has_clip_value = false;
  float clip_norm = 0.0f, clip_value = 0.0f;
};

struct PlanSpec {
  size_t input_size = 0;
  std::vector<LayerSpec> layers;
  LossKind loss = LossKind::mse;
  float huber_delta = 1.0f;  // LossKind::huber's delta (Keras default 1.0)
  std::vector<Metric> metrics;
  OptimSpec optimizer;
  uint64_t seed = 0;
};

// Checks sizes chain (each layer's input size is the previous output size), ranges of every hyper-parameter, unique
// layer names, and the loss/output combination (sparse CE needs outputSize >= 1). Returns the first problem found.
Status validate_plan(const PlanSpec& plan);

const char* metric_name(Metric m) noexcept;

}  // namespace simdnet::engine
