// Optimizer steps: PyTorch fixtures (test/fixtures/optim-*.json from tools/gen-torch-fixtures.py), hand-computed
// values, and every ISA against the scalar table at the tile-edge sizes.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "check.h"
#include "kernels/optim/optim.h"

using namespace simdnet;

namespace {

// --- just enough JSON for the fixture files: numbers, booleans and (nested) number arrays under a key ---
std::string fixture_dir() {
  std::string f = __FILE__;  // .../test/native/optim-test.cc
  return f.substr(0, f.rfind('/')) + "/../fixtures/";
}
std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
size_t find_key(const std::string& js, const std::string& key, size_t from = 0) {
  const size_t p = js.find("\"" + key + "\"", from);
  if (p == std::string::npos) {
    std::printf("  fixture key %s missing\n", key.c_str());
    std::abort();
  }
  return js.find(':', p) + 1;
}
double num(const std::string& js, const std::string& key, size_t from = 0) {
  return std::strtod(js.c_str() + find_key(js, key, from), nullptr);
}
bool boolean(const std::string& js, const std::string& key, size_t from = 0) {
  size_t p = find_key(js, key, from);
  while (js[p] == ' ') ++p;
  return js.compare(p, 4, "true") == 0;
}
// Flat list of every number inside the array value of `key` (nested arrays concatenated).
std::vector<float> floats(const std::string& js, const std::string& key, size_t from = 0) {
  size_t p = js.find('[', find_key(js, key, from));
  int depth = 0;
  std::vector<float> out;
  for (; p < js.size(); ++p) {
    const char c = js[p];
    if (c == '[') ++depth;
    else if (c == ']') {
      if (--depth == 0) break;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      char* end;
      out.push_back(static_cast<float>(std::strtod(js.c_str() + p, &end)));
      p = static_cast<size_t>(end - js.c_str()) - 1;
    }
  }
  return out;
}

std::vector<float> randv(size_t n, unsigned seed, float scale, float offset = 0.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = offset + scale * d(rng);
  return v;
}

// One fixture: replays its steps through the dispatched kernel and compares the weights after every step.
void replay(const std::string& name) {
  const std::string js = slurp(fixture_dir() + "optim-" + name + ".json");
  EXPECT(!js.empty());
  if (js.empty()) return;
  const size_t n = static_cast<size_t>(num(js, "n")), steps = static_cast<size_t>(num(js, "steps"));
  std::vector<float> w = floats(js, "w0"), grads = floats(js, "grads"), expected = floats(js, "expected");
  EXPECT(w.size() == n && grads.size() == n * steps && expected.size() == n * steps);
  std::vector<float> s1(n, 0.0f), s2(n, 0.0f), s3(n, 0.0f);
  const size_t h = js.find("\"hyper\"");
  const std::string kernel = js.substr(find_key(js, "kernel") + 2, js.find('"', find_key(js, "kernel") + 2) - find_key(js, "kernel") - 2);
  const float lr = num(js, "lr", h);
  for (size_t t = 1; t <= steps; ++t) {
    const float* g = grads.data() + (t - 1) * n;
    if (kernel == "sgd") {
      optim().sgd(n, lr, num(js, "wd", h), w.data(), g);
    } else if (kernel == "momentum") {
      optim().momentum(n, lr, num(js, "mu", h), num(js, "dampening", h), num(js, "wd", h), boolean(js, "nesterov", h),
                       t == 1, w.data(), g, s1.data());
    } else if (kernel == "adagrad") {
      if (t == 1) std::fill(s1.begin(), s1.end(), static_cast<float>(num(js, "initial", h)));
      optim().adagrad(n, lr, num(js, "eps", h), num(js, "wd", h), w.data(), g, s1.data());
    } else if (kernel == "rmsprop") {
      const float mom = num(js, "momentum", h);
      const bool centered = boolean(js, "centered", h);
      optim().rmsprop(n, lr, num(js, "rho", h), num(js, "eps", h), num(js, "wd", h), mom, centered, w.data(), g,
                      s1.data(), centered ? s2.data() : nullptr, mom > 0 ? s3.data() : nullptr);
    } else if (kernel == "adam") {
      AdamArgs a;
      a.lr = lr;
      a.beta1 = num(js, "beta1", h);
      a.beta2 = num(js, "beta2", h);
      a.eps = num(js, "eps", h);
      a.weight_decay = num(js, "weightDecay", h);
      a.amsgrad = boolean(js, "amsgrad", h);
      a.decoupled = boolean(js, "decoupled", h);
      // Bias corrections from the double betas, as PyTorch (and the engine) computes them.
      a.bc1 = static_cast<float>(1.0 - std::pow(a.beta1, static_cast<double>(t)));
      a.bc2 = static_cast<float>(1.0 - std::pow(a.beta2, static_cast<double>(t)));
      optim().adam(n, a, w.data(), g, s1.data(), s2.data(), a.amsgrad ? s3.data() : nullptr);
    } else {
      std::printf("  unknown kernel %s\n", kernel.c_str());
      EXPECT(false);
      return;
    }
    // PyTorch runs the same float32 recurrences with a different operation order (and no FMA): a few ulps per step.
    EXPECT_CLOSE_ARRAY(w.data(), expected.data() + (t - 1) * n, n, 2e-6, 2e-5, name + " step " + std::to_string(t));
  }
}

}  // namespace

