// Plan compilation: parameters and their order/names/initialisation (docs/engine.md "Parameters", "Initialisation"),
// the choice of loss kernel (fused from logits where the last activation allows it), and the two memory blocks.
// The step itself is in step.cc.
#include "engine/engine.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>

#include "kernels/init/init.h"
#include "runtime/memory.h"

namespace simdnet::engine {
namespace {

constexpr size_t kAlignFloats = 16;  // 64 bytes: one cache line, the widest vector any ISA here loads
size_t round_up(size_t n) { return (n + kAlignFloats - 1) / kAlignFloats * kAlignFloats; }

// Hands out 64-byte-aligned sub-buffers of one block. Run once with base == nullptr to measure, then for real.
struct Carver {
  float* base = nullptr;
  size_t used = 0;  // floats
  float* take(size_t n) {
    float* p = base ? base + used : nullptr;
    used += round_up(n);
    return p;
  }
  uint8_t* take_bytes(size_t n) { return reinterpret_cast<uint8_t*>(take((n + 3) / 4)); }
  int32_t* take_i32(size_t n) { return reinterpret_cast<int32_t*>(take(n)); }
};

float* alloc_floats(size_t n) {
  const size_t floats = round_up(n == 0 ? 1 : n);
  return static_cast<float*>(block_alloc(floats * sizeof(float)));  // zeroed, 64-byte aligned
}

Act to_act(ActKind k) {
  switch (k) {
    case ActKind::sigmoid: return Act::sigmoid;
    case ActKind::tanh: return Act::tanh;
    case ActKind::relu: return Act::relu;
    case ActKind::leaky_relu: return Act::leaky_relu;
    default: return Act::linear;
  }
}

size_t state_arrays_per_param(const OptimSpec& o) {
  switch (o.kind) {
    case OptKind::sgd: return 0;
    case OptKind::momentum: return 1;
    case OptKind::adagrad: return 1;
    case OptKind::rmsprop: return 1 + (o.centered ? 1 : 0) + (o.momentum > 0 ? 1 : 0);
    case OptKind::adam:
    case OptKind::adamw: return 2 + (o.amsgrad ? 1 : 0);
  }
  return 0;
}

}  // namespace

void Engine::FreeDeleter::operator()(void* p) const noexcept { block_free(p); }

Engine::Engine(const PlanSpec& plan) : plan_(plan), lr_(plan.optimizer.learning_rate) {}
Engine::~Engine() = default;

std::unique_ptr<Engine> Engine::create(const PlanSpec& plan, Status* status) {
  *status = validate_plan(plan);
  if (!status->ok()) return nullptr;
  std::unique_ptr<Engine> e(new (std::nothrow) Engine(plan));
  if (!e) {
    *status = {"SIMDNET_INVALID_ARGUMENT", "out of memory compiling the plan", true};
    return nullptr;
  }
  *status = e->compile();
  if (!status->ok()) return nullptr;
  return e;
}

Status Engine::compile() {
  const size_t count = plan_.layers.size();
  layers_.resize(count);
  out_size_ = plan_.layers.back().units;
  auto add_param = [&](size_t layer, const std::string& what, std::vector<size_t> shape, bool trainable) {
    Param p;
    p.info.name = plan_.layers[layer].name + "/" + what;
    p.info.layer = layer;
    p.info.size = 1;
    for (size_t d : shape) p.info.size *= d;
    p.info.shape = std::move(shape);
    p.info.trainable = trainable;
    params_.push_back(std::move(p));
    return static_cast<int>(params_.size() - 1);
  };
  for (size_t i = 0; i < count; ++i) {
    Layer& L = layers_[i];
    L.spec = plan_.layers[i];
    const LayerSpec& s = L.spec;
    switch (s.type) {
      case LayerType::dense:
        L.kernel = add_param(i, "kernel", {s.input_size, s.units}, true);
        params_[L.kernel].reg = s.kernel_reg;
        params_[L.kernel].diag_layer = i;
        if (s.use_bias) {
          L.bias = add_param(i, "bias", {s.units}, true);
          params_[L.bias].reg = s.bias_reg;
        }
        [[fallthrough]];
      case LayerType::activation:
        L.softmax = s.act.kind == ActKind::softmax;
        L.act = to_act(s.act.kind);
        L.has_activation_output = true;
        break;
      case LayerType::dropout:
        break;
      case LayerType::batch_norm:
        if (s.scale) {
          L.gamma = add_param(i, "gamma", {s.units}, true);
          params_[L.gamma].diag_layer = i;
        }
        if (s.center) L.beta = add_param(i, "beta", {s.units}, true);
        L.moving_mean = add_param(i, "moving_mean", {s.units}, false);
        L.moving_var = add_param(i, "moving_variance", {s.units}, false);
        break;
    }
  }

  // Loss: fused from logits when the last layer's activation allows it (docs/engine.md "Loss").
  const Layer& last = layers_.back();
  const bool last_has_act = last.spec.type == LayerType::dense || last.spec.type == LayerType::activation;
  const ActKind last_act = last_has_act ? last.spec.act.kind : ActKind::linear;
  loss_temperature_ = last.spec.act.temperature;
  switch (plan_.loss) {
    case LossKind::mse: loss_op_ = LossOp::mse; break;
    case LossKind::bce: loss_op_ = last_act == ActKind::sigmoid ? LossOp::bce_logits : LossOp::bce_prob; break;
    case LossKind::cce: loss_op_ = last_act == ActKind::softmax ? LossOp::softmax_cce : LossOp::cce_prob; break;
    case LossKind::sparse_cce:
      loss_op_ = last_act == ActKind::softmax ? LossOp::sparse_softmax_cce : LossOp::sparse_cce_prob;
      break;
    default: {  // the element-wise losses take the output as it is (kernels/loss/loss.h)
      static const ElemLoss kinds[] = {ElemLoss::mae,           ElemLoss::huber, ElemLoss::log_cosh, ElemLoss::hinge,
                                       ElemLoss::squared_hinge, ElemLoss::kld,   ElemLoss::poisson};
      elem_loss_ = kinds[static_cast<int>(plan_.loss) - static_cast<int>(LossKind::mae)];
      elem_param_ = elem_loss_ == ElemLoss::huber ? plan_.huber_delta : 1e-7f;  // Keras backend epsilon
      loss_op_ = LossOp::elementwise;
      break;
    }
  }
  fused_ = loss_op_ == LossOp::bce_logits || loss_op_ == LossOp::softmax_cce || loss_op_ == LossOp::sparse_softmax_cce;
  for (size_t i = 0; i < count; ++i) {
    Layer& L = layers_[i];
    if (L.spec.type != LayerType::dense) continue;
    // The GEMM epilogue writes the activation output directly; the pre-activation is kept only where something needs
    // it: softmax (applied after the GEMM), the fused loss (takes logits), and leaky ReLU with a negative slope
    // (whose derivative cannot be read off the output's sign; for relu and slope >= 0 sign(y) == sign(z)).
    L.needs_z = L.softmax || (fused_ && i + 1 == count) ||
                (L.spec.act.kind == ActKind::leaky_relu && L.spec.act.alpha < 0);
  }
  // Input gradients are needed below the top trainable layer only.
  grad_below_.assign(count, false);
  bool any = false;
  for (size_t i = 0; i < count; ++i) {
    grad_below_[i] = any;
    for (const Param& p : params_)
      if (p.info.layer == i && p.info.trainable) any = true;
  }

  // Fixed block: weights, gradients, optimizer state, batch-norm saved statistics.
  const size_t nstate = state_arrays_per_param(plan_.optimizer);
  auto layout_fixed = [&](Carver& c) {
    for (Param& p : params_) {
      p.w = c.take(p.info.size);
      p.g = p.info.trainable ? c.take(p.info.size) : nullptr;
      for (size_t k = 0; k < 3; ++k) p.state[k] = p.info.trainable && k < nstate ? c.take(p.info.size) : nullptr;
    }
    for (Layer& L : layers_) {
      if (L.spec.type != LayerType::batch_norm) continue;
      L.save_mean = c.take(L.spec.units);
      L.save_inv_std = c.take(L.spec.units);
    }
  };
  Carver measure;
  layout_fixed(measure);
  fixed_block_.reset(alloc_floats(measure.used));
  if (!fixed_block_) return {"SIMDNET_INVALID_ARGUMENT", "out of memory allocating the plan's parameters", true};
  fixed_bytes_ = round_up(measure.used) * sizeof(float);
  Carver real{fixed_block_.get(), 0};
  layout_fixed(real);
  state_refs_.clear();
  for (size_t i = 0; i < params_.size(); ++i)
    for (size_t k = 0; k < 3; ++k)
      if (params_[i].state[k]) state_refs_.push_back({i, k});

  diag_grad_norm_.assign(count, 0.0);
  diag_update_ratio_.assign(count, 0.0);
  init_params();
  reset_optimizer();
  return Status::Ok();
}

void Engine::init_params() {
  for (size_t i = 0; i < layers_.size(); ++i) {
    const Layer& L = layers_[i];
    const LayerSpec& s = L.spec;
    if (s.type == LayerType::dense) {
      auto fill = [&](int param, const InitSpec& spec, uint64_t stream) {
        InitArgs a;
        a.kind = spec.kind;
        a.fan_in = s.input_size;
        a.fan_out = s.units;
        a.value = spec.value;
        a.a = spec.a;
        a.b = spec.b;
        a.seed = plan_.seed;
        a.stream = stream;
        init_fill(a, params_[param].info.size, params_[param].w);
      };
      fill(L.kernel, s.kernel_init, 2 * i);
      if (L.bias >= 0) fill(L.bias, s.bias_init, 2 * i + 1);
    } else if (s.type == LayerType::batch_norm) {
      auto set = [&](int param, float v) {
        if (param < 0) return;
        for (size_t k = 0; k < s.units; ++k) params_[param].w[k] = v;
      };
      set(L.gamma, 1.0f);
      set(L.beta, 0.0f);
      set(L.moving_mean, 0.0f);
      set(L.moving_var, 1.0f);
    }
  }
}

void Engine::reset_optimizer() {
  const OptimSpec& o = plan_.optimizer;
  for (Param& p : params_) {
    for (float* s : p.state)
      if (s) std::memset(s, 0, p.info.size * sizeof(float));
    if (o.kind == OptKind::adagrad && p.state[0])
      for (size_t k = 0; k < p.info.size; ++k) p.state[0][k] = o.initial_accumulator;
  }
  t_.store(0, std::memory_order_relaxed);
}

bool Engine::prepare(size_t batch, bool diagnostics) {
  if (batch > batch_capacity_) {
    // Every buffer is at most batch x (widest layer or input): refuse sizes whose products could overflow.
    size_t widest = plan_.input_size;
    for (const Layer& L : layers_) widest = std::max(widest, L.spec.units);
    if (batch > (SIZE_MAX / 64) / widest) return false;
    const bool sparse = plan_.loss == LossKind::sparse_cce;
    auto layout = [&](Carver& c) {
      for (size_t i = 0; i < layers_.size(); ++i) {
        Layer& L = layers_[i];
        const LayerSpec& s = L.spec;
        L.y = c.take(batch * s.units);
        L.z = L.needs_z ? c.take(batch * s.units) : nullptr;
        const bool need_dx = s.type == LayerType::batch_norm || grad_below_[i];
        L.dx = need_dx ? c.take(batch * s.input_size) : nullptr;
        L.mask = s.type == LayerType::dropout ? c.take_bytes(batch * s.units) : nullptr;
      }
      loss_grad_ = c.take(batch * out_size_);
      onehot_ = loss_op_ == LossOp::sparse_cce_prob ? c.take(batch * out_size_) : nullptr;
      labels_ = sparse ? c.take_i32(batch) : nullptr;
      argmax_pred_ = c.take_i32(batch);
      argmax_true_ = c.take_i32(batch);
      xb_ = c.take(batch * plan_.input_size);
      yb_ = c.take(batch * target_size());
      wb_ = c.take(batch);
    };
    Carver measure;
    layout(measure);
    float* block = alloc_floats(measure.used);
    if (!block) {
      // The measuring pass cleared every pointer: drop the old block too, so the engine is consistently empty.
      batch_block_.reset();
      batch_bytes_ = 0;
      batch_capacity_ = 0;
      return false;
    }
    batch_block_.reset(block);
    batch_bytes_ = round_up(measure.used) * sizeof(float);
    Carver real{block, 0};
    layout(real);
    batch_capacity_ = batch;
    for (Layer& L : layers_) L.out = nullptr;
    last_batch_ = 0;
  }
  if (diagnostics && !diag_ready_) {
    size_t floats = 0;
    for (const Param& p : params_)
      if (p.diag_layer != SIZE_MAX) floats += round_up(p.info.size);
    float* block = alloc_floats(floats);
    if (!block) return false;
    diag_block_.reset(block);
    diag_bytes_ = round_up(floats) * sizeof(float);
    Carver c{block, 0};
    for (const Param& p : params_)
      if (p.diag_layer != SIZE_MAX) layers_[p.diag_layer].w_before = c.take(p.info.size);
    diag_ready_ = true;
  }
  return true;
}

long long Engine::find_bad_label(const float* y, size_t n) const {
  if (plan_.loss != LossKind::sparse_cce) return -1;
  const float limit = static_cast<float>(out_size_);
  for (size_t i = 0; i < n; ++i) {
    const float v = y[i];
    if (!(v >= 0.0f && v < limit && v == std::floor(v))) return static_cast<long long>(i);
  }
  return -1;
}

}  // namespace simdnet::engine
