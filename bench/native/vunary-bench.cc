// Activation throughput per ISA (GB/s = bytes read + written / time; forward moves 8 bytes per element, backward 12),
// plus row softmax. Usage: vunary-bench [n] (default 1M elements, and 4096). Skips ISAs the CPU lacks.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "dispatch/isa.h"
#include "kernels/softmax/softmax.h"
#include "kernels/vunary/vunary.h"

using simdnet::Act;

template <class F>
double best_seconds(F f, size_t reps) {
  double best = 1e30;
  for (int trial = 0; trial < 5; ++trial) {
    const auto t0 = std::chrono::steady_clock::now();
    for (size_t r = 0; r < reps; ++r) f();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / reps;
    if (s < best) best = s;
  }
  return best;
}

int main(int argc, char** argv) {
  std::vector<size_t> sizes = {4096, size_t{1} << 20};
  if (argc > 1) sizes = {static_cast<size_t>(std::atoll(argv[1]))};
  const char* names[] = {"linear", "sigmoid", "tanh", "relu", "leakyRelu"};
  std::printf("%-8s %-10s %-9s %10s %10s\n", "isa", "op", "n", "fwd GB/s", "bwd GB/s");
  for (size_t n : sizes) {
    std::vector<float> x(n), y(n), dy(n, 0.5f), dx(n);
    for (size_t i = 0; i < n; ++i) x[i] = static_cast<float>((i * 37) % 2001) / 100.0f - 10.0f;
    const size_t reps = n < 100000 ? 2000 : 20;
    for (simdnet::Isa isa : simdnet::available_isas()) {
      simdnet::set_isa(isa);
      for (int a = 0; a < 5; ++a) {
        const auto& k = simdnet::vunary();
        const double tf = best_seconds([&] { k.forward(Act(a), 0.1f, n, x.data(), y.data()); }, reps);
        const double tb = best_seconds([&] { k.backward(Act(a), 0.1f, n, x.data(), y.data(), dy.data(), dx.data()); }, reps);
        std::printf("%-8s %-10s %-9zu %10.2f %10.2f\n", simdnet::isa_name(isa), names[a], n, 8.0 * n / tf / 1e9,
                    12.0 * n / tb / 1e9);
      }
      const size_t cols = 128, rows = n / cols;
      const auto& s = simdnet::softmax();
      const double tf = best_seconds([&] { s.forward(rows, cols, 1.0f, x.data(), y.data()); }, reps);
      const double tb = best_seconds([&] { s.backward(rows, cols, 1.0f, y.data(), dy.data(), dx.data()); }, reps);
      std::printf("%-8s %-10s %-9zu %10.2f %10.2f\n", simdnet::isa_name(isa), "softmax128", n, 8.0 * n / tf / 1e9,
                  12.0 * n / tb / 1e9);
    }
  }
  return 0;
}