TEST(torch_fixtures) {
  for (const char* name : {"sgd", "sgd-wd", "momentum", "momentum-dampening-wd", "nesterov", "adagrad",
                           "adagrad-init-wd", "rmsprop", "rmsprop-centered", "rmsprop-momentum-wd",
                           "rmsprop-centered-momentum", "adam", "adam-amsgrad-wd", "adamw", "adamw-amsgrad"})
    replay(name);
}

TEST(penalty_and_clip_fixtures) {
  const std::string js = slurp(fixture_dir() + "penalty.json");
  const size_t n = static_cast<size_t>(num(js, "n"));
  const std::vector<float> w = floats(js, "w"), g0 = floats(js, "g0");
  size_t at = js.find("\"cases\"");
  for (int c = 0; c < 3; ++c) {
    at = js.find("\"l1\"", at + 1);
    const float l1 = num(js, "l1", at), l2 = num(js, "l2", at);
    const std::vector<float> grad = floats(js, "grad", at);
    std::vector<float> g = g0, want(n);
    for (size_t i = 0; i < n; ++i) want[i] = g0[i] + grad[i];
    optim().add_penalty_grad(n, l1, l2, w.data(), g.data());
    EXPECT_CLOSE_ARRAY(g.data(), want.data(), n, 1e-7, 1e-6, "penalty grad");
    const double v = optim().penalty_value(n, l1, l2, w.data()), vw = num(js, "value", at);
    EXPECT(std::fabs(v - vw) <= 1e-6 * std::fabs(vw));
  }
  const std::string cj = slurp(fixture_dir() + "clip.json");
  std::vector<float> g = floats(cj, "g"), clipped = floats(cj, "clipped");
  optim().clip_value(g.size(), num(cj, "clipValue"), g.data());
  EXPECT_CLOSE_ARRAY(g.data(), clipped.data(), g.size(), 0.0, 0.0, "clip value");
}

