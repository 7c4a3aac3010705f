// GEMM throughput per ISA (every supported one), 1 and 2 threads, GFLOP/s = 2mnk / time, with the measured FMA
// peak of the same ISA for the % column.
// Usage: gemm-bench [--quick] [--isa=avx2] [--ms=300] [--cpu-time] [--shape=substring]
// Each figure is the fastest single call over about ms milliseconds (best-of, because the machine is shared).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "dispatch/isa.h"
#include "kernels/gemm/gemm.h"

namespace {

struct Shape {
  const char* name;
  bool ta, tb;
  size_t m, n, k;
};

bool g_cpu_time = false;
std::string g_shape;  // run only shapes whose name contains this

// Wall time, or with --cpu-time this thread's CPU time (1-thread figures that ignore time spent descheduled while
// other processes run; not meaningful for 2 threads, whose worker time it does not see).
double now_s() {
  if (g_cpu_time) {
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double bench(const Shape& s, size_t threads, double ms) {
  const size_t a_len = s.m * s.k, b_len = s.k * s.n, c_len = s.m * s.n;
  std::vector<float> a(a_len), b(b_len), c(c_len), bias(s.n);
  for (size_t i = 0; i < a_len; ++i) a[i] = static_cast<float>(i % 13) * 0.01f - 0.05f;
  for (size_t i = 0; i < b_len; ++i) b[i] = static_cast<float>(i % 7) * 0.02f - 0.06f;
  simdnet::GemmArgs g;
  g.trans_a = s.ta;
  g.trans_b = s.tb;
  g.m = s.m;
  g.n = s.n;
  g.k = s.k;
  g.a = a.data();
  g.lda = s.ta ? s.m : s.k;
  g.b = b.data();
  g.ldb = s.tb ? s.k : s.n;
  g.c = c.data();
  g.ldc = s.n;
  const double flops = 2.0 * s.m * s.n * s.k;
  simdnet::gemm(g, threads);  // warm-up: workspaces, pool threads, caches
  // Fastest single call over about `ms` (at least 5 calls): on a shared machine the minimum filters out the calls
  // that another process preempted, which is what makes figures comparable from run to run.
  double best_dt = 1e30;
  const double end = now_s() + ms / 1e3;
  for (int calls = 0; calls < 5 || now_s() < end; ++calls) {
    const double t0 = now_s();
    simdnet::gemm(g, threads);
    best_dt = std::min(best_dt, now_s() - t0);
    if (calls > 100000) break;
  }
  return flops / best_dt / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  double ms = 300;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--quick")) quick = true;
    else if (!std::strncmp(argv[i], "--isa=", 6)) only = argv[i] + 6;
    else if (!std::strncmp(argv[i], "--ms=", 5)) ms = std::atof(argv[i] + 5);
    else if (!std::strcmp(argv[i], "--cpu-time")) g_cpu_time = true;
    else if (!std::strncmp(argv[i], "--shape=", 8)) g_shape = argv[i] + 8;
  }
  std::vector<Shape> shapes;
  if (quick) {
    shapes = {{"16^3", false, false, 16, 16, 16}, {"(33,17,29)", false, false, 33, 17, 29}, {"64^3", false, false, 64, 64, 64}};
    ms = std::min(ms, 30.0);
  } else {
    shapes = {{"64^3", false, false, 64, 64, 64},
              {"128^3", false, false, 128, 128, 128},
              {"256^3", false, false, 256, 256, 256},
              {"512^3", false, false, 512, 512, 512},
              {"1024^3", false, false, 1024, 1024, 1024},
              {"2048^3", false, false, 2048, 2048, 2048},
              {"(128,784,128) X.W", false, false, 128, 128, 784},
              {"(128,128,64) X.W", false, false, 128, 64, 128},
              {"(128,64,10) X.W", false, false, 128, 10, 64},
              {"(784,128,128) X^T.dY", true, false, 784, 128, 128},
              {"(128,128,64) X^T.dY", true, false, 128, 64, 128},
              {"(64,128,10) X^T.dY", true, false, 64, 10, 128},
              {"(128,64,128) dY.W^T", false, true, 128, 128, 64},
              {"(128,10,64) dY.W^T", false, true, 128, 64, 10}};
  }
  for (simdnet::Isa isa : simdnet::available_isas()) {
    if (!only.empty() && only != simdnet::isa_name(isa)) continue;
    simdnet::set_isa(isa);
    const double peak1 = simdnet::fma_peak(200, 1), peak2 = simdnet::fma_peak(200, 2);
    const auto& kern = simdnet::gemm_kernels();
    std::printf("ISA %s (tile %zux%zu), FMA peak: %.1f GFLOP/s 1 thread, %.1f 2 threads\n", simdnet::isa_name(isa),
                kern.mr, kern.nr, peak1, peak2);
    std::printf("%-24s %10s %7s %10s %7s\n", "shape (M,K,N)", "1 thread", "%peak", "2 threads", "%peak");
    for (const Shape& s : shapes) {
      if (!g_shape.empty() && std::string(s.name).find(g_shape) == std::string::npos) continue;
      if (isa == simdnet::Isa::scalar && s.m * s.n * s.k > (size_t(1) << 27)) {
        std::printf("%-24s %10s\n", s.name, "skipped (scalar, too slow)");
        continue;
      }
      const double g1 = bench(s, 1, ms), g2 = bench(s, 2, ms);
      std::printf("%-24s %10.1f %6.0f%% %10.1f %6.0f%%\n", s.name, g1, 100 * g1 / peak1, g2, 100 * g2 / peak2);
    }
  }
  return 0;
}
