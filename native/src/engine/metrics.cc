// Metrics (sample-weighted sums) and per-layer diagnostics: docs/engine.md "Metrics" and "Diagnostics".
#include <algorithm>
#include <cmath>
#include <cstring>

#include "engine/engine.h"
#include "kernels/reduce/reduce.h"

namespace simdnet::engine {

void Engine::accumulate(const float* y, size_t b, double loss_value, LogSums* logs) {
  logs->samples += static_cast<double>(b);
  logs->sums[0] += loss_value * static_cast<double>(b);
  if (plan_.metrics.empty()) return;
  const size_t n = out_size_;
  const float* p = layers_.back().out;
  const bool sparse = plan_.loss == LossKind::sparse_cce;
  // The target of element (r, j): the one-hot of the label for sparse losses.
  auto target = [&](size_t r, size_t j) -> float {
    return sparse ? (labels_[r] == static_cast<int32_t>(j) ? 1.0f : 0.0f) : y[r * n + j];
  };
  for (size_t m = 0; m < plan_.metrics.size(); ++m) {
    double sum = 0;  // sum over the batch's samples of the per-sample metric
    switch (plan_.metrics[m]) {
      case Metric::accuracy: {
        const bool binary = plan_.loss == LossKind::bce || (plan_.loss == LossKind::mse && n == 1);
        if (binary) {
          for (size_t r = 0; r < b; ++r) {
            size_t hits = 0;
            for (size_t j = 0; j < n; ++j) hits += (p[r * n + j] > 0.5f) == (y[r * n + j] > 0.5f);
            sum += static_cast<double>(hits) / static_cast<double>(n);
          }
        } else {
          reduce().row_argmax(b, n, p, n, argmax_pred_);
          if (sparse) {
            for (size_t r = 0; r < b; ++r) sum += argmax_pred_[r] == labels_[r];
          } else {
            reduce().row_argmax(b, n, y, n, argmax_true_);
            for (size_t r = 0; r < b; ++r) sum += argmax_pred_[r] == argmax_true_[r];
          }
        }
        break;
      }
      case Metric::mse:
      case Metric::mae: {
        const bool squared = plan_.metrics[m] == Metric::mse;
        for (size_t r = 0; r < b; ++r) {
          double row = 0;
          for (size_t j = 0; j < n; ++j) {
            const double d = static_cast<double>(p[r * n + j]) - target(r, j);
            row += squared ? d * d : std::fabs(d);
          }
          sum += row / static_cast<double>(n);
        }
        break;
      }
    }
    logs->sums[1 + m] += sum;
  }
}

void Engine::diag_before_update() {
  for (const Param& p : params_) {
    if (p.diag_layer == SIZE_MAX) continue;
    diag_grad_norm_[p.diag_layer] += std::sqrt(reduce().sum_squares(p.info.size, p.g));
    std::memcpy(layers_[p.diag_layer].w_before, p.w, p.info.size * sizeof(float));
  }
}

void Engine::diag_after_update() {
  for (const Param& p : params_) {
    if (p.diag_layer == SIZE_MAX) continue;
    const float* before = layers_[p.diag_layer].w_before;
    double num = 0, den = 0;
    for (size_t k = 0; k < p.info.size; ++k) {
      const double d = static_cast<double>(p.w[k]) - before[k];
      num += d * d;
      den += static_cast<double>(before[k]) * before[k];
    }
    // |W_before| = 0 gives 0 (as JsEngine), not Inf.
    diag_update_ratio_[p.diag_layer] += den > 0 ? std::sqrt(num) / std::sqrt(den) : 0.0;
  }
  ++diag_steps_;
}

void Engine::diag_finish(std::vector<LayerDiag>* diags) const {
  diags->clear();
  const double steps = diag_steps_ ? static_cast<double>(diag_steps_) : 1.0;
  for (size_t i = 0; i < layers_.size(); ++i) {
    const Layer& L = layers_[i];
    bool has_weight = false;
    for (const Param& p : params_) has_weight = has_weight || p.diag_layer == i;
    if (!has_weight && !L.has_activation_output) continue;  // dropout, batch norm without gamma: no entry
    LayerDiag d;
    d.layer = i;
    d.grad_norm = diag_grad_norm_[i] / steps;
    d.update_ratio = diag_update_ratio_[i] / steps;
    for (const Param& p : params_)
      if (p.diag_layer == i) d.weight_norm = std::sqrt(reduce().sum_squares(p.info.size, p.w));
    if (L.has_activation_output && L.out && last_batch_ > 0) {
      const size_t n = L.spec.units, b = last_batch_;
      double s = 0, ss = 0;
      for (size_t k = 0; k < b * n; ++k) {
        s += L.out[k];
        ss += static_cast<double>(L.out[k]) * L.out[k];
      }
      const double count = static_cast<double>(b * n);
      d.activation_mean = s / count;
      d.activation_std = std::sqrt(std::max(0.0, ss / count - d.activation_mean * d.activation_mean));
      if (L.act == Act::relu || L.act == Act::leaky_relu) {
        size_t dead = 0;
        for (size_t j = 0; j < n; ++j) {
          bool all = true;
          for (size_t r = 0; r < b && all; ++r) all = !(L.out[r * n + j] > 0.0f);
          dead += all;
        }
        d.dead_fraction = static_cast<double>(dead) / static_cast<double>(n);
      }
    }
    diags->push_back(d);
  }
}

}  // namespace simdnet::engine
