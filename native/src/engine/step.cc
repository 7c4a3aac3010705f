// The training step over the dispatched kernels (docs/engine.md "Forward", "Loss", "Update pipeline"):
// forward -> loss (+ penalties) -> metrics -> backward -> penalty gradients -> clipValue -> clipNorm -> t += 1 ->
// optimizer. Also inference (evaluate, predict) and the gradient-only entry points the tests use.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <new>
#include <stdexcept>

#include "engine/engine.h"
#include "kernels/batchnorm/batchnorm.h"
#include "kernels/dropout/dropout.h"
#include "kernels/gemm/gemm.h"
#include "kernels/loss/loss.h"
#include "kernels/optim/optim.h"
#include "kernels/reduce/reduce.h"
#include "kernels/softmax/softmax.h"
#include "kernels/vunary/vunary.h"
#include "runtime/threadpool.h"

namespace simdnet::engine {
namespace {

// Keras backend epsilon: probabilities are clipped into [eps, 1 - eps] before the log (kernels/loss/loss.h).
constexpr float kProbEps = 1e-7f;

}  // namespace

void Engine::dense_gemm(const Layer& L, const float* in, size_t b, float* c, bool infer) const {
  const LayerSpec& s = L.spec;
  GemmArgs g;
  g.m = b;
  g.n = s.units;
  g.k = s.input_size;
  g.a = in;
  g.lda = s.input_size;
  g.b = params_[L.kernel].w;
  g.ldb = s.units;
  g.c = c;
  g.ldc = s.units;
  g.ep.bias = L.bias >= 0 ? params_[L.bias].w : nullptr;
  if (!L.needs_z) {
    g.ep.act = L.act;
    g.ep.alpha = s.act.alpha;
  }
  // Inference only: the same result but for the sign of a zero, so predict's output does not depend on which path a
  // batch took. Training keeps the dense path (its 128-row products gain little over the check of B each call costs).
  if (infer) {
    g.skip_zeros = GemmArgs::ZeroSkip::auto_;
    g.b_known_finite = L.kernel_finite;
  }
  gemm(g);
}

// A dense layer's activation on its kept pre-activation, or an Activation layer's: softmax or the element-wise one.
void Engine::activate(const Layer& L, size_t b, const float* in, float* out) const {
  const LayerSpec& s = L.spec;
  if (L.softmax)
    softmax().forward(b, s.units, s.act.temperature, in, out);
  else
    vunary().forward(L.act, s.act.alpha, b * s.units, in, out);
}

size_t Engine::infer_floats(size_t b) const {
  size_t f = 0;
  for (const Layer& L : layers_)
    if (L.spec.type != LayerType::dropout) f += b * L.spec.units * (L.needs_z ? 2 : 1);
  return f;
}

// The inference branch of forward(), on scratch: each layer's output (and a dense layer's pre-activation where it
// keeps one) in turn. Dropout is the identity. Same kernels, same arguments, so the same bits as forward().
const float* Engine::forward_infer(const float* x, size_t b, float* scratch) const {
  const float* in = x;
  for (const Layer& L : layers_) {
    const LayerSpec& s = L.spec;
    const size_t n = s.units;
    if (s.type == LayerType::dropout) continue;
    float* y = scratch;
    scratch += b * n;
    switch (s.type) {
      case LayerType::dense:
        if (L.needs_z) {
          float* z = scratch;
          scratch += b * n;
          dense_gemm(L, in, b, z, true);
          activate(L, b, z, y);
        } else {
          dense_gemm(L, in, b, y, true);
        }
        break;
      case LayerType::activation:
        activate(L, b, in, y);
        break;
      case LayerType::batch_norm:
        batchnorm().forward_infer(b, n, s.epsilon, in, L.gamma >= 0 ? params_[L.gamma].w : nullptr,
                                  L.beta >= 0 ? params_[L.beta].w : nullptr, params_[L.moving_mean].w,
                                  params_[L.moving_var].w, y);
        break;
      case LayerType::dropout: break;
    }
    in = y;
  }
  return in;
}

void Engine::forward(const float* x, size_t b, Mode mode) {
  const uint64_t t = t_.load(std::memory_order_relaxed);
  const float* in = x;
  last_logits_ = nullptr;
  for (size_t i = 0; i < layers_.size(); ++i) {
    Layer& L = layers_[i];
    const LayerSpec& s = L.spec;
    const size_t n = s.units;
    switch (s.type) {
      case LayerType::dense: {
        dense_gemm(L, in, b, L.needs_z ? L.z : L.y, mode == Mode::infer);
        if (L.needs_z) {
          activate(L, b, L.z, L.y);
          last_logits_ = L.z;
        }
        L.out = L.y;
        break;
      }
      case LayerType::activation:
        activate(L, b, in, L.y);
        last_logits_ = in;
        L.out = L.y;
        break;
      case LayerType::dropout:
        if (mode == Mode::infer) {
          L.out = in;  // inference: identity, no copy
          break;
        }
        // Fresh mask per step: stream = layerIndex * 2^40 + t (docs/engine.md).
        dropout().forward(b * n, s.rate, s.has_seed ? s.seed : plan_.seed, (static_cast<uint64_t>(i) << 40) + t, 0,
                          in, L.y, L.mask);
        L.out = L.y;
        break;
      case LayerType::batch_norm: {
        const float* gamma = L.gamma >= 0 ? params_[L.gamma].w : nullptr;
        const float* beta = L.beta >= 0 ? params_[L.beta].w : nullptr;
        float* mean = params_[L.moving_mean].w;
        float* var = params_[L.moving_var].w;
        if (mode == Mode::infer) {
          batchnorm().forward_infer(b, n, s.epsilon, in, gamma, beta, mean, var, L.y);
        } else {
          const bool update = mode == Mode::train;
          batchnorm().forward_train(b, n, s.momentum, s.epsilon, in, gamma, beta, update ? mean : nullptr,
                                    update ? var : nullptr, L.save_mean, L.save_inv_std, L.y);
        }
        L.out = L.y;
        break;
      }
    }
    in = L.out;
  }
  last_batch_ = b;
}

void Engine::fill_labels(const float* y, size_t b) {
  // Invalid labels (the bindings reject them first) become -1: NaN loss from the fused kernel, an all-zero one-hot row.
  const float limit = static_cast<float>(out_size_);
  for (size_t r = 0; r < b; ++r) {
    const float v = y[r];
    labels_[r] = (v >= 0.0f && v < limit && v == std::floor(v)) ? static_cast<int32_t>(v) : -1;
  }
}

double Engine::data_loss(const float* y, size_t b, bool want_grad) {
  const size_t n = out_size_;
  const float* pred = layers_.back().out;
  float* g = want_grad ? loss_grad_ : nullptr;
  const float* w = batch_w_;  // this batch's sample weights, or nullptr
  const LossKernels& k = loss();
  switch (loss_op_) {
    case LossOp::mse: return k.mse(b, n, y, pred, w, g);
    case LossOp::bce_prob: return k.bce_prob(b, n, kProbEps, y, pred, w, g);
    case LossOp::bce_logits: return k.bce_logits(b, n, y, last_logits_, w, g);
    case LossOp::cce_prob: return k.cce_prob(b, n, kProbEps, y, pred, w, g);
    case LossOp::softmax_cce: return k.softmax_cce(b, n, loss_temperature_, y, last_logits_, w, g);
    case LossOp::sparse_softmax_cce:
      fill_labels(y, b);
      return k.sparse_softmax_cce(b, n, loss_temperature_, labels_, last_logits_, w, g);
    case LossOp::sparse_cce_prob:
      fill_labels(y, b);
      std::memset(onehot_, 0, b * n * sizeof(float));
      for (size_t r = 0; r < b; ++r)
        if (labels_[r] >= 0) onehot_[r * n + static_cast<size_t>(labels_[r])] = 1.0f;
      return k.cce_prob(b, n, kProbEps, onehot_, pred, w, g);
    case LossOp::elementwise: return k.elementwise(elem_loss_, b, n, elem_param_, y, pred, w, g);
  }
  return NAN;
}

double Engine::penalties() const {
  double total = 0;
  for (const Param& p : params_)
    if (p.reg.on) total += optim().penalty_value(p.info.size, p.reg.l1, p.reg.l2, p.w);
  return total;
}

void Engine::backward(const float* x, size_t b) {
  float* dcur = loss_grad_;  // d loss / d (output of layer i), or of its pre-activation where the loss is fused
  const size_t count = layers_.size();
  for (size_t i = count; i-- > 0;) {
    Layer& L = layers_[i];
    const LayerSpec& s = L.spec;
    const size_t n = s.units;
    const float* in = i == 0 ? x : layers_[i - 1].out;
    const bool fused_here = fused_ && i + 1 == count;
    switch (s.type) {
      case LayerType::dense: {
        float* dz = dcur;
        if (!fused_here) {
          if (L.softmax) {
            softmax().backward(b, n, s.act.temperature, L.y, dcur, L.z);  // z is free now: reuse it for dz
            dz = L.z;
          } else if (L.act != Act::linear) {
            // relu/leaky read the sign of their first argument: y has z's sign unless z was kept (see compile()).
            vunary().backward(L.act, s.act.alpha, b * n, L.needs_z ? L.z : L.y, L.y, dcur, dcur);
          }
        }
        GemmArgs gw;  // dW = X^T dZ   (input_size x units)
        gw.trans_a = true;
        gw.m = s.input_size;
        gw.n = n;
        gw.k = b;
        gw.a = in;
        gw.lda = s.input_size;
        gw.b = dz;
        gw.ldb = n;
        gw.c = params_[L.kernel].g;
        gw.ldc = n;
        gemm(gw);
        if (L.bias >= 0) reduce().col_sum(b, n, dz, n, false, params_[L.bias].g);
        if (!grad_below_[i]) return;
        GemmArgs gx;  // dX = dZ W^T   (b x input_size)
        gx.trans_b = true;
        gx.m = b;
        gx.n = s.input_size;
        gx.k = n;
        gx.a = dz;
        gx.lda = n;
        gx.b = params_[L.kernel].w;
        gx.ldb = n;
        gx.c = L.dx;
        gx.ldc = s.input_size;
        gemm(gx);
        dcur = L.dx;
        break;
      }
      case LayerType::activation:
        if (fused_here) break;  // the loss gradient is already taken w.r.t. this layer's input
        if (!grad_below_[i]) return;
        if (L.softmax)
          softmax().backward(b, n, s.act.temperature, L.y, dcur, L.dx);
        else
          vunary().backward(L.act, s.act.alpha, b * n, in, L.y, dcur, L.dx);
        dcur = L.dx;
        break;
      case LayerType::dropout:
        if (!grad_below_[i]) return;
        dropout().backward(b * n, s.rate, L.mask, dcur, L.dx);
        dcur = L.dx;
        break;
      case LayerType::batch_norm: {
        const float* gamma = L.gamma >= 0 ? params_[L.gamma].w : nullptr;
        float* dgamma = L.gamma >= 0 ? params_[L.gamma].g : nullptr;
        float* dbeta = L.beta >= 0 ? params_[L.beta].g : nullptr;
        batchnorm().backward(b, n, in, dcur, gamma, L.save_mean, L.save_inv_std, L.dx, dgamma, dbeta);
        if (!grad_below_[i]) return;
        dcur = L.dx;
        break;
      }
    }
  }
}

void Engine::add_penalty_grads() {
  for (Param& p : params_)
    if (p.reg.on && p.g) optim().add_penalty_grad(p.info.size, p.reg.l1, p.reg.l2, p.w, p.g);
}

void Engine::clip_gradients() {
  const OptimSpec& o = plan_.optimizer;
  const OptimKernels& k = optim();
  if (o.has_clip_value)
    for (Param& p : params_)
      if (p.g) k.clip_value(p.info.size, o.clip_value, p.g);
  if (o.has_clip_norm) {
    double ss = 0;
    for (const Param& p : params_)
      if (p.g) ss += reduce().sum_squares(p.info.size, p.g);
    const double norm = std::sqrt(ss);
    // Keras global_clipnorm: scale by clip/norm only when norm > clip (a NaN norm compares false: left alone).
    if (norm > o.clip_norm) {
      const float scale = static_cast<float>(o.clip_norm / norm);
      for (Param& p : params_)
        if (p.g) k.scale_inplace(p.info.size, scale, p.g);
    }
  }
}

void Engine::optimizer_update(float lr) {
  const OptimSpec& o = plan_.optimizer;
  const OptimKernels& k = optim();
  const uint64_t t = t_.fetch_add(1, std::memory_order_relaxed) + 1;
  AdamArgs adam{};
  if (o.kind == OptKind::adam || o.kind == OptKind::adamw) {
    adam.lr = lr;
    adam.beta1 = o.beta1;
    adam.beta2 = o.beta2;
    adam.eps = o.epsilon;
    adam.weight_decay = o.weight_decay;
    // Bias corrections in double, once per step (docs/engine.md: bc1 = 1 - beta1^t, bc2 = 1 - beta2^t).
    adam.bc1 = static_cast<float>(1.0 - std::pow(o.beta1, static_cast<double>(t)));
    adam.bc2 = static_cast<float>(1.0 - std::pow(o.beta2, static_cast<double>(t)));
    adam.amsgrad = o.amsgrad;
    adam.decoupled = o.kind == OptKind::adamw;
  }
  for (Param& p : params_) {
    if (!p.info.trainable) continue;
    const size_t n = p.info.size;
    switch (o.kind) {
      case OptKind::sgd:
        k.sgd(n, lr, o.weight_decay, p.w, p.g);
        break;
      case OptKind::momentum:
        k.momentum(n, lr, o.momentum, o.dampening, o.weight_decay, o.nesterov, t == 1, p.w, p.g, p.state[0]);
        break;
      case OptKind::adagrad:
        k.adagrad(n, lr, o.epsilon, o.weight_decay, p.w, p.g, p.state[0]);
        break;
      case OptKind::rmsprop: {
        float* grad_avg = o.centered ? p.state[1] : nullptr;
        float* buf = o.momentum > 0 ? p.state[o.centered ? 2 : 1] : nullptr;
        k.rmsprop(n, lr, o.rho, o.epsilon, o.weight_decay, o.momentum, o.centered, p.w, p.g, p.state[0], grad_avg, buf);
        break;
      }
      case OptKind::adam:
      case OptKind::adamw:
        k.adam(n, adam, p.w, p.g, p.state[0], p.state[1], o.amsgrad ? p.state[2] : nullptr);
        break;
    }
  }
}

void Engine::run_step(const float* x, const float* y, size_t b, float lr, LogSums* logs, bool diagnostics) {
  forward(x, b, Mode::train);
  const double loss_value = data_loss(y, b, true) + penalties();  // penalties on the weights before the update
  accumulate(y, b, loss_value, logs);
  backward(x, b);
  add_penalty_grads();
  clip_gradients();
  if (diagnostics) diag_before_update();
  optimizer_update(lr);
  if (diagnostics) diag_after_update();
}

void Engine::train_step(const float* x, const float* y, size_t batch, LogSums* logs, const float* w) {
  batch_w_ = w;
  run_step(x, y, batch, static_cast<float>(learning_rate()), logs, false);
  batch_w_ = nullptr;
}

size_t Engine::train_batches(const TrainBatchesArgs& a, LogSums* logs, std::vector<LayerDiag>* diags) {
  const size_t in = plan_.input_size, tc = target_size();
  if (a.diagnostics) {
    std::fill(diag_grad_norm_.begin(), diag_grad_norm_.end(), 0.0);
    std::fill(diag_update_ratio_.begin(), diag_update_ratio_.end(), 0.0);
    diag_steps_ = 0;
  }
  size_t steps = 0;
  for (size_t s = 0; s < a.batch_count; ++s) {
    if (a.cancel && a.cancel->load(std::memory_order_relaxed)) break;
    const size_t start = (a.first_batch + s) * a.batch_size;
    if (start >= a.n) break;  // the bindings check the range; this keeps a bad call harmless
    const size_t rows = std::min(a.batch_size, a.n - start);
    // Gather this batch's rows by the epoch order into the engine's own batch buffers.
    for (size_t r = 0; r < rows; ++r) {
      const size_t idx = a.order[start + r];
      std::memcpy(xb_ + r * in, a.x + idx * in, in * sizeof(float));
      std::memcpy(yb_ + r * tc, a.y + idx * tc, tc * sizeof(float));
      if (a.w) wb_[r] = a.w[idx];
    }
    batch_w_ = a.w ? wb_ : nullptr;
    const float lr = a.lr_per_step ? a.lr_per_step[s] : static_cast<float>(learning_rate());
    run_step(xb_, yb_, rows, lr, logs, a.diagnostics);
    batch_w_ = nullptr;
    ++steps;
    if (a.after_step) a.after_step(a.after_step_ctx, *this);
  }
  // The schedule's rate of the last step run becomes the current rate (what getLearningRate() reports).
  if (a.lr_per_step && steps) set_learning_rate(a.lr_per_step[steps - 1]);
  if (a.diagnostics && diags) diag_finish(diags);
  return steps;
}

void Engine::evaluate(const float* x, const float* y, size_t n, size_t batch_size, LogSums* logs, const float* w) {
  const size_t in = plan_.input_size, tc = target_size();
  const double pen = penalties();
  for (size_t start = 0; start < n; start += batch_size) {
    const size_t rows = std::min(batch_size, n - start);
    forward(x + start * in, rows, Mode::infer);
    batch_w_ = w ? w + start : nullptr;
    const double loss_value = data_loss(y + start * tc, rows, false) + pen;
    accumulate(y + start * tc, rows, loss_value, logs);
    batch_w_ = nullptr;
  }
}

// Batches spread over the pool, each thread running whole forward passes on its own scratch, instead of every
// GEMM split over the threads: one hand-off per batch instead of one per layer, and each GEMM a 1-thread call at
// 1-thread efficiency. Batches are claimed from a counter (a descheduled thread delays one batch, not half of
// them). Every output row goes through the same kernels with the same arguments as on one thread (a GEMM's result
// does not depend on its thread count: gemm-test), so the outputs are bitwise those of the serial loop.
void Engine::predict(const float* x, size_t n, size_t batch_size, float* out,
                     const std::function<size_t(size_t)>* rows_ready) {
  const size_t batches = (n + batch_size - 1) / batch_size;
  // The weights do not change during the call: each dense kernel is checked for non-finite values once here, not by
  // the zero-skipping GEMM of every batch (a pass over 100K floats per layer and batch, about 0.7% of a 10,000-row
  // predict). Cleared on the way out, so that no other call relies on a check it did not make. Only where a batch
  // is large enough for that path to be tried at all: a batch-1 predict of the bench MLP took 15 us with the check
  // against 10.4 without it.
  struct FiniteScope {
    std::vector<Layer>& layers;
    ~FiniteScope() {
      for (Layer& L : layers) L.kernel_finite = false;
    }
  } finite_scope{layers_};
  const ReduceKernels& red = reduce();
  for (Layer& L : layers_)
    if (std::min(n, batch_size) >= kSkipZerosMinRows && L.spec.type == LayerType::dense && L.kernel >= 0) {
      const size_t count = L.spec.input_size * L.spec.units;
      L.kernel_finite = red.first_nonfinite(count, params_[L.kernel].w, nullptr) == count;
    }
  size_t first = 0;
  // While the input is still being copied (by the JS thread, on one of the cores), one batch at a time on this thread
  // alone: a pool worker would take the copying thread's core, and the GEMM's threads would wait on each other. The
  // input is looked at again after each batch, so the pool takes the rest as soon as the copy is done. The last
  // batch needs all n rows, so the loop always ends at the break.
  for (; rows_ready && first < batches; ++first) {
    const size_t need = std::min(n, (first + 1) * batch_size);
    const size_t ready = (*rows_ready)(need);
    if (ready < need) throw std::runtime_error("the input ended before all its rows arrived");
    if (ready >= n) break;
    InlineScope solo;
    predict_batches(x, n, batch_size, out, first, first + 1);
  }
  predict_batches(x, n, batch_size, out, first, batches);
}

void Engine::predict_batches(const float* x, size_t n, size_t batch_size, float* out, size_t first, size_t last) {
  const size_t in = plan_.input_size, no = out_size_;
  const size_t count = last - first;
  const size_t t = std::min(get_threads(), count);
  const size_t per = t >= 2 ? infer_floats(std::min(batch_size, n)) : 0;
  bool spread = t >= 2;
  if (spread && infer_scratch_.size() < per * t) {
    try {
      infer_scratch_.resize(per * t);
    } catch (const std::bad_alloc&) {
      spread = false;  // out of memory for the scratch: the serial loop on the layers' own buffers
    }
  }
  if (spread) {
    float* scratch = infer_scratch_.data();
    std::atomic<size_t> next{first};
    parallel_for(
        t,
        [&](size_t, size_t, size_t range) {
          for (size_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < last;) {
            const size_t start = i * batch_size, rows = std::min(batch_size, n - start);
            const float* y = forward_infer(x + start * in, rows, scratch + range * per);
            std::memcpy(out + start * no, y, rows * no * sizeof(float));
          }
        },
        t);
    return;
  }
  for (size_t i = first; i < last; ++i) {
    const size_t start = i * batch_size, rows = std::min(batch_size, n - start);
    forward(x + start * in, rows, Mode::infer);
    std::memcpy(out + start * no, layers_.back().out, rows * no * sizeof(float));
  }
}

double Engine::compute_gradients(const float* x, const float* y, size_t batch, bool update_moving_stats) {
  forward(x, batch, update_moving_stats ? Mode::train : Mode::train_frozen);
  const double loss_value = data_loss(y, batch, true) + penalties();
  backward(x, batch);
  add_penalty_grads();
  return loss_value;
}

double Engine::training_loss(const float* x, const float* y, size_t batch) {
  forward(x, batch, Mode::train_frozen);
  return data_loss(y, batch, false) + penalties();
}

const float* Engine::output() const { return layers_.back().out; }

}  // namespace simdnet::engine
