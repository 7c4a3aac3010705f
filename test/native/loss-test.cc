// Losses and their gradients on every ISA against long-double-free double references written straight from loss.h,
// plus central-difference checks of each gradient (on the double reference loss), extremes and aliasing.
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "check.h"
#include "kernels/loss/loss.h"

namespace {

const size_t kCols[] = {1, 3, 4, 5, 7, 8, 9, 16, 17, 31, 32, 33, 47, 48, 101};
const float kEps = 1e-7f;

uint32_t lcg(uint32_t* s) { return *s = *s * 1664525u + 1013904223u; }
std::vector<float> random_vec(size_t n, uint32_t seed, float lo, float hi) {
  std::vector<float> v(n);
  for (auto& x : v) x = lo + (hi - lo) * static_cast<float>(lcg(&seed) >> 8) * (1.0f / 16777216.0f);
  return v;
}
double clampd(double x, double lo, double hi) { return x < lo ? lo : (x > hi ? hi : x); }

// Double references (loss only; gradients are checked against central differences of these).
using Ref = std::function<double(size_t m, size_t n, const std::vector<double>& in)>;

double ref_mse(size_t m, size_t n, const std::vector<float>& t, const std::vector<double>& p) {
  double s = 0;
  for (size_t i = 0; i < m * n; ++i) s += (p[i] - t[i]) * (p[i] - t[i]);
  return s / double(m * n);
}
double ref_bce_prob(size_t m, size_t n, const std::vector<float>& t, const std::vector<double>& p) {
  double s = 0;
  for (size_t i = 0; i < m * n; ++i) {
    const double pc = clampd(p[i], kEps, double(1.0f - kEps));
    s += t[i] * std::log(pc) + (1 - t[i]) * std::log(1 - pc);
  }
  return -s / double(m * n);
}
double ref_bce_logits(size_t m, size_t n, const std::vector<float>& t, const std::vector<double>& z) {
  double s = 0;
  for (size_t i = 0; i < m * n; ++i) s += std::fmax(z[i], 0.0) - z[i] * t[i] + std::log1p(std::exp(-std::fabs(z[i])));
  return s / double(m * n);
}
double ref_cce_prob(size_t m, size_t n, const std::vector<float>& t, const std::vector<double>& p) {
  double s = 0;
  for (size_t r = 0; r < m; ++r) {
    double sum = 0;
    for (size_t j = 0; j < n; ++j) sum += p[r * n + j];
    for (size_t j = 0; j < n; ++j) s += t[r * n + j] * std::log(clampd(p[r * n + j] / sum, kEps, double(1.0f - kEps)));
  }
  return -s / double(m);
}
double ref_softmax_cce(size_t m, size_t n, double temp, const std::vector<float>& t, const std::vector<double>& z) {
  double s = 0;
  for (size_t r = 0; r < m; ++r) {
    double mx = -INFINITY, se = 0;
    for (size_t j = 0; j < n; ++j) mx = std::fmax(mx, z[r * n + j]);
    for (size_t j = 0; j < n; ++j) se += std::exp((z[r * n + j] - mx) / temp);
    for (size_t j = 0; j < n; ++j) s -= t[r * n + j] * ((z[r * n + j] - mx) / temp - std::log(se));
  }
  return s / double(m);
}

// Element-wise losses (loss.h): per-element loss f(t, p), per-sample mean over n (KLD: sum), weighted sum over the
// batch divided by m. Written from the Keras definitions, independently of scalar.cc.
double ref_elementwise(simdnet::ElemLoss kind, size_t m, size_t n, double c, const std::vector<float>& t,
                       const std::vector<double>& p, const float* w) {
  using simdnet::ElemLoss;
  bool bin = true;
  for (float v : t) bin = bin && (v == 0.0f || v == 1.0f);
  double s = 0;
  for (size_t r = 0; r < m; ++r) {
    double row = 0;
    for (size_t j = 0; j < n; ++j) {
      const double ti = t[r * n + j], pi = p[r * n + j], e = pi - ti, ts = bin ? 2 * ti - 1 : ti;
      switch (kind) {
        case ElemLoss::mae: row += std::fabs(e); break;
        case ElemLoss::huber: row += std::fabs(e) <= c ? 0.5 * e * e : c * std::fabs(e) - 0.5 * c * c; break;
        case ElemLoss::log_cosh: row += std::log(std::cosh(e)); break;
        case ElemLoss::hinge: row += std::fmax(1 - ts * pi, 0.0); break;
        case ElemLoss::squared_hinge: row += std::pow(std::fmax(1 - ts * pi, 0.0), 2); break;
        case ElemLoss::kld: {
          const double tc = clampd(ti, c, 1), pc = clampd(pi, c, 1);
          row += tc * std::log(tc / pc);
          break;
        }
        case ElemLoss::poisson: row += pi - ti * std::log(pi + c); break;
      }
    }
    s += (w ? w[r] : 1.0) * row / (kind == ElemLoss::kld ? 1.0 : double(n));
  }
  return s / double(m);
}

std::vector<double> widen(const std::vector<float>& v) { return std::vector<double>(v.begin(), v.end()); }

// Loss vs reference (rtol) and grad vs central differences of the reference (step h, tolerance atol + rtol).
void check_loss(const char* name, size_t m, size_t n, const std::vector<float>& in,
                const std::function<double(const float*, float*)>& kernel,
                const std::function<double(const std::vector<double>&)>& ref, double h, double gatol) {
  std::vector<float> grad(m * n + 1, 777.0f);
  const double loss = kernel(in.data(), grad.data());
  const double want = ref(widen(in));
  const std::string ctx = std::string(name) + " m=" + std::to_string(m) + " n=" + std::to_string(n);
  if (!check::close(loss, want, 1e-7, 2e-6)) std::printf("    %s loss got %.9g want %.9g\n", ctx.c_str(), loss, want);
  EXPECT(check::close(loss, want, 1e-7, 2e-6));
  EXPECT(grad[m * n] == 777.0f);
  EXPECT(check::close(kernel(in.data(), nullptr), loss, 0, 0));  // grad == nullptr: same loss
  std::vector<double> num(m * n);
  auto x = widen(in);
  for (size_t i = 0; i < m * n; ++i) {
    const double x0 = x[i];
    x[i] = x0 + h;
    const double up = ref(x);
    x[i] = x0 - h;
    const double dn = ref(x);
    x[i] = x0;
    num[i] = (up - dn) / (2 * h);
  }
  EXPECT_CLOSE_ARRAY(grad, num, m * n, gatol, 2e-3, ctx + " grad");
  // In place: grad aliases the input.
  std::vector<float> alias = in;
  const double loss2 = kernel(alias.data(), alias.data());
  EXPECT(check::close(loss2, loss, 0, 0));
  EXPECT_CLOSE_ARRAY(alias, grad, m * n, 0.0, 0.0, ctx + " in place");
}

// Scales each of the m rows of t (n positive values) to sum 1: categorical targets.
void normalize_rows(std::vector<float>& t, size_t m, size_t n) {
  for (size_t r = 0; r < m; ++r) {
    float s = 0;
    for (size_t j = 0; j < n; ++j) s += t[r * n + j];
    for (size_t j = 0; j < n; ++j) t[r * n + j] /= s;
  }
}

}  // namespace

