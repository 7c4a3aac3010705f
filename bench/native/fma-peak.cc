// The FMA peak of one ISA on this CPU, independent of simdnet's dispatch: the ceiling the suite's GEMM percentages
// are taken against (bench/suite/fma-peak.mjs compiles this with the system C++ compiler and runs it). simdnet's own
// fmaPeak() runs the chains of the GEMM table its ISA selects, which need not be the widest ISA's (an avx512 tier
// that still runs AVX2 GEMM code would report the AVX2 peak); this probe names its ISA and runs it.
// Usage: fma-peak <avx512|avx2> <threads> <ms>; prints {"isa":..,"threads":..,"gflops":..} (the sum over threads of
// each thread's best ~1-2 ms window, so time descheduled on a shared machine does not count), or exits 2 when the CPU
// lacks the ISA. Independent chains: 16 zmm accumulators (AVX-512 has 32 registers), 12 ymm (AVX2 has 16), more than
// FMA latency x FMA ports on current cores (4 x 2).
#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

namespace {

__attribute__((target("avx512f"))) float burn_avx512(long iters) {
  __m512 acc[16];
  for (int i = 0; i < 16; ++i) acc[i] = _mm512_set1_ps(1.0f + 1e-3f * static_cast<float>(i));
  const __m512 m = _mm512_set1_ps(0.999999f);
  const __m512 c = _mm512_set1_ps(1e-7f);
  for (long n = 0; n < iters; ++n) {
#pragma GCC unroll 16
    for (int i = 0; i < 16; ++i) acc[i] = _mm512_fmadd_ps(acc[i], m, c);
  }
  __m512 s = acc[0];
  for (int i = 1; i < 16; ++i) s = _mm512_add_ps(s, acc[i]);
  return _mm512_reduce_add_ps(s);
}

__attribute__((target("avx2,fma"))) float burn_avx2(long iters) {
  __m256 acc[12];
  for (int i = 0; i < 12; ++i) acc[i] = _mm256_set1_ps(1.0f + 1e-3f * static_cast<float>(i));
  const __m256 m = _mm256_set1_ps(0.999999f);
  const __m256 c = _mm256_set1_ps(1e-7f);
  for (long n = 0; n < iters; ++n) {
#pragma GCC unroll 12
    for (int i = 0; i < 12; ++i) acc[i] = _mm256_fmadd_ps(acc[i], m, c);
  }
  __m256 s = acc[0];
  for (int i = 1; i < 12; ++i) s = _mm256_add_ps(s, acc[i]);
  alignas(32) float out[8];
  _mm256_store_ps(out, s);
  float t = 0.0f;
  for (float v : out) t += v;
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: fma-peak <avx512|avx2> <threads> <ms>\n");
    return 1;
  }
  const bool wide = std::strcmp(argv[1], "avx512") == 0;
  if (!wide && std::strcmp(argv[1], "avx2") != 0) {
    std::fprintf(stderr, "fma-peak: unknown ISA %s (avx512 or avx2)\n", argv[1]);
    return 1;
  }
  __builtin_cpu_init();
  if (wide ? !__builtin_cpu_supports("avx512f") : !(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))) {
    std::fprintf(stderr, "fma-peak: this CPU lacks %s\n", argv[1]);
    return 2;
  }
  const int threads = std::max(1, std::atoi(argv[2]));
  const double ms = std::max(1.0, std::atof(argv[3]));
  const double flops_per_iter = wide ? 16.0 * 16 * 2 : 12.0 * 8 * 2;
  std::atomic<double> total{0.0};
  std::atomic<unsigned> sink{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      using clock = std::chrono::steady_clock;
      const auto start = clock::now();
      long chunk = 1000;
      double best = 0.0;
      float s = 0.0f;
      do {
        const auto w0 = clock::now();
        s += wide ? burn_avx512(chunk) : burn_avx2(chunk);
        const double dt = std::chrono::duration<double>(clock::now() - w0).count();
        best = std::max(best, static_cast<double>(chunk) * flops_per_iter / dt);
        if (dt < 1e-3) chunk *= 2;  // grow until a window lasts ~1-2 ms
      } while (std::chrono::duration<double, std::milli>(clock::now() - start).count() < ms);
      double cur = total.load();
      while (!total.compare_exchange_weak(cur, cur + best)) {
      }
      sink += static_cast<unsigned>(s != s);  // keeps the chains alive
    });
  }
  for (auto& th : pool) th.join();
  std::printf("{\"isa\":\"%s\",\"threads\":%d,\"gflops\":%.3f,\"sink\":%u}\n", argv[1], threads, total.load() / 1e9, sink.load());
  return 0;
}
