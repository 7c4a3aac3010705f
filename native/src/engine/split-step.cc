// The training step split in two for data-parallel training (docs/engine.md "Distributed training"): every rank
// runs grad_sums on its shard of the global batch, the ranks add the flat buffers up (lib/distributed), and every
// rank runs apply_gradient_sums on the same total, so all replicas take the same update. Together the two halves
// are run_step (step.cc) with the all-reduce in between: penalties and clipping act on the global-batch mean.
#include <cstring>

#include "engine/engine.h"

namespace simdnet::engine {

size_t Engine::trainable_size() const {
  size_t n = 0;
  for (const Param& p : params_)
    if (p.info.trainable && p.g) n += p.info.size;
  return n;
}

void Engine::grad_sums(const float* x, const float* y, size_t batch, float* out, LogSums* logs) {
  forward(x, batch, Mode::train);
  const double loss_value = data_loss(y, batch, true) + penalties();
  accumulate(y, batch, loss_value, logs);
  backward(x, batch);
  // The loss kernels give the gradient of the batch MEAN; times the batch size it is the sum over its samples
  // (exact when the batch size is a power of two, else within one rounding).
  const float b = static_cast<float>(batch);
  for (const Param& p : params_) {
    if (!p.info.trainable || !p.g) continue;
    for (size_t i = 0; i < p.info.size; ++i) out[i] = p.g[i] * b;
    out += p.info.size;
  }
}

void Engine::apply_gradient_sums(const float* sums, double count, float lr) {
  const float c = static_cast<float>(count);
  for (Param& p : params_) {
    if (!p.info.trainable || !p.g) continue;
    for (size_t i = 0; i < p.info.size; ++i) p.g[i] = sums[i] / c;
    sums += p.info.size;
  }
  add_penalty_grads();
  clip_gradients();
  optimizer_update(lr);
}

}  // namespace simdnet::engine