TEST(loss_all_sizes) {
  for (size_t n : kCols)
    for (size_t m : {size_t{1}, size_t{3}}) {
      const uint32_t seed = static_cast<uint32_t>(m * 131 + n);
      const auto& L = simdnet::loss();
      // Targets: soft targets in [0,1] for the binary losses, normalised rows for the categorical ones.
      const auto tb = random_vec(m * n, seed, 0.0f, 1.0f);
      auto tc = random_vec(m * n, seed + 1, 0.0f, 1.0f);
      normalize_rows(tc, m, n);
      const auto p = random_vec(m * n, seed + 2, 0.05f, 0.95f);
      const auto z = random_vec(m * n, seed + 3, -6.0f, 6.0f);
      check_loss("mse", m, n, p, [&](const float* x, float* g) { return L.mse(m, n, tb.data(), x, nullptr, g); },
                 [&](const std::vector<double>& x) { return ref_mse(m, n, tb, x); }, 1e-4, 1e-6);
      check_loss("bce_prob", m, n, p, [&](const float* x, float* g) { return L.bce_prob(m, n, kEps, tb.data(), x, nullptr, g); },
                 [&](const std::vector<double>& x) { return ref_bce_prob(m, n, tb, x); }, 1e-5, 1e-6);
      check_loss("bce_logits", m, n, z, [&](const float* x, float* g) { return L.bce_logits(m, n, tb.data(), x, nullptr, g); },
                 [&](const std::vector<double>& x) { return ref_bce_logits(m, n, tb, x); }, 1e-4, 1e-6);
      check_loss("cce_prob", m, n, p, [&](const float* x, float* g) { return L.cce_prob(m, n, kEps, tc.data(), x, nullptr, g); },
                 [&](const std::vector<double>& x) { return ref_cce_prob(m, n, tc, x); }, 1e-5, 1e-6);
      for (float temp : {1.0f, 0.5f, 2.0f}) {
        check_loss("softmax_cce", m, n, z,
                   [&](const float* x, float* g) { return L.softmax_cce(m, n, temp, tc.data(), x, nullptr, g); },
                   [&](const std::vector<double>& x) { return ref_softmax_cce(m, n, temp, tc, x); }, 1e-4, 1e-6);
        std::vector<int32_t> labels(m);
        std::vector<float> onehot(m * n, 0.0f);
        for (size_t r = 0; r < m; ++r) {
          labels[r] = static_cast<int32_t>((r * 7 + n / 2) % n);
          onehot[r * n + labels[r]] = 1.0f;
        }
        check_loss("sparse_softmax_cce", m, n, z,
                   [&](const float* x, float* g) { return L.sparse_softmax_cce(m, n, temp, labels.data(), x, nullptr, g); },
                   [&](const std::vector<double>& x) { return ref_softmax_cce(m, n, temp, onehot, x); }, 1e-4, 1e-6);
      }
    }
}