// Small cases worked out by hand (the formulas of optim.h).
TEST(hand_computed) {
  {  // sgd: 1 - 0.1*(0.5 + 0.1*1) = 0.94
    float w = 1.0f, g = 0.5f;
    optim().sgd(1, 0.1f, 0.1f, &w, &g);
    EXPECT(std::fabs(w - 0.94f) < 1e-7f);
  }
  {  // momentum mu=.9, lr=.1, g = 1 twice: b1 = 1 (first step, no dampening), w = -0.1; b2 = 1.9, w = -0.29.
    // nesterov: step 1 upd = 1 + .9*1 = 1.9 -> w = -0.19
    float w = 0.0f, g = 1.0f, b = 123.0f;  // first_step ignores the old buffer
    optim().momentum(1, 0.1f, 0.9f, 0.5f, 0.0f, false, true, &w, &g, &b);
    EXPECT(b == 1.0f && std::fabs(w + 0.1f) < 1e-7f);
    optim().momentum(1, 0.1f, 0.9f, 0.0f, 0.0f, false, false, &w, &g, &b);
    EXPECT(std::fabs(b - 1.9f) < 1e-6f && std::fabs(w + 0.29f) < 1e-6f);
    float wn = 0.0f, bn = 0.0f;
    optim().momentum(1, 0.1f, 0.9f, 0.0f, 0.0f, true, true, &wn, &g, &bn);
    EXPECT(std::fabs(wn + 0.19f) < 1e-6f);
  }
  {  // adam step 1 with bias correction: m/bc1 = g, v/bc2 = g^2 -> w -= lr * g/(|g| + eps) ~ lr * sign(g)
    AdamArgs a{0.01f, 0.9f, 0.999f, 1e-8f, 0.0f, 1.0f - 0.9f, 1.0f - 0.999f, false, false};
    std::vector<float> w(19, 1.0f), g(19, -3.0f), m(19, 0.0f), v(19, 0.0f);
    optim().adam(19, a, w.data(), g.data(), m.data(), v.data(), nullptr);
    for (float x : w) EXPECT(std::fabs(x - 1.01f) < 1e-6f);
    // adamw with wd = 0.5: w *= 1 - 0.01*0.5 first -> 0.995 - 0.01*sign(g)
    a.decoupled = true;
    a.weight_decay = 0.5f;
    std::fill(w.begin(), w.end(), 1.0f);
    std::fill(m.begin(), m.end(), 0.0f);
    std::fill(v.begin(), v.end(), 0.0f);
    optim().adam(19, a, w.data(), g.data(), m.data(), v.data(), nullptr);
    for (float x : w) EXPECT(std::fabs(x - 1.005f) < 1e-6f);
  }
  {  // amsgrad where the running max matters: vmax = 100 > v = 0.001 -> den = 10, w -= 0.01 * 0.1 / 10 = 1e-4.
     // A NaN on either side propagates into vmax (torch.maximum), in the SIMD body (i < 16) and the tail.
    AdamArgs a{0.01f, 0.9, 0.999, 0.0f, 0.0f, 1.0f, 1.0f, true, false};
    std::vector<float> w(19, 1.0f), g(19, 1.0f), m(19, 0.0f), v(19, 0.0f), vmax(19, 100.0f);
    g[3] = g[17] = NAN;
    vmax[5] = vmax[18] = NAN;
    optim().adam(19, a, w.data(), g.data(), m.data(), v.data(), vmax.data());
    for (size_t i = 0; i < 19; ++i) {
      const bool nan = i == 3 || i == 17 || i == 5 || i == 18;
      EXPECT(nan ? std::isnan(vmax[i]) : vmax[i] == 100.0f);
      EXPECT(nan ? std::isnan(w[i]) : std::fabs(w[i] - (1.0f - 1e-4f)) < 1e-7f);
    }
  }
  {  // adagrad: s = 4, w = 1 - 0.1 * 2 / 2 = 0.9
    float w = 1.0f, g = 2.0f, s = 0.0f;
    optim().adagrad(1, 0.1f, 0.0f, 0.0f, &w, &g, &s);
    EXPECT(s == 4.0f && std::fabs(w - 0.9f) < 1e-7f);
  }
  {  // rmsprop rho .9: v = .1*4 = .4, w = 1 - .01 * 2/sqrt(.4); centered: a = .2, var = .4 - .04 = .36 -> 2/.6
    float w = 1.0f, g = 2.0f, v = 0.0f, a = 0.0f;
    optim().rmsprop(1, 0.01f, 0.9f, 0.0f, 0.0f, 0.0f, false, &w, &g, &v, nullptr, nullptr);
    EXPECT(std::fabs(w - (1.0f - 0.01f * 2.0f / std::sqrt(0.4f))) < 1e-6f);
    w = 1.0f;
    v = 0.0f;
    optim().rmsprop(1, 0.01f, 0.9f, 0.0f, 0.0f, 0.0f, true, &w, &g, &v, &a, nullptr);
    EXPECT(std::fabs(a - 0.2f) < 1e-7f && std::fabs(w - (1.0f - 0.01f * 2.0f / 0.6f)) < 1e-6f);
  }
  {  // penalties: g += .1*sign(w) + 2*.5*w
    float w[3] = {-2.0f, 0.0f, 3.0f}, g[3] = {0.0f, 1.0f, 0.0f};
    optim().add_penalty_grad(3, 0.1f, 0.5f, w, g);
    EXPECT(std::fabs(g[0] + 2.1f) < 1e-6f && g[1] == 1.0f && std::fabs(g[2] - 3.1f) < 1e-6f);
    EXPECT(std::fabs(optim().penalty_value(3, 0.1f, 0.5f, w) - (0.5 + 6.5)) < 1e-6);
  }
  {  // clip keeps NaN, clamps infinities
    float g[9] = {NAN, INFINITY, -INFINITY, 0.5f, -0.5f, 2.0f, -2.0f, 1.0f, NAN};
    optim().clip_value(9, 1.0f, g);
    EXPECT(std::isnan(g[0]) && g[1] == 1.0f && g[2] == -1.0f && g[3] == 0.5f && g[5] == 1.0f && g[6] == -1.0f);
    EXPECT(std::isnan(g[8]));
    optim().scale_inplace(8, 0.5f, g + 1);
    EXPECT(g[1] == 0.5f && g[4] == -0.25f);
  }
}

