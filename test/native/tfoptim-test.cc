// tfjs-semantics optimizer steps on every ISA against tfjs's op chain transcribed in double-then-float (each tfjs op
// computes in double and stores float32, exactly what tfjs-backend-cpu does), over sizes around the vector widths:
// Adagrad and RMSProp (plain, with momentum, centered with tfjs's subtracted epsilon), several steps chained, in
// place (outputs aliasing inputs) and out of place, guard values past n.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "check.h"
#include "kernels/tfoptim/tfoptim.h"

// No FP contraction here either (see tfoptim-simd.inc): on AArch64 every build has FMA, and GCC would fuse a multiply
// feeding an add even across statements.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("fp-contract=off")
#endif

namespace {

const size_t kSizes[] = {0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 100};

uint32_t lcg(uint32_t* s) { return *s = *s * 1664525u + 1013904223u; }
std::vector<float> random_vec(size_t n, uint32_t seed, float lo, float hi) {
  std::vector<float> v(n + 1);
  for (auto& x : v) x = lo + (hi - lo) * static_cast<float>(lcg(&seed) >> 8) * (1.0f / 16777216.0f);
  v[n] = 777.0f;  // guard
  return v;
}
float f(double d) { return static_cast<float>(d); }

}  // namespace

TEST(adagrad_three_steps) {
  for (size_t n : kSizes)
    for (bool in_place : {false, true}) {
      auto w = random_vec(n, 1, -1, 1), acc = random_vec(n, 2, 0.1f, 0.1f);
      std::vector<float> rw(w), ra(acc), wo(n + 1, 777.0f), ao(n + 1, 777.0f);
      const float lr = 0.05f, eps = 1e-7f;
      for (int step = 0; step < 3; ++step) {
        const auto g = random_vec(n, 10 + step, -2, 2);
        for (size_t i = 0; i < n; ++i) {
          ra[i] = f(double(ra[i]) + double(f(double(g[i]) * g[i])));
          const float den = f(std::sqrt(double(f(double(ra[i]) + eps))));
          rw[i] = f(double(f(double(f(double(g[i]) / den)) * -lr)) + rw[i]);
        }
        if (in_place) {
          simdnet::tfoptim().adagrad(n, lr, eps, w.data(), g.data(), acc.data(), w.data(), acc.data());
        } else {
          simdnet::tfoptim().adagrad(n, lr, eps, w.data(), g.data(), acc.data(), wo.data(), ao.data());
          for (size_t i = 0; i < n; ++i) { w[i] = wo[i]; acc[i] = ao[i]; }
          EXPECT(wo[n] == 777.0f && ao[n] == 777.0f);
        }
      }
      EXPECT_CLOSE_ARRAY(w, rw, n, 0.0, 0.0, "adagrad w n=" + std::to_string(n));
      EXPECT_CLOSE_ARRAY(acc, ra, n, 0.0, 0.0, "adagrad acc n=" + std::to_string(n));
      EXPECT(w[n] == 777.0f && acc[n] == 777.0f);
    }
}

TEST(rmsprop_three_steps) {
  for (size_t n : kSizes)
    for (int variant = 0; variant < 3; ++variant) {  // plain, momentum, centered + momentum
      const bool centered = variant == 2;
      simdnet::TfRmspropArgs args{0.01f, 0.9f, f(1.0 - double(0.9f)), variant == 0 ? 0.0f : 0.8f, 1e-7f, centered};
      args.omd = f(1.0 - 0.9);  // tfjs: 1 - this.decay in double, then a float32 scalar
      auto w = random_vec(n, 3, -1, 1), ms = random_vec(n, 4, 0, 0), mg = random_vec(n, 5, 0, 0);
      auto mom = random_vec(n, 6, 0, 0);
      std::vector<float> rw(w), rms(ms), rmg(mg), rmom(mom);
      for (int step = 0; step < 3; ++step) {
        const auto g = random_vec(n, 20 + step, -2, 2);
        for (size_t i = 0; i < n; ++i) {
          const double gi = g[i];
          rms[i] = f(double(f(double(rms[i]) * args.decay)) + double(f(double(f(gi * gi)) * args.omd)));
          const float num = f(gi * args.lr);
          float c;
          if (centered) {
            rmg[i] = f(double(f(double(rmg[i]) * args.decay)) + double(f(gi * args.omd)));
            const float inner = f(double(f(double(rmg[i]) * rmg[i])) + args.eps);
            c = f(num / double(f(std::sqrt(double(f(double(rms[i]) - inner))))));
          } else {
            c = f(num / double(f(std::sqrt(double(f(double(rms[i]) + args.eps))))));
          }
          rmom[i] = f(double(f(double(rmom[i]) * args.momentum)) + c);
          rw[i] = f(double(rw[i]) - rmom[i]);
        }
        simdnet::tfoptim().rmsprop(n, args, w.data(), g.data(), ms.data(), centered ? mg.data() : nullptr,
                                   mom.data(), w.data(), ms.data(), centered ? mg.data() : nullptr, mom.data());
      }
      const std::string ctx = "rmsprop variant " + std::to_string(variant) + " n=" + std::to_string(n);
      EXPECT_CLOSE_ARRAY(w, rw, n, 0.0, 0.0, ctx + " w");
      EXPECT_CLOSE_ARRAY(ms, rms, n, 0.0, 0.0, ctx + " ms");
      EXPECT_CLOSE_ARRAY(mom, rmom, n, 0.0, 0.0, ctx + " mom");
      if (centered) EXPECT_CLOSE_ARRAY(mg, rmg, n, 0.0, 0.0, ctx + " mg");
      EXPECT(w[n] == 777.0f && ms[n] == 777.0f && mom[n] == 777.0f && mg[n] == 777.0f);
    }
}

CHECK_MAIN()