TEST(loss_extremes) {
  const auto& L = simdnet::loss();
  // Logits far out: stable, finite, gradient = sigmoid/softmax - t.
  const std::vector<float> z = {90, -90, 1e30f, -1e30f, 0, 20, -20, 88.9f, -88.9f};
  const std::vector<float> t = {1, 0, 0, 1, 0.5f, 1, 0, 0, 1};
  std::vector<float> g(9);
  const double l = L.bce_logits(1, 9, t.data(), z.data(), nullptr, g.data());
  EXPECT(check::close(l, ref_bce_logits(1, 9, t, widen(z)), 0, 1e-6));
  const double wantg[9] = {0, 0, 1.0 / 9, -1.0 / 9, 0, 0, 0, 1.0 / 9, -1.0 / 9};
  EXPECT_CLOSE_ARRAY(g, wantg, 9, 1e-8, 0, "bce_logits extremes grad");
  const double sl = L.softmax_cce(1, 9, 1.0f, t.data(), z.data(), nullptr, g.data());
  EXPECT(std::isfinite(sl));
  for (float v : g) EXPECT(std::isfinite(v));
  // Probabilities at 0 and 1 are clipped: finite loss, zero gradient where the clip is active.
  const std::vector<float> p = {0, 1, 0, 1, 1e-9f};
  const std::vector<float> tp = {1, 0, 0, 1, 1};
  const double bl = L.bce_prob(1, 5, kEps, tp.data(), p.data(), nullptr, g.data());
  EXPECT(check::close(bl, ref_bce_prob(1, 5, tp, widen(p)), 0, 1e-6));
  for (int i = 0; i < 5; ++i) EXPECT(g[i] == 0.0f);
  // NaN in, NaN out.
  const std::vector<float> zn = {0, NAN, 1};
  const std::vector<float> tn = {0, 1, 0};
  EXPECT(std::isnan(L.bce_logits(1, 3, tn.data(), zn.data(), nullptr, g.data())));
  EXPECT(std::isnan(L.softmax_cce(1, 3, 1.0f, tn.data(), zn.data(), nullptr, g.data())));
  EXPECT(std::isnan(L.mse(1, 3, tn.data(), zn.data(), nullptr, g.data())));
  // A NaN probability, in a full vector and in the tail, next to t = 0 and t = 1 (the SIMD log once turned a NaN's
  // bits into a finite number, so a diverged model reported a finite loss).
  for (size_t n : {3, 16, 17, 37}) {
    for (size_t at : {size_t(0), n / 2, n - 1}) {
      for (float tv : {0.0f, 1.0f}) {
        std::vector<float> pp(n, 0.25f), tt(n, 0.0f), gg(n);
        tt[(at + 1) % n] = 1.0f;
        tt[at] = tv;
        pp[at] = NAN;
        EXPECT(std::isnan(L.bce_prob(1, n, kEps, tt.data(), pp.data(), nullptr, gg.data())));
        EXPECT(std::isnan(gg[at]));
        EXPECT(std::isnan(L.cce_prob(1, n, kEps, tt.data(), pp.data(), nullptr, gg.data())));
      }
    }
  }
  // Out-of-range labels give NaN (and a NaN gradient row); empty batches give NaN.
  const int32_t bad[2] = {1, 3};
  std::vector<float> z6 = {0, 1, 2, 3, 4, 5};
  EXPECT(std::isnan(L.sparse_softmax_cce(2, 3, 1.0f, bad, z6.data(), nullptr, g.data())));
  EXPECT(std::isnan(g[3]) && std::isnan(g[5]) && std::isfinite(g[0]));
  const int32_t neg[1] = {-1};
  EXPECT(std::isnan(L.sparse_softmax_cce(1, 3, 1.0f, neg, z6.data(), nullptr, nullptr)));
  EXPECT(std::isnan(L.mse(0, 3, nullptr, nullptr, nullptr, nullptr)));
  EXPECT(std::isnan(L.softmax_cce(0, 3, 1.0f, nullptr, nullptr, nullptr, nullptr)));
}

