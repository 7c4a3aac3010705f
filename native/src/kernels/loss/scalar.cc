// Losses with gradients, scalar path (contract: loss.h). Everything is computed in double and rounded once into
// grad; this path doubles as the accuracy reference the SIMD paths are tested against.
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "kernels/loss/loss.h"

namespace simdnet::scalar {
namespace {

double clamp(double x, double lo, double hi) { return x < lo ? lo : (x > hi ? hi : x); }  // NaN passes

// Per-sample weight of flat element i (1 when unweighted).
double weight_of(const float* w, size_t i, size_t n) { return w ? static_cast<double>(w[i / n]) : 1.0; }

double f64_mse_ukernel__scalar(size_t m, size_t n, const float* t, const float* p, const float* w,
                               float* grad) noexcept {
  const size_t total = m * n;
  if (total == 0) return NAN;
  const double scale = 2.0 / static_cast<double>(total);
  double acc = 0.0;
  for (size_t i = 0; i < total; ++i) {
    const double d = static_cast<double>(p[i]) - t[i], wi = weight_of(w, i, n);
    acc += wi * d * d;
    if (grad) grad[i] = static_cast<float>(d * scale * wi);
  }
  return acc / static_cast<double>(total);
}

double f64_bce_prob_ukernel__scalar(size_t m, size_t n, float eps, const float* t, const float* p, const float* w,
                                    float* grad) noexcept {
  const size_t total = m * n;
  if (total == 0) return NAN;
  const double lo = eps, hi = 1.0f - eps,  // float32 bounds, as Keras clips in float32
               inv = 1.0 / static_cast<double>(total);
  double acc = 0.0;
  for (size_t i = 0; i < total; ++i) {
    const double pi = p[i], ti = t[i], pc = clamp(pi, lo, hi), wi = weight_of(w, i, n);
    acc += wi * (ti * std::log(pc) + (1.0 - ti) * std::log(1.0 - pc));
    // d/dp = (p - t) / (p (1 - p)) inside the clip range, 0 where the clip is active (NaN stays NaN).
    if (grad) grad[i] = static_cast<float>((pi < lo || pi > hi) ? 0.0 : (pc - ti) / (pc * (1.0 - pc)) * inv * wi);
  }
  return -acc * inv;
}

double f64_bce_logits_ukernel__scalar(size_t m, size_t n, const float* t, const float* z, const float* w,
                                      float* grad) noexcept {
  const size_t total = m * n;
  if (total == 0) return NAN;
  const double inv = 1.0 / static_cast<double>(total);
  double acc = 0.0;
  for (size_t i = 0; i < total; ++i) {
    const double zi = z[i], ti = t[i], e = std::exp(-std::fabs(zi)), wi = weight_of(w, i, n);
    acc += wi * ((zi > 0 ? zi : 0.0) - zi * ti + std::log1p(e));
    if (grad) {
      const double s = zi >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
      grad[i] = static_cast<float>((s - ti) * inv * wi);
    }
  }
  return acc * inv;
}

double f64_cce_prob_ukernel__scalar(size_t m, size_t n, float eps, const float* t, const float* p, const float* w,
                                    float* grad) noexcept {
  if (m == 0 || n == 0) return NAN;
  const double lo = eps, hi = 1.0f - eps,  // float32 bounds, as Keras clips in float32
               inv_m = 1.0 / static_cast<double>(m);
  double acc = 0.0;
  for (size_t r = 0; r < m; ++r) {
    const float* tr = t + r * n;
    const float* pr = p + r * n;
    float* gr = grad ? grad + r * n : nullptr;
    const double wr = w ? static_cast<double>(w[r]) : 1.0;
    double s = 0.0;
    for (size_t j = 0; j < n; ++j) s += pr[j];
    const double inv_s = 1.0 / s;
    double dot = 0.0;  // sum_j g_j q_j with g_j = dL/dq_j
    for (size_t j = 0; j < n; ++j) {
      const double q = pr[j] * inv_s, qc = clamp(q, lo, hi);
      acc += wr * tr[j] * std::log(qc);
      if (gr) {
        const double g = (q < lo || q > hi) ? 0.0 : -tr[j] / qc;
        dot += g * q;
        gr[j] = static_cast<float>(g);  // g_j only; p_j is not needed again (grad may alias p)
      }
    }
    // dL/dp_k = (g_k - sum_j g_j q_j) / s (the renormalisation's Jacobian), averaged over the batch.
    if (gr)
      for (size_t j = 0; j < n; ++j) gr[j] = static_cast<float>((gr[j] - dot) * inv_s * inv_m * wr);
  }
  return -acc * inv_m;
}

// One row of softmax CE from logits: returns sum_t*log(sum_e) - sum_j t_j u_j with u = (z - max)/T; writes
// grad = (p * sum_t - t) / (T m) when gr != nullptr (the exact gradient; (p - t)/(T m) for rows of t summing to 1).
double softmax_cce_row(size_t n, double inv_t, double inv_m, const float* tr, const float* zr, float* gr) {
  double mx = -INFINITY;
  for (size_t j = 0; j < n; ++j) mx = (zr[j] > mx || zr[j] != zr[j]) ? zr[j] : mx;
  double sum_e = 0.0, sum_t = 0.0, sum_tu = 0.0;
  for (size_t j = 0; j < n; ++j) {
    const double u = (zr[j] - mx) * inv_t, e = std::exp(u);
    sum_e += e;
    sum_t += tr[j];
    if (tr[j] != 0.0f) sum_tu += tr[j] * u;  // skip 0 * -inf
    if (gr) gr[j] = static_cast<float>(e);
  }
  if (gr)
    for (size_t j = 0; j < n; ++j) gr[j] = static_cast<float>((gr[j] / sum_e * sum_t - tr[j]) * inv_t * inv_m);
  return sum_t * std::log(sum_e) - sum_tu;
}

double f64_softmax_cce_ukernel__scalar(size_t m, size_t n, float temperature, const float* t, const float* z,
                                       const float* w, float* grad) noexcept {
  if (m == 0 || n == 0) return NAN;
  const double inv_t = 1.0 / static_cast<double>(temperature), inv_m = 1.0 / static_cast<double>(m);
  double acc = 0.0;
  for (size_t r = 0; r < m; ++r) {
    const double wr = w ? static_cast<double>(w[r]) : 1.0;
    acc += wr * softmax_cce_row(n, inv_t, inv_m * wr, t + r * n, z + r * n, grad ? grad + r * n : nullptr);
  }
  return acc * inv_m;
}

double f64_sparse_softmax_cce_ukernel__scalar(size_t m, size_t n, float temperature, const int32_t* labels,
                                              const float* z, const float* w, float* grad) noexcept {
  if (m == 0 || n == 0) return NAN;
  const double inv_t = 1.0 / static_cast<double>(temperature), inv_m = 1.0 / static_cast<double>(m);
  double acc = 0.0;
  for (size_t r = 0; r < m; ++r) {
    const float* zr = z + r * n;
    float* gr = grad ? grad + r * n : nullptr;
    const int32_t l = labels[r];
    if (l < 0 || static_cast<size_t>(l) >= n) {  // out of range: NaN loss and a NaN gradient row
      acc = NAN;
      if (gr)
        for (size_t j = 0; j < n; ++j) gr[j] = NAN;
      continue;
    }
    double mx = -INFINITY;
    for (size_t j = 0; j < n; ++j) mx = (zr[j] > mx || zr[j] != zr[j]) ? zr[j] : mx;
    const double ul = (zr[l] - mx) * inv_t;  // read before grad (which may alias z) is written
    const double wr = w ? static_cast<double>(w[r]) : 1.0;
    double sum_e = 0.0;
    for (size_t j = 0; j < n; ++j) {
      const double e = std::exp((zr[j] - mx) * inv_t);
      sum_e += e;
      if (gr) gr[j] = static_cast<float>(e);
    }
    if (gr) {
      for (size_t j = 0; j < n; ++j)
        gr[j] = static_cast<float>((gr[j] / sum_e - (j == static_cast<size_t>(l) ? 1.0 : 0.0)) * inv_t * inv_m * wr);
    }
    acc += wr * (std::log(sum_e) - ul);
  }
  return acc * inv_m;
}

// Element-wise losses (loss.h): f(t, p, &g) gives the per-element loss and the unscaled d/dp, all in double.
template <class F>
double elementwise_loss(F f, size_t m, size_t n, double row_div, const float* t, const float* p, const float* w,
                        float* grad) {
  if (m == 0 || n == 0) return NAN;
  const double inv = 1.0 / (static_cast<double>(m) * row_div);
  double acc = 0.0;
  for (size_t r = 0; r < m; ++r) {
    const double wr = w ? static_cast<double>(w[r]) : 1.0;
    double row = 0.0;
    for (size_t j = 0; j < n; ++j) {
      const size_t i = r * n + j;
      double g;
      row += f(static_cast<double>(t[i]), static_cast<double>(p[i]), &g);
      if (grad) grad[i] = static_cast<float>(g * wr * inv);
    }
    acc += wr * row;
  }
  return acc * inv;
}

double sign0(double e) { return e > 0 ? 1.0 : (e < 0 ? -1.0 : e); }  // 0 at 0 (TF's abs gradient); NaN stays NaN

double f64_elementwise_ukernel__scalar(ElemLoss kind, size_t m, size_t n, float param, const float* t,
                                       const float* p, const float* w, float* grad) noexcept {
  const double dn = static_cast<double>(n), c = param;
  switch (kind) {
    case ElemLoss::mae:
      return elementwise_loss([](double ti, double pi, double* g) { *g = sign0(pi - ti); return std::fabs(pi - ti); },
                              m, n, dn, t, p, w, grad);
    case ElemLoss::huber:
      return elementwise_loss(
          [c](double ti, double pi, double* g) {
            const double e = pi - ti, a = std::fabs(e);
            if (!(a > c)) {  // |e| <= delta (and NaN)
              *g = e;
              return 0.5 * e * e;
            }
            *g = c * sign0(e);
            return c * a - 0.5 * c * c;
          },
          m, n, dn, t, p, w, grad);
    case ElemLoss::log_cosh:
      return elementwise_loss(
          [](double ti, double pi, double* g) {
            const double e = pi - ti, a = std::fabs(e);
            *g = std::tanh(e);
            return a + std::log1p(std::exp(-2.0 * a)) - std::log(2.0);
          },
          m, n, dn, t, p, w, grad);
    case ElemLoss::hinge:
    case ElemLoss::squared_hinge: {
      bool bin = true;  // Keras's convert_binary_labels_to_hinge: all labels 0 or 1 -> 2t - 1
      for (size_t i = 0; i < m * n && bin; ++i) bin = t[i] == 0.0f || t[i] == 1.0f;
      const double a = bin ? 2.0 : 1.0, b = bin ? -1.0 : 0.0;
      if (kind == ElemLoss::squared_hinge)
        return elementwise_loss(
            [a, b](double ti, double pi, double* g) {
              const double ts = a * ti + b, x = 1.0 - ts * pi, h = x > 0 ? x : (x == x ? 0.0 : x);
              *g = -2.0 * ts * h;
              return h * h;
            },
            m, n, dn, t, p, w, grad);
      return elementwise_loss(
          [a, b](double ti, double pi, double* g) {
            const double ts = a * ti + b, x = 1.0 - ts * pi;
            *g = x >= 0 ? -ts : (x == x ? 0.0 : x);
            return x > 0 ? x : (x == x ? 0.0 : x);
          },
          m, n, dn, t, p, w, grad);
    }
    case ElemLoss::kld:
      return elementwise_loss(
          [c](double ti, double pi, double* g) {
            const double tc = clamp(ti, c, 1.0), pc = clamp(pi, c, 1.0);
            *g = (pi < c || pi > 1.0) ? 0.0 : -tc / pc;
            return tc * std::log(tc / pc);
          },
          m, n, 1.0, t, p, w, grad);
    case ElemLoss::poisson:
      return elementwise_loss(
          [c](double ti, double pi, double* g) {
            *g = 1.0 - ti / (pi + c);
            return pi - ti * std::log(pi + c);
          },
          m, n, dn, t, p, w, grad);
  }
  return NAN;
}

}  // namespace

const LossKernels loss_kernels = {
    f64_mse_ukernel__scalar,         f64_bce_prob_ukernel__scalar,        f64_bce_logits_ukernel__scalar,
    f64_cce_prob_ukernel__scalar,    f64_softmax_cce_ukernel__scalar,     f64_sparse_softmax_cce_ukernel__scalar,
    f64_elementwise_ukernel__scalar,
};
}  // namespace simdnet::scalar
