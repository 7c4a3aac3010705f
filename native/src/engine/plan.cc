#include "engine/plan.h"

#include <cmath>
#include <set>

namespace simdnet::engine {
namespace {

// Largest layer width / input size accepted: keeps every product of two sizes (and batch * size) far from overflow.
constexpr size_t kMaxSize = size_t{1} << 28;

bool finite(double v) { return std::isfinite(v); }

std::string at(const LayerSpec& l, size_t i) { return "layers[" + std::to_string(i) + "] ('" + l.name + "')"; }

Status check_act(const ActSpec& a, const std::string& where) {
  if (!finite(a.alpha)) return Status::Invalid(where + ": leakyRelu alpha must be finite");
  if (!(a.temperature > 0.0f) || !finite(a.temperature))
    return Status::Invalid(where + ": softmax temperature must be a positive finite number");
  return Status::Ok();
}

Status check_init(const InitSpec& s, const std::string& where) {
  if (!finite(s.value) || !finite(s.a) || !finite(s.b)) return Status::Invalid(where + ": initializer values must be finite");
  if (s.kind == Init::uniform && !(s.a <= s.b)) return Status::Invalid(where + ": randomUniform needs minval <= maxval");
  if ((s.kind == Init::normal || s.kind == Init::truncated_normal) && !(s.b >= 0.0f))
    return Status::Invalid(where + ": stddev must be >= 0");
  return Status::Ok();
}

Status check_reg(const RegSpec& r, const std::string& where) {
  if (!r.on) return Status::Ok();
  if (!finite(r.l1) || !finite(r.l2) || r.l1 < 0 || r.l2 < 0)
    return Status::Invalid(where + ": regularizer l1/l2 must be finite and >= 0");
  return Status::Ok();
}

Status check_layer(const LayerSpec& l, size_t i) {
  const std::string where = at(l, i);
  if (l.input_size == 0 || l.input_size > kMaxSize || l.units == 0 || l.units > kMaxSize)
    return Status::Invalid(where + ": sizes must be in [1, 2^28]");
  switch (l.type) {
    case LayerType::dense: {
      Status s = check_act(l.act, where);
      if (s.ok()) s = check_init(l.kernel_init, where + " kernelInitializer");
      if (s.ok()) s = check_init(l.bias_init, where + " biasInitializer");
      if (s.ok()) s = check_reg(l.kernel_reg, where + " kernelRegularizer");
      if (s.ok()) s = check_reg(l.bias_reg, where + " biasRegularizer");
      if (s.ok() && l.input_size * l.units > kMaxSize)
        return Status::Invalid(where + ": kernel has more than 2^28 elements");
      return s;
    }
    case LayerType::activation:
      if (l.units != l.input_size) return Status::Invalid(where + ": activation size must equal its input size");
      return check_act(l.act, where);
    case LayerType::dropout:
      if (l.units != l.input_size) return Status::Invalid(where + ": dropout size must equal its input size");
      if (!(l.rate >= 0.0f && l.rate < 1.0f)) return Status::Invalid(where + ": dropout rate must be in [0, 1)");
      if (l.has_seed && l.seed > (uint64_t{1} << 53)) return Status::Invalid(where + ": seed must be <= 2^53");
      return Status::Ok();
    case LayerType::batch_norm:
      if (l.units != l.input_size) return Status::Invalid(where + ": batchNormalization size must equal its input size");
      if (!(l.momentum >= 0.0f && l.momentum <= 1.0f)) return Status::Invalid(where + ": momentum must be in [0, 1]");
      if (!(l.epsilon > 0.0f) || !finite(l.epsilon)) return Status::Invalid(where + ": epsilon must be > 0");
      return Status::Ok();
  }
  return Status::Invalid(where + ": unknown layer type");
}

Status check_optimizer(const OptimSpec& o) {
  auto bad = [](const char* what) { return Status::Invalid(std::string("optimizer.") + what); };
  if (!(o.learning_rate >= 0) || !finite(o.learning_rate)) return bad("learningRate must be a finite number >= 0");
  if (!(o.momentum >= 0) || !finite(o.momentum)) return bad("momentum must be a finite number >= 0");
  if (!(o.dampening >= 0 && o.dampening <= 1)) return bad("dampening must be in [0, 1]");
  if (!(o.rho >= 0 && o.rho < 1)) return bad("rho must be in [0, 1)");
  if (!(o.epsilon >= 0) || !finite(o.epsilon)) return bad("epsilon must be a finite number >= 0");
  if (!(o.initial_accumulator >= 0) || !finite(o.initial_accumulator))
    return bad("initialAccumulatorValue must be a finite number >= 0");
  if (!(o.beta1 >= 0 && o.beta1 < 1)) return bad("beta1 must be in [0, 1)");
  if (!(o.beta2 >= 0 && o.beta2 < 1)) return bad("beta2 must be in [0, 1)");
  if (!(o.weight_decay >= 0) || !finite(o.weight_decay)) return bad("weightDecay must be a finite number >= 0");
  if (o.nesterov && o.kind == OptKind::momentum && (o.momentum <= 0 || o.dampening != 0))
    return bad("nesterov needs momentum > 0 and dampening 0 (as PyTorch)");
  if (o.has_clip_norm && (!(o.clip_norm > 0) || !finite(o.clip_norm))) return bad("clipNorm must be > 0");
  if (o.has_clip_value && (!(o.clip_value > 0) || !finite(o.clip_value))) return bad("clipValue must be > 0");
  return Status::Ok();
}

}  // namespace

const char* metric_name(Metric m) noexcept {
  switch (m) {
    case Metric::accuracy: return "accuracy";
    case Metric::mse: return "mse";
    case Metric::mae: return "mae";
  }
  return "?";
}

Status validate_plan(const PlanSpec& plan) {
  if (plan.input_size == 0 || plan.input_size > kMaxSize) return Status::Invalid("inputSize must be in [1, 2^28]");
  if (plan.layers.empty()) return Status::Invalid("a plan needs at least one layer");
  if (plan.seed > (uint64_t{1} << 53)) return Status::Invalid("seed must be an integer in [0, 2^53]");
  if (!(plan.huber_delta > 0.0f) || !std::isfinite(plan.huber_delta))
    return Status::Invalid("huberDelta must be a positive finite number");
  for (size_t i = 0; i < plan.metrics.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (plan.metrics[i] == plan.metrics[j])
        return Status::Invalid(std::string("metric '") + metric_name(plan.metrics[i]) + "' is listed twice");
  std::set<std::string> names;
  size_t width = plan.input_size;
  for (size_t i = 0; i < plan.layers.size(); ++i) {
    const LayerSpec& l = plan.layers[i];
    if (l.name.empty()) return Status::Invalid(at(l, i) + ": every layer needs a name");
    if (!names.insert(l.name).second) return Status::Invalid(at(l, i) + ": duplicate layer name");
    if (l.input_size != width)
      return {"SIMDNET_SHAPE_MISMATCH",
              at(l, i) + ": input size " + std::to_string(l.input_size) + " does not match the previous output size " +
                  std::to_string(width),
              true};
    Status s = check_layer(l, i);
    if (!s.ok()) return s;
    width = l.units;
  }
  return check_optimizer(plan.optimizer);
}

}  // namespace simdnet::engine