TEST(loss_elementwise_all_sizes) {
  using simdnet::ElemLoss;
  const ElemLoss kinds[] = {ElemLoss::mae,           ElemLoss::huber, ElemLoss::log_cosh, ElemLoss::hinge,
                            ElemLoss::squared_hinge, ElemLoss::kld,   ElemLoss::poisson};
  const char* names[] = {"mae", "huber", "log_cosh", "hinge", "squared_hinge", "kld", "poisson"};
  for (size_t n : kCols)
    for (size_t m : {size_t{1}, size_t{3}, size_t{5}}) {
      const uint32_t seed = static_cast<uint32_t>(m * 173 + n);
      const auto& L = simdnet::loss();
      const auto w = random_vec(m, seed + 9, 0.0f, 2.0f);
      for (size_t k = 0; k < 7; ++k) {
        const ElemLoss kind = kinds[k];
        const bool hinge = kind == ElemLoss::hinge || kind == ElemLoss::squared_hinge;
        // Targets: 0/1 labels for the hinges (converted to -1/1) except on odd m (left as they are, in [-1, 1]);
        // probabilities for KLD, counts for poisson; predictions away from the kinks the central differences skip.
        std::vector<float> t = random_vec(m * n, seed + static_cast<uint32_t>(k), 0.0f, 1.0f);
        if (hinge && m != 5) for (auto& v : t) v = v > 0.5f ? 1.0f : 0.0f;
        if (hinge && m == 5) for (auto& v : t) v = 2 * v - 1;
        if (kind == ElemLoss::poisson) for (auto& v : t) v = std::floor(4 * v);
        std::vector<float> p = random_vec(m * n, seed + 20 + static_cast<uint32_t>(k), -3.0f, 3.0f);
        if (kind == ElemLoss::kld) for (auto& v : p) v = 0.02f + 0.9f * (v + 3) / 6;
        if (kind == ElemLoss::poisson) for (auto& v : p) v = 0.1f + (v + 3) / 2;
        const float c = kind == ElemLoss::huber ? 0.8f : 1e-7f;
        // Keep |e| off delta, e off 0 and 1 - t'p off 0 by at least the difference step.
        for (size_t i = 0; i < m * n; ++i) {
          const float e = p[i] - t[i];
          if (std::fabs(std::fabs(e) - c) < 1e-2f || std::fabs(e) < 1e-2f) p[i] += 0.05f;
          if (hinge) {
            const float ts = (m != 5) ? 2 * t[i] - 1 : t[i];
            if (std::fabs(1 - ts * p[i]) < 1e-2f) p[i] += 0.05f;
          }
        }
        for (const float* wp : {static_cast<const float*>(nullptr), w.data()}) {
          const std::string name = std::string(names[k]) + (wp ? " weighted" : "");
          check_loss(name.c_str(), m, n, p,
                     [&](const float* x, float* g) { return L.elementwise(kind, m, n, c, t.data(), x, wp, g); },
                     [&](const std::vector<double>& x) { return ref_elementwise(kind, m, n, c, t, x, wp); }, 1e-4,
                     1e-6);
        }
      }
    }
}

