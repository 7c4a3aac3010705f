// The GEMM's zero-skipping path (kernels/gemm/sparse-a.cc) against the dense one, on the dispatched ISA: the MLP's
// products with A holding a given share of exact zeros at random places (0% to 90%), plus the A a 784-input layer
// sees on Fashion-MNIST-like images (zeros in a blank border and scattered inside, 50% in all). Each figure is the
// best and the median call (thread CPU time with 1 thread, wall time with 2) over about --ms; "x" is dense / skip
// on the medians. Where skipping stops paying is what sets the limits in sparse-a.cc (kMaxUnionWide, kMaxUnionNarrow).
// --a-file=path reads A (m x k float32, row-major) from a file instead: real inputs, such as 1000 Fashion-MNIST test
// images scaled to [0, 1] for (1000,128,784).
// Usage: skip-zeros-bench [--ms=400] [--threads=1] [--mnk=m,n,k] [--a-file=path]
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "dispatch/isa.h"
#include "kernels/gemm/gemm.h"

namespace {

double now_s(bool cpu) {
  if (cpu) {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct Rng {
  uint64_t s;
  explicit Rng(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 1) {}
  double uniform() {  // [0, 1)
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return static_cast<double>(s >> 11) * (1.0 / 9007199254740992.0);
  }
};

struct Timing {
  double best, median;
};

Timing time_calls(const simdnet::GemmArgs& g, size_t threads, double ms) {
  const bool cpu = threads == 1;
  simdnet::gemm(g, threads);  // warm-up
  std::vector<double> t;
  const double end = now_s(false) + ms / 1e3;
  while (t.size() < 5 || now_s(false) < end) {
    const double t0 = now_s(cpu);
    simdnet::gemm(g, threads);
    t.push_back(now_s(cpu) - t0);
    if (t.size() > 100000) break;
  }
  std::sort(t.begin(), t.end());
  return {t.front(), t[t.size() / 2]};
}

}  // namespace

int main(int argc, char** argv) {
  double ms = 400;
  size_t threads = 1;
  std::string a_file;
  std::vector<std::array<size_t, 3>> shapes = {{1000, 128, 784}, {1000, 64, 128}, {128, 128, 784}};
  for (int i = 1; i < argc; ++i) {
    if (!std::strncmp(argv[i], "--ms=", 5)) ms = std::atof(argv[i] + 5);
    else if (!std::strncmp(argv[i], "--threads=", 10)) threads = std::strtoul(argv[i] + 10, nullptr, 10);
    else if (!std::strncmp(argv[i], "--a-file=", 9)) a_file = argv[i] + 9;
    else if (!std::strncmp(argv[i], "--mnk=", 6)) {
      size_t m, n, k;
      if (std::sscanf(argv[i] + 6, "%zu,%zu,%zu", &m, &n, &k) != 3) return 2;
      shapes = {{m, n, k}};
    } else {
      std::fprintf(stderr, "usage: skip-zeros-bench [--ms=400] [--threads=1] [--mnk=m,n,k] [--a-file=path]\n");
      return 2;
    }
  }
  std::printf("isa %s, threads %zu, %s time; GFLOP/s counts the dense 2mnk\n",
              simdnet::isa_name(simdnet::current_isa()), threads, threads == 1 ? "thread CPU" : "wall");
  std::printf("%-16s %-10s %22s %22s %6s\n", "m,n,k", "zeros", "dense best/med ms", "skip best/med ms", "x");
  for (const auto& s : shapes) {
    const size_t m = s[0], n = s[1], k = s[2];
    std::vector<float> a(m * k), b_store(k * n + 16), c(m * n), bias(n);
    // B 64-byte aligned, as the engine's weights are (an unaligned B splits every 64-byte load over two lines)
    float* const b = b_store.data() + (16 - (reinterpret_cast<uintptr_t>(b_store.data()) / 4) % 16) % 16;
    Rng r(m + n + k);
    for (size_t i = 0; i < k * n; ++i) b[i] = static_cast<float>(r.uniform() - 0.5);
    for (float& v : bias) v = static_cast<float>(r.uniform() - 0.5);
    const double shares[] = {0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, -1.0};
    for (double zeros : shares) {
      if (!a_file.empty()) {
        if (zeros != 0.0) continue;
        FILE* f = std::fopen(a_file.c_str(), "rb");
        if (!f || std::fread(a.data(), sizeof(float), a.size(), f) != a.size()) {
          std::fprintf(stderr, "%s: cannot read %zu floats\n", a_file.c_str(), a.size());
          return 1;
        }
        std::fclose(f);
      } else if (zeros >= 0) {
        for (float& v : a) v = r.uniform() < zeros ? 0.0f : static_cast<float>(r.uniform());
      } else {
        if (k != 784) continue;
        // 28 x 28 images: a blank border of 3 pixels and a third of the inside blank, 50% zeros in all
        for (size_t i = 0; i < m; ++i)
          for (size_t p = 0; p < k; ++p) {
            const size_t y = p / 28, x = p % 28;
            const bool border = y < 3 || y >= 25 || x < 3 || x >= 25;
            a[i * k + p] = border || r.uniform() < 0.33 ? 0.0f : static_cast<float>(r.uniform());
          }
      }
      size_t nz = 0;
      for (float v : a) nz += v != 0.0f;
      simdnet::GemmArgs g;
      g.m = m;
      g.n = n;
      g.k = k;
      g.a = a.data();
      g.lda = k;
      g.b = b;
      g.ldb = n;
      g.c = c.data();
      g.ldc = n;
      g.ep.bias = bias.data();
      g.ep.act = simdnet::Act::relu;
      const Timing dense = time_calls(g, threads, ms);
      g.skip_zeros = simdnet::GemmArgs::ZeroSkip::force;
      const Timing skip = time_calls(g, threads, ms);
      char shape[32], share[16];
      std::snprintf(shape, sizeof shape, "%zu,%zu,%zu", m, n, k);
      std::snprintf(share, sizeof share, "%.0f%%%s", 100.0 * (1.0 - double(nz) / double(a.size())),
                    !a_file.empty() ? " file" : zeros < 0 ? " img" : "");
      const double gf = 2.0 * m * n * k / 1e9;
      std::printf("%-16s %-10s %9.3f/%7.3f (%3.0f) %9.3f/%7.3f (%3.0f) %6.2f\n", shape, share, dense.best * 1e3,
                  dense.median * 1e3, gf / dense.median, skip.best * 1e3, skip.median * 1e3, gf / skip.median,
                  dense.median / skip.median);
    }
  }
  return 0;
}