// Every ISA against scalar at the tile edges (4 = NEON, 8 = AVX2, 16 = AVX-512 width), with views at odd offsets.
TEST(isa_matches_scalar) {
  const OptimKernels& k = optim();
  const OptimKernels& s = scalar::optim_kernels;
  for (size_t n : {1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 101}) {
    const std::string ctx = "n=" + std::to_string(n);
    for (int variant = 0; variant < 4; ++variant) {
      // +1: element 0 is skipped so the data are 4-byte but not 32-byte aligned
      auto w = randv(n + 1, 1 + variant, 1.0f), g = randv(n + 1, 2 + variant, 0.5f);
      auto w2 = w;
      const bool flag = variant & 1, flag2 = variant & 2;
      // Fresh, valid state per optimizer: positive second moments, small first moments.
      std::vector<float> st1, st2, st3, a1, a2, a3;
      auto fresh = [&]() {
        st1 = randv(n + 1, 3, 0.5f, 0.6f);
        st2 = randv(n + 1, 4, 0.05f, 0.05f);
        st3 = randv(n + 1, 5, 0.2f);
        a1 = st1, a2 = st2, a3 = st3;
      };
      auto same_state = [&](const char* op) {
        EXPECT_CLOSE_ARRAY(w.data(), w2.data(), n + 1, 1e-6, 1e-5, ctx + " weights after " + op);
        EXPECT_CLOSE_ARRAY(st1.data(), a1.data(), n + 1, 1e-6, 1e-5, ctx + " state1 after " + op);
        EXPECT_CLOSE_ARRAY(st2.data(), a2.data(), n + 1, 1e-6, 1e-5, ctx + " state2 after " + op);
        EXPECT_CLOSE_ARRAY(st3.data(), a3.data(), n + 1, 1e-6, 1e-5, ctx + " state3 after " + op);
      };
      k.sgd(n, 0.1f, flag ? 0.01f : 0.0f, w.data() + 1, g.data() + 1);
      s.sgd(n, 0.1f, flag ? 0.01f : 0.0f, w2.data() + 1, g.data() + 1);
      fresh();
      k.momentum(n, 0.1f, 0.9f, flag ? 0.1f : 0.0f, 0.01f, flag2, false, w.data() + 1, g.data() + 1, st1.data() + 1);
      s.momentum(n, 0.1f, 0.9f, flag ? 0.1f : 0.0f, 0.01f, flag2, false, w2.data() + 1, g.data() + 1, a1.data() + 1);
      same_state("momentum");
      fresh();
      k.adagrad(n, 0.1f, 1e-7f, 0.01f, w.data() + 1, g.data() + 1, st1.data() + 1);
      s.adagrad(n, 0.1f, 1e-7f, 0.01f, w2.data() + 1, g.data() + 1, a1.data() + 1);
      same_state("adagrad");
      fresh();
      k.rmsprop(n, 0.01f, 0.9f, 1e-7f, 0.01f, flag ? 0.5f : 0.0f, flag2, w.data() + 1, g.data() + 1, st1.data() + 1,
                st2.data() + 1, st3.data() + 1);
      s.rmsprop(n, 0.01f, 0.9f, 1e-7f, 0.01f, flag ? 0.5f : 0.0f, flag2, w2.data() + 1, g.data() + 1, a1.data() + 1,
                a2.data() + 1, a3.data() + 1);
      same_state("rmsprop");
      fresh();
      AdamArgs ad{0.01f, 0.9f, 0.999f, 1e-8f, 0.02f, 0.19f, 0.002f, flag, flag2};
      k.adam(n, ad, w.data() + 1, g.data() + 1, st3.data() + 1, st2.data() + 1, st1.data() + 1);
      s.adam(n, ad, w2.data() + 1, g.data() + 1, a3.data() + 1, a2.data() + 1, a1.data() + 1);
      same_state("adam");
      k.add_penalty_grad(n, 0.01f, 0.02f, w.data() + 1, g.data() + 1);
      auto gs = randv(n + 1, 2 + variant, 0.5f);
      s.add_penalty_grad(n, 0.01f, 0.02f, w2.data() + 1, gs.data() + 1);
      const double pk = k.penalty_value(n, 0.3f, 0.7f, w.data() + 1), ps = s.penalty_value(n, 0.3f, 0.7f, w2.data() + 1);
      if (!(std::fabs(pk - ps) <= 1e-5 * std::fabs(ps) + 1e-9)) std::printf("  penalty %s: %.17g vs %.17g\n", ctx.c_str(), pk, ps);
      EXPECT(std::fabs(pk - ps) <= 1e-5 * std::fabs(ps) + 1e-9);
      k.clip_value(n, 0.3f, g.data() + 1);
      s.clip_value(n, 0.3f, gs.data() + 1);
      k.scale_inplace(n, 0.7f, g.data() + 1);
      s.scale_inplace(n, 0.7f, gs.data() + 1);
      EXPECT_CLOSE_ARRAY(g.data(), gs.data(), n + 1, 1e-6, 1e-5, ctx + " clipped grads");
    }
  }
}

CHECK_MAIN()