TEST(loss_elementwise_edges) {
  using simdnet::ElemLoss;
  const auto& L = simdnet::loss();
  std::vector<float> g(4);
  // Zero weights drop samples; all-zero weights give 0 and a zero gradient.
  const std::vector<float> t = {0, 1, 1, 0}, p = {0.5f, 2, -1, 3};
  const float w0[2] = {0, 0}, w1[2] = {1, 0};
  EXPECT(L.elementwise(ElemLoss::mae, 2, 2, 0, t.data(), p.data(), w0, g.data()) == 0.0);
  for (float v : g) EXPECT(v == 0.0f);
  EXPECT(check::close(L.elementwise(ElemLoss::mae, 2, 2, 0, t.data(), p.data(), w1, g.data()), (0.5 + 1) / 2 / 2, 0,
                      1e-7));
  // KLD: a prediction below eps or above 1 is clipped (zero gradient); a zero target contributes eps log(eps/p).
  const std::vector<float> tk = {0, 1}, pk = {0, 1.5f};
  const double lk = L.elementwise(ElemLoss::kld, 1, 2, 1e-7f, tk.data(), pk.data(), nullptr, g.data());
  EXPECT(check::close(lk, ref_elementwise(ElemLoss::kld, 1, 2, 1e-7f, tk, widen(pk), nullptr), 0, 1e-6));
  EXPECT(g[0] == 0.0f && g[1] == 0.0f);
  // NaN in, NaN out; empty batches give NaN.
  const std::vector<float> pn = {0, NAN, 1, 2};
  for (ElemLoss k : {ElemLoss::mae, ElemLoss::huber, ElemLoss::log_cosh, ElemLoss::hinge, ElemLoss::squared_hinge,
                     ElemLoss::poisson}) {
    EXPECT(std::isnan(L.elementwise(k, 1, 4, 1.0f, t.data(), pn.data(), nullptr, g.data())));
    EXPECT(std::isnan(g[1]));
  }
  EXPECT(std::isnan(L.elementwise(ElemLoss::mae, 0, 3, 1.0f, nullptr, nullptr, nullptr, nullptr)));
}

