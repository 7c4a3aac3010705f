// Engine bench: (1) per-step cost of a tiny model (2-8-1, tanh/sigmoid, BCE, Adam) at batch 1, against the same
// kernel calls replayed by hand (the "arithmetic"), so the difference is the engine's own per-step overhead;
// (2) training throughput of 784-128(relu)-64(relu)-10(softmax), sparse CE, Adam, batch 128 (the Fashion-MNIST
// baseline of shared/BASELINES.md) on random data, per thread count. Prints ISA and threads; median of 5 runs.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <vector>

#include "dispatch/isa.h"
#include "engine/engine.h"
#include "kernels/gemm/gemm.h"
#include "kernels/loss/loss.h"
#include "kernels/optim/optim.h"
#include "kernels/reduce/reduce.h"
#include "kernels/vunary/vunary.h"
#include "runtime/threadpool.h"

using namespace simdnet;
using namespace simdnet::engine;
using Clock = std::chrono::steady_clock;

static LayerSpec dense(const char* name, size_t in, size_t units, ActKind act) {
  LayerSpec l;
  l.type = LayerType::dense;
  l.name = name;
  l.input_size = in;
  l.units = units;
  l.act.kind = act;
  l.kernel_init.kind = Init::glorot_uniform;
  return l;
}

template <class F>
static double median_ns(F&& f, int iters) {
  std::vector<double> runs;
  for (int r = 0; r < 5; ++r) {
    const auto t0 = Clock::now();
    for (int i = 0; i < iters; ++i) f(i);
    runs.push_back(std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / iters);
  }
  std::sort(runs.begin(), runs.end());
  return runs[2];
}

// The kernel sequence of one engine step for 2-8-1 at batch 1, called directly on private buffers.
struct TinyReplay {
  float x[2] = {1, 0}, w1[16], b1[8] = {0}, h[8], w2[8], b2[1] = {0}, z[1], p[1], gz[1], gw2[8], gb2[1], dh[8], gw1[16],
        gb1[8];
  float m[4][16] = {}, v[4][16] = {};
  int t = 0;
  TinyReplay() {
    for (int i = 0; i < 16; ++i) w1[i] = 0.1f * (i % 5) - 0.2f;
    for (int i = 0; i < 8; ++i) w2[i] = 0.05f * i - 0.2f;
  }
  void step(const float* y) {
    GemmArgs g1;  // h = tanh(x W1 + b1)
    g1.m = 1, g1.n = 8, g1.k = 2, g1.a = x, g1.lda = 2, g1.b = w1, g1.ldb = 8, g1.c = h, g1.ldc = 8;
    g1.ep.bias = b1, g1.ep.act = Act::tanh;
    gemm(g1);
    GemmArgs g2;  // z = h W2 + b2
    g2.m = 1, g2.n = 1, g2.k = 8, g2.a = h, g2.lda = 8, g2.b = w2, g2.ldb = 1, g2.c = z, g2.ldc = 1, g2.ep.bias = b2;
    gemm(g2);
    vunary().forward(Act::sigmoid, 0, 1, z, p);
    loss().bce_logits(1, 1, y, z, nullptr, gz);
    GemmArgs d2;  // dW2 = h^T gz
    d2.trans_a = true, d2.m = 8, d2.n = 1, d2.k = 1, d2.a = h, d2.lda = 8, d2.b = gz, d2.ldb = 1, d2.c = gw2, d2.ldc = 1;
    gemm(d2);
    reduce().col_sum(1, 1, gz, 1, false, gb2);
    GemmArgs dx;  // dh = gz W2^T
    dx.trans_b = true, dx.m = 1, dx.n = 8, dx.k = 1, dx.a = gz, dx.lda = 1, dx.b = w2, dx.ldb = 1, dx.c = dh, dx.ldc = 8;
    gemm(dx);
    vunary().backward(Act::tanh, 0, 8, h, h, dh, dh);
    GemmArgs d1;  // dW1 = x^T dh
    d1.trans_a = true, d1.m = 2, d1.n = 8, d1.k = 1, d1.a = x, d1.lda = 2, d1.b = dh, d1.ldb = 8, d1.c = gw1, d1.ldc = 8;
    gemm(d1);
    reduce().col_sum(1, 8, dh, 8, false, gb1);
    ++t;
    AdamArgs a{0.01f, 0.9f, 0.999f, 1e-8f, 0.0f, static_cast<float>(1 - std::pow(0.9, t)),
               static_cast<float>(1 - std::pow(0.999, t)), false, false};
    optim().adam(16, a, w1, gw1, m[0], v[0], nullptr);
    optim().adam(8, a, b1, gb1, m[1], v[1], nullptr);
    optim().adam(8, a, w2, gw2, m[2], v[2], nullptr);
    optim().adam(1, a, b2, gb2, m[3], v[3], nullptr);
  }
};

int main() {
  std::printf("engine-bench: ISA %s, threads %zu\n", isa_name(current_isa()), get_threads());
  {
    PlanSpec p;
    p.input_size = 2;
    p.layers = {dense("h", 2, 8, ActKind::tanh), dense("o", 8, 1, ActKind::sigmoid)};
    p.loss = LossKind::bce;
    p.optimizer.kind = OptKind::adam;
    p.optimizer.learning_rate = 0.01;
    Status st;
    auto e = Engine::create(p, &st);
    e->prepare(1);
    // Alternating targets for the same input: the gradient never vanishes (no denormal slow-down).
    const float x[2] = {1, 0}, y1[1] = {1}, y0[1] = {0};
    LogSums logs;
    const double engine_ns = median_ns([&](int i) { e->train_step(x, (i & 1) ? y1 : y0, 1, &logs); }, 200000);
    TinyReplay replay;
    const double kernels_ns = median_ns([&](int i) { replay.step((i & 1) ? y1 : y0); }, 200000);
    std::printf("2-8-1 batch 1: engine train_step %.0f ns, same kernels called directly %.0f ns, engine overhead %.0f ns\n",
                engine_ns, kernels_ns, engine_ns - kernels_ns);
  }
  {
    PlanSpec p;
    p.input_size = 784;
    p.layers = {dense("d1", 784, 128, ActKind::relu), dense("d2", 128, 64, ActKind::relu),
                dense("d3", 64, 10, ActKind::softmax)};
    p.loss = LossKind::sparse_cce;
    p.metrics = {Metric::accuracy};
    p.optimizer.kind = OptKind::adam;
    p.optimizer.learning_rate = 1e-3;
    const size_t n = 4096;
    std::vector<float> xs(n * 784), ys(n);
    std::vector<uint32_t> order(n);
    for (size_t i = 0; i < xs.size(); ++i) xs[i] = static_cast<float>((i * 2654435761u) % 1000) / 1000.0f;
    for (size_t i = 0; i < n; ++i) ys[i] = static_cast<float>(i % 10), order[i] = static_cast<uint32_t>((i * 7919) % n);
    const size_t hw = get_threads();
    for (size_t threads = 1; threads <= hw; ++threads) {
      set_threads(threads);
      Status st;
      auto e = Engine::create(p, &st);
      e->prepare(128);
      TrainBatchesArgs a;
      a.x = xs.data(), a.y = ys.data(), a.n = n, a.order = order.data(), a.batch_size = 128, a.batch_count = n / 128;
      LogSums logs;
      const double ns = median_ns([&](int) { e->train_batches(a, &logs, nullptr); }, 1);
      std::printf("784-128-64-10 batch 128, %zu thread(s): %.0f samples/s\n", threads, n / (ns * 1e-9));
    }
  }
}
