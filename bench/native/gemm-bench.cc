// GEMM throughput per ISA (every supported one), 1 and 2 threads, GFLOP/s = 2mnk / time, with the measured FMA
// peak of every ISA; the % columns are of the widest one's.
// Usage: gemm-bench [--quick] [--isa=avx2] [--ms=300] [--cpu-time | --process-time] [--shape=substring]
//                   [--mnk=m,n,k[,ta,tb]]
//                   [--no-openblas] [--variants [--blocking=mc,kc,nc]]
// --variants runs every AVX-512 tile of kernels/gemm/avx512.cc (gemm_kernel_variants) instead of one row per ISA.
// The % columns are of the widest ISA's measured FMA peak (AVX-512 where the CPU has it).
// Each figure is the fastest single call over about ms milliseconds (best-of, because the machine is shared).
// Where OpenBLAS is installed (Debian's libopenblas0-pthread: the baseline of ../shared/BASELINES.md) its cblas_sgemm
// is timed the same way on the same buffers, in the same run, so that the ratio compares like with like; it is
// loaded with dlopen, so the benchmark neither links nor needs it.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <dlfcn.h>
#include <string>
#include <vector>

#include "dispatch/isa.h"
#include "kernels/gemm/gemm.h"
#include "simd/arch.h"

namespace {

struct Shape {
  const char* name;
  bool ta, tb;
  size_t m, n, k;
};

bool g_cpu_time = false;
bool g_process_time = false;  // --process-time
std::string g_shape;  // run only shapes whose name contains this
std::string g_mnk;    // one custom shape: "m,n,k[,ta,tb]"

// Wall time, or with --cpu-time this thread's CPU time (1-thread figures that ignore time spent descheduled while
// other processes run; not meaningful for 2 threads, whose worker time it does not see), or with --process-time the
// CPU time of all the process's threads, which bench() turns into "GFLOP/s if every thread had a core": 2mnk x
// threads / CPU time. On a host too busy for wall-clock 2-thread figures this still shows what a second thread
// costs (imbalance, duplicated packing, waiting at the join; a worker spinning between calls counts against it).
// Linux adds a running thread's pending CPU time to the process clock only at ticks and switches, so short calls
// read too fast (a (128,784,128) run printed 3.5x): use it for calls of 100 ms or more (2048^3).
double now_s() {
  if (g_cpu_time || g_process_time) {
    timespec ts;
    clock_gettime(g_process_time ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// cblas_sgemm and openblas_set_num_threads from libopenblas.so.0, when it can be loaded.
struct OpenBlas {
  using Sgemm = void (*)(int order, int trans_a, int trans_b, int m, int n, int k, float alpha, const float* a,
                         int lda, const float* b, int ldb, float beta, float* c, int ldc);
  Sgemm sgemm = nullptr;
  void (*set_threads)(int) = nullptr;
  const char* (*config)() = nullptr;
};

OpenBlas load_openblas() {
  OpenBlas ob;
  void* h = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL);
  if (!h) return ob;
  ob.sgemm = reinterpret_cast<OpenBlas::Sgemm>(dlsym(h, "cblas_sgemm"));
  ob.set_threads = reinterpret_cast<void (*)(int)>(dlsym(h, "openblas_set_num_threads"));
  ob.config = reinterpret_cast<const char* (*)()>(dlsym(h, "openblas_get_config"));
  if (!ob.sgemm || !ob.set_threads) ob = OpenBlas{};
  return ob;
}

const OpenBlas* g_openblas = nullptr;  // set when loaded and not disabled
const simdnet::GemmKernels* g_kern = nullptr;  // --variants: this table instead of the dispatched one

double bench(const Shape& s, size_t threads, double ms, bool openblas = false) {
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
  const auto call = [&] {
    if (openblas) {
      // CblasRowMajor = 101, CblasNoTrans = 111, CblasTrans = 112
      g_openblas->sgemm(101, s.ta ? 112 : 111, s.tb ? 112 : 111, int(s.m), int(s.n), int(s.k), 1.0f, g.a,
                        int(g.lda), g.b, int(g.ldb), 0.0f, g.c, int(g.ldc));
    } else if (g_kern) {
      simdnet::gemm_run(*g_kern, g, threads);
    } else {
      simdnet::gemm(g, threads);
    }
  };
  if (openblas) g_openblas->set_threads(int(threads));
  call();  // warm-up: workspaces, pool threads, caches
  // Fastest single call over about `ms` (at least 5 calls): on a shared machine the minimum filters out the calls
  // that another process preempted, which is what makes figures comparable from run to run.
  double best_dt = 1e30;
  const double end = now_s() + ms / 1e3;
  for (int calls = 0; calls < 5 || now_s() < end; ++calls) {
    const double t0 = now_s();
    call();
    best_dt = std::min(best_dt, now_s() - t0);
    if (calls > 100000) break;
  }
  return flops / best_dt / 1e9 * (g_process_time ? static_cast<double>(threads) : 1.0);
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false, no_openblas = false, variants = false;
  std::string blocking;  // --variants --blocking=mc,kc,nc: try another cache blocking (0 = the table's)
  double ms = 300;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--quick")) quick = true;
    else if (!std::strncmp(argv[i], "--isa=", 6)) only = argv[i] + 6;
    else if (!std::strncmp(argv[i], "--ms=", 5)) ms = std::atof(argv[i] + 5);
    else if (!std::strcmp(argv[i], "--cpu-time")) g_cpu_time = true;
    else if (!std::strcmp(argv[i], "--process-time")) g_process_time = true;
    else if (!std::strncmp(argv[i], "--shape=", 8)) g_shape = argv[i] + 8;
    else if (!std::strncmp(argv[i], "--mnk=", 6)) g_mnk = argv[i] + 6;
    else if (!std::strcmp(argv[i], "--no-openblas")) no_openblas = true;
    else if (!std::strcmp(argv[i], "--variants")) variants = true;
    else if (!std::strncmp(argv[i], "--blocking=", 11)) blocking = argv[i] + 11;
  }
  static const OpenBlas ob = load_openblas();
  if (ob.sgemm && !no_openblas) {
    g_openblas = &ob;
    std::printf("OpenBLAS: %s (libopenblas.so.0), timed in the same run\n", ob.config ? ob.config() : "loaded");
  } else if (!no_openblas) {
    std::printf("OpenBLAS: not installed (libopenblas.so.0 not found): no baseline columns\n");
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
              {"512^3 A^T.B", true, false, 512, 512, 512},
              {"1024^3 A^T.B", true, false, 1024, 1024, 1024},
              {"1024^3 A.B^T", false, true, 1024, 1024, 1024},
              {"(128,784,128) X.W", false, false, 128, 128, 784},
              {"(128,128,64) X.W", false, false, 128, 64, 128},
              {"(128,64,10) X.W", false, false, 128, 10, 64},
              {"(784,128,128) X^T.dY", true, false, 784, 128, 128},
              {"(128,128,64) X^T.dY", true, false, 128, 64, 128},
              {"(64,128,10) X^T.dY", true, false, 64, 10, 128},
              {"(128,64,128) dY.W^T", false, true, 128, 128, 64},
              {"(128,10,64) dY.W^T", false, true, 128, 64, 10}};
  }
  if (!g_mnk.empty()) {
    static std::string name;
    unsigned long m = 0, n = 0, k = 0;
    int ta = 0, tb = 0;
    if (std::sscanf(g_mnk.c_str(), "%lu,%lu,%lu,%d,%d", &m, &n, &k, &ta, &tb) < 3 || !m || !n || !k) {
      std::fprintf(stderr, "--mnk expects m,n,k[,transA,transB]\n");
      return 2;
    }
    name = "m,n,k=" + g_mnk;
    shapes = {{name.c_str(), ta != 0, tb != 0, m, n, k}};
  }
  // The % columns divide by the FMA peak of the widest ISA (avx512 where the CPU has it, else avx2 or neon, else
  // scalar; whatever the row's ISA), so that an AVX2 row on an AVX-512 host reads against what the CPU can do. The peak is the best of three at the start and re-measured (50 ms) before every shape, keeping the
  // highest seen, because the cores' speed drifts with what else the host runs and a peak caught in a slow moment
  // would inflate the %: one 2-thread measurement while the host held a core back read 153 GFLOP/s (of ~205).
  const simdnet::Isa start_isa = simdnet::current_isa();
  const simdnet::GemmKernels* widest = nullptr;
  simdnet::Isa widest_isa = simdnet::Isa::scalar;
  double peak1 = 0, peak2 = 0;
  std::string widest_name;
  for (simdnet::Isa isa : simdnet::available_isas()) {
    simdnet::set_isa(isa);
    double p1 = 0, p2 = 0;
    for (int i = 0; i < 3; ++i) {
      p1 = std::max(p1, simdnet::fma_peak(100, 1));
      p2 = std::max(p2, simdnet::fma_peak(100, 2));
    }
    std::printf("FMA peak %-7s %7.1f GFLOP/s 1 thread, %7.1f 2 threads\n", simdnet::isa_name(isa), p1, p2);
    const auto width = [](simdnet::Isa i) { return i == simdnet::Isa::avx512 ? 3 : i == simdnet::Isa::scalar ? 1 : 2; };
    if (widest == nullptr || width(isa) > width(widest_isa)) {
      widest_isa = isa;
      peak1 = p1, peak2 = p2;
      widest = &simdnet::gemm_kernels();
      widest_name = simdnet::isa_name(isa);
    }
  }
  simdnet::set_isa(start_isa);
  std::printf("%% of peak: of %s's (the widest ISA's)\n", widest_name.c_str());
  const auto run_rows = [&](const char* label, bool with_ob) {
    std::printf("%-24s %10s %7s %10s %7s", label, "1 thread", "%peak", "2 threads", "%peak");
    if (with_ob) std::printf(" %10s %10s %6s %6s", "OpenBLAS 1t", "2t", "x 1t", "x best");
    std::printf("\n");
    for (const Shape& s : shapes) {
      if (!g_shape.empty() && std::string(s.name).find(g_shape) == std::string::npos) continue;
      if (simdnet::current_isa() == simdnet::Isa::scalar && s.m * s.n * s.k > (size_t(1) << 27)) {
        std::printf("%-24s %10s\n", s.name, "skipped (scalar, too slow)");
        continue;
      }
      peak1 = std::max(peak1, simdnet::fma_peak_run(*widest, 50, 1));
      peak2 = std::max(peak2, simdnet::fma_peak_run(*widest, 50, 2));
      const double g1 = bench(s, 1, ms), g2 = bench(s, 2, ms);
      std::printf("%-24s %10.1f %6.0f%% %10.1f %6.0f%%", s.name, g1, 100 * g1 / peak1, g2, 100 * g2 / peak2);
      if (with_ob) {
        // x 1t: same thread count; x best: simdnet's faster setting over OpenBLAS's faster setting
        const double o1 = bench(s, 1, ms, true), o2 = bench(s, 2, ms, true);
        std::printf(" %10.1f %10.1f %5.2fx %5.2fx", o1, o2, g1 / o1, std::max(g1, g2) / std::max(o1, o2));
      }
      std::printf("  2t/1t %.2fx\n", g2 / g1);
    }
  };
  if (variants) {
    // Every AVX-512 tile of kernels/gemm/avx512.cc through the same driver: how gemm_kernels was chosen.
#if SIMDNET_X86
    if (!simdnet::isa_supported(simdnet::Isa::avx512)) {
      std::printf("--variants: avx512 not available on this CPU\n");
      return 0;
    }
    simdnet::set_isa(simdnet::Isa::avx512);
    for (size_t v = 0; v < simdnet::avx512::gemm_kernel_variant_count; ++v) {
      simdnet::GemmKernels kern = *simdnet::avx512::gemm_kernel_variants[v].kernels;
      unsigned long mc = 0, kc = 0, nc = 0;
      if (!blocking.empty() && std::sscanf(blocking.c_str(), "%lu,%lu,%lu", &mc, &kc, &nc) >= 1) {
        if (mc) kern.mc = mc / kern.mr * kern.mr;
        if (kc) kern.kc = kc;
        if (nc) kern.nc = nc / kern.nr * kern.nr;
      }
      g_kern = &kern;
      std::printf("avx512 tile %s%s, MC %zu KC %zu NC %zu (0: driver default)\n",
                  simdnet::avx512::gemm_kernel_variants[v].name, v == 0 ? " (in use)" : "", kern.mc, kern.kc, kern.nc);
      run_rows("shape (M,K,N)", false);
    }
    g_kern = nullptr;
#else
    std::printf("--variants: the AVX-512 tiles exist on x86-64 only\n");
    return 0;
#endif
  } else {
    for (simdnet::Isa isa : simdnet::available_isas()) {
      if (!only.empty() && only != simdnet::isa_name(isa)) continue;
      simdnet::set_isa(isa);
      const auto& kern = simdnet::gemm_kernels();
      std::printf("ISA %s (tile %zux%zu)\n", simdnet::isa_name(isa), kern.mr, kern.nr);
      run_rows("shape (M,K,N)", g_openblas && isa != simdnet::Isa::scalar);
    }
  }
  std::printf("highest FMA peak seen (the %% columns' denominator, %s): %.1f GFLOP/s 1 thread, %.1f 2 threads\n",
              widest_name.c_str(), peak1, peak2);
  return 0;
}
