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

}  // namespace

TEST(loss_all_sizes) {
  for (size_t n : kCols)
    for (size_t m : {size_t{1}, size_t{3}}) {
      const uint32_t seed = static_cast<uint32_t>(m * 131 + n);
      const auto& L = simdnet::loss();
      // Targets: soft targets in [0,1] for the binary losses, normalised rows for the categorical ones.
      const auto tb = random_vec(m * n, seed, 0.0f, 1.0f);
      auto tc = random_vec(m * n, seed + 1, 0.0f, 1.0f);
      for (size_t r = 0; r < m; ++r) {
        float s = 0;
        for (size_t j = 0; j < n; ++j) s += tc[r * n + j];
        for (size_t j = 0; j < n; ++j) tc[r * n + j] /= s;
      }
      const auto p = random_vec(m * n, seed + 2, 0.05f, 0.95f);
      const auto z = random_vec(m * n, seed + 3, -6.0f, 6.0f);
      check_loss("mse", m, n, p, [&](const float* x, float* g) { return L.mse(m, n, tb.data(), x, g); },
                 [&](const std::vector<double>& x) { return ref_mse(m, n, tb, x); }, 1e-4, 1e-6);
      check_loss("bce_prob", m, n, p, [&](const float* x, float* g) { return L.bce_prob(m, n, kEps, tb.data(), x, g); },
                 [&](const std::vector<double>& x) { return ref_bce_prob(m, n, tb, x); }, 1e-5, 1e-6);
      check_loss("bce_logits", m, n, z, [&](const float* x, float* g) { return L.bce_logits(m, n, tb.data(), x, g); },
                 [&](const std::vector<double>& x) { return ref_bce_logits(m, n, tb, x); }, 1e-4, 1e-6);
      check_loss("cce_prob", m, n, p, [&](const float* x, float* g) { return L.cce_prob(m, n, kEps, tc.data(), x, g); },
                 [&](const std::vector<double>& x) { return ref_cce_prob(m, n, tc, x); }, 1e-5, 1e-6);
      for (float temp : {1.0f, 0.5f, 2.0f}) {
        check_loss("softmax_cce", m, n, z,
                   [&](const float* x, float* g) { return L.softmax_cce(m, n, temp, tc.data(), x, g); },
                   [&](const std::vector<double>& x) { return ref_softmax_cce(m, n, temp, tc, x); }, 1e-4, 1e-6);
        std::vector<int32_t> labels(m);
        std::vector<float> onehot(m * n, 0.0f);
        for (size_t r = 0; r < m; ++r) {
          labels[r] = static_cast<int32_t>((r * 7 + n / 2) % n);
          onehot[r * n + labels[r]] = 1.0f;
        }
        check_loss("sparse_softmax_cce", m, n, z,
                   [&](const float* x, float* g) { return L.sparse_softmax_cce(m, n, temp, labels.data(), x, g); },
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
  const double l = L.bce_logits(1, 9, t.data(), z.data(), g.data());
  EXPECT(check::close(l, ref_bce_logits(1, 9, t, widen(z)), 0, 1e-6));
  const double wantg[9] = {0, 0, 1.0 / 9, -1.0 / 9, 0, 0, 0, 1.0 / 9, -1.0 / 9};
  EXPECT_CLOSE_ARRAY(g, wantg, 9, 1e-8, 0, "bce_logits extremes grad");
  const double sl = L.softmax_cce(1, 9, 1.0f, t.data(), z.data(), g.data());
  EXPECT(std::isfinite(sl));
  for (float v : g) EXPECT(std::isfinite(v));
  // Probabilities at 0 and 1 are clipped: finite loss, zero gradient where the clip is active.
  const std::vector<float> p = {0, 1, 0, 1, 1e-9f};
  const std::vector<float> tp = {1, 0, 0, 1, 1};
  const double bl = L.bce_prob(1, 5, kEps, tp.data(), p.data(), g.data());
  EXPECT(check::close(bl, ref_bce_prob(1, 5, tp, widen(p)), 0, 1e-6));
  for (int i = 0; i < 5; ++i) EXPECT(g[i] == 0.0f);
  // NaN in, NaN out.
  const std::vector<float> zn = {0, NAN, 1};
  const std::vector<float> tn = {0, 1, 0};
  EXPECT(std::isnan(L.bce_logits(1, 3, tn.data(), zn.data(), g.data())));
  EXPECT(std::isnan(L.softmax_cce(1, 3, 1.0f, tn.data(), zn.data(), g.data())));
  EXPECT(std::isnan(L.mse(1, 3, tn.data(), zn.data(), g.data())));
  // A NaN probability, in a full vector and in the tail, next to t = 0 and t = 1 (the SIMD log once turned a NaN's
  // bits into a finite number, so a diverged model reported a finite loss).
  for (size_t n : {3, 16, 17, 37}) {
    for (size_t at : {size_t(0), n / 2, n - 1}) {
      for (float tv : {0.0f, 1.0f}) {
        std::vector<float> pp(n, 0.25f), tt(n, 0.0f), gg(n);
        tt[(at + 1) % n] = 1.0f;
        tt[at] = tv;
        pp[at] = NAN;
        EXPECT(std::isnan(L.bce_prob(1, n, kEps, tt.data(), pp.data(), gg.data())));
        EXPECT(std::isnan(gg[at]));
        EXPECT(std::isnan(L.cce_prob(1, n, kEps, tt.data(), pp.data(), gg.data())));
      }
    }
  }
  // Out-of-range labels give NaN (and a NaN gradient row); empty batches give NaN.
  const int32_t bad[2] = {1, 3};
  std::vector<float> z6 = {0, 1, 2, 3, 4, 5};
  EXPECT(std::isnan(L.sparse_softmax_cce(2, 3, 1.0f, bad, z6.data(), g.data())));
  EXPECT(std::isnan(g[3]) && std::isnan(g[5]) && std::isfinite(g[0]));
  const int32_t neg[1] = {-1};
  EXPECT(std::isnan(L.sparse_softmax_cce(1, 3, 1.0f, neg, z6.data(), nullptr)));
  EXPECT(std::isnan(L.mse(0, 3, nullptr, nullptr, nullptr)));
  EXPECT(std::isnan(L.softmax_cce(0, 3, 1.0f, nullptr, nullptr, nullptr)));
}

CHECK_MAIN()