// Weighted = per-row: every loss with per-sample weights w equals sum_r w_r loss(row r) / m, and its gradient row r
// equals w_r / m times the gradient of the one-row call (the unweighted paths are checked against references above).
TEST(loss_weighted_rows) {
  using simdnet::ElemLoss;
  const auto& L = simdnet::loss();
  for (size_t n : kCols)
    for (size_t m : {size_t{1}, size_t{4}, size_t{9}}) {
      const uint32_t seed = static_cast<uint32_t>(m * 71 + n);
      auto w = random_vec(m, seed, 0.0f, 3.0f);
      w[0] = 0.0f;
      const auto tb = random_vec(m * n, seed + 1, 0.0f, 1.0f);
      auto tc = tb;
      normalize_rows(tc, m, n);
      const auto p = random_vec(m * n, seed + 2, 0.05f, 0.95f);
      const auto z = random_vec(m * n, seed + 3, -6.0f, 6.0f);
      std::vector<int32_t> labels(m);
      for (size_t r = 0; r < m; ++r) labels[r] = static_cast<int32_t>((r * 5 + 1) % n);
      using Fn = std::function<double(size_t rows, size_t r0, const float* wp, float* g)>;
      const std::vector<std::pair<const char*, Fn>> fns = {
          {"mse", [&](size_t k, size_t r0, const float* wp, float* g) { return L.mse(k, n, &tb[r0 * n], &p[r0 * n], wp, g); }},
          {"bce_prob", [&](size_t k, size_t r0, const float* wp, float* g) { return L.bce_prob(k, n, kEps, &tb[r0 * n], &p[r0 * n], wp, g); }},
          {"bce_logits", [&](size_t k, size_t r0, const float* wp, float* g) { return L.bce_logits(k, n, &tb[r0 * n], &z[r0 * n], wp, g); }},
          {"cce_prob", [&](size_t k, size_t r0, const float* wp, float* g) { return L.cce_prob(k, n, kEps, &tc[r0 * n], &p[r0 * n], wp, g); }},
          {"softmax_cce", [&](size_t k, size_t r0, const float* wp, float* g) { return L.softmax_cce(k, n, 1.5f, &tc[r0 * n], &z[r0 * n], wp, g); }},
          {"sparse_softmax_cce", [&](size_t k, size_t r0, const float* wp, float* g) { return L.sparse_softmax_cce(k, n, 1.0f, &labels[r0], &z[r0 * n], wp, g); }},
          {"huber", [&](size_t k, size_t r0, const float* wp, float* g) { return L.elementwise(ElemLoss::huber, k, n, 0.3f, &tb[r0 * n], &z[r0 * n], wp, g); }},
          {"poisson", [&](size_t k, size_t r0, const float* wp, float* g) { return L.elementwise(ElemLoss::poisson, k, n, kEps, &tb[r0 * n], &p[r0 * n], wp, g); }},
      };
      for (const auto& [name, fn] : fns) {
        std::vector<float> g(m * n), want_g(m * n);
        const double got = fn(m, 0, w.data(), g.data());
        double want = 0;
        for (size_t r = 0; r < m; ++r) {
          want += w[r] * fn(1, r, nullptr, &want_g[r * n]);
          for (size_t j = 0; j < n; ++j) want_g[r * n + j] *= w[r] / static_cast<float>(m);
        }
        want /= static_cast<double>(m);
        const std::string ctx = std::string(name) + " weighted m=" + std::to_string(m) + " n=" + std::to_string(n);
        if (!check::close(got, want, 1e-8, 2e-6)) std::printf("    %s loss got %.9g want %.9g\n", ctx.c_str(), got, want);
        EXPECT(check::close(got, want, 1e-8, 2e-6));
        EXPECT_CLOSE_ARRAY(g, want_g, m * n, 1e-8, 2e-6, ctx + " grad");
        EXPECT(check::close(fn(m, 0, w.data(), nullptr), got, 0, 0));
      }
    }
}

CHECK_MAIN()
