// Batch normalization against a float64 reference written here from the formulas of batchnorm.h (Keras momentum,
// biased variance), at column counts around the SIMD widths and the driver's 256-column block, with gamma/beta
// present or absent, and in place.
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "check.h"
#include "kernels/batchnorm/batchnorm.h"

using namespace simdnet;

namespace {

std::vector<float> randv(size_t n, unsigned seed, float lo, float hi) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

struct Ref {
  std::vector<double> mean, var, inv, y, rm, rv, dx, dgamma, dbeta;
};

Ref reference(size_t m, size_t n, double momentum, double eps, const std::vector<float>& x, const float* gamma,
              const float* beta, const std::vector<float>& rm0, const std::vector<float>& rv0,
              const std::vector<float>& dy) {
  Ref r;
  r.mean.assign(n, 0);
  r.var.assign(n, 0);
  r.inv.assign(n, 0);
  r.y.assign(m * n, 0);
  r.dx.assign(m * n, 0);
  r.rm.assign(n, 0);
  r.rv.assign(n, 0);
  r.dgamma.assign(n, 0);
  r.dbeta.assign(n, 0);
  for (size_t j = 0; j < n; ++j) {
    double s = 0, ss = 0;
    for (size_t i = 0; i < m; ++i) s += x[i * n + j];
    const double mu = s / m;
    for (size_t i = 0; i < m; ++i) ss += (x[i * n + j] - mu) * (x[i * n + j] - mu);
    const double var = ss / m, inv = 1 / std::sqrt(var + eps), g = gamma ? gamma[j] : 1, b = beta ? beta[j] : 0;
    r.mean[j] = mu;
    r.var[j] = var;
    r.inv[j] = inv;
    r.rm[j] = momentum * rm0[j] + (1 - momentum) * mu;
    r.rv[j] = momentum * rv0[j] + (1 - momentum) * var;
    double sdy = 0, sdyx = 0;
    for (size_t i = 0; i < m; ++i) {
      const double xhat = (x[i * n + j] - mu) * inv;
      r.y[i * n + j] = g * xhat + b;
      sdy += dy[i * n + j];
      sdyx += dy[i * n + j] * xhat;
    }
    r.dgamma[j] = sdyx;
    r.dbeta[j] = sdy;
    for (size_t i = 0; i < m; ++i) {
      const double xhat = (x[i * n + j] - mu) * inv;
      r.dx[i * n + j] = g * inv / m * (m * dy[i * n + j] - sdy - xhat * sdyx);
    }
  }
  return r;
}

}  // namespace

TEST(matches_float64_reference) {
  for (size_t m : {1, 2, 5, 64}) {
    for (size_t n : {1, 3, 4, 7, 8, 9, 17, 101, 255, 256, 257, 600}) {
      for (int affine = 0; affine < 2; ++affine) {
        const std::string ctx = "m=" + std::to_string(m) + " n=" + std::to_string(n) + (affine ? " affine" : " plain");
        // features with different offsets and scales so mean/var matter
        auto x = randv(m * n, unsigned(m * 1000 + n), -1.0f, 1.0f);
        for (size_t i = 0; i < m * n; ++i) x[i] = x[i] * (1.0f + (i % n) % 5) + 0.3f * float((i % n) % 7);
        auto gamma = randv(n, 3, 0.5f, 1.5f), beta = randv(n, 4, -0.5f, 0.5f), dy = randv(m * n, 5, -1.0f, 1.0f);
        auto rm = randv(n, 6, -0.1f, 0.1f), rv = randv(n, 7, 0.9f, 1.1f);
        const float* g = affine ? gamma.data() : nullptr;
        const float* b = affine ? beta.data() : nullptr;
        const Ref r = reference(m, n, 0.99, 1e-3, x, g, b, rm, rv, dy);
        std::vector<float> y(m * n), sm(n), si(n), dx(m * n), dg(n), db(n), yi(m * n);
        batchnorm().forward_train(m, n, 0.99f, 1e-3f, x.data(), g, b, rm.data(), rv.data(), sm.data(), si.data(),
                                  y.data());
        EXPECT_CLOSE_ARRAY(sm.data(), r.mean.data(), n, 1e-6, 1e-5, ctx + " mean");
        EXPECT_CLOSE_ARRAY(si.data(), r.inv.data(), n, 1e-5, 1e-4, ctx + " inv_std");
        EXPECT_CLOSE_ARRAY(rm.data(), r.rm.data(), n, 1e-6, 1e-5, ctx + " running mean");
        EXPECT_CLOSE_ARRAY(rv.data(), r.rv.data(), n, 1e-6, 1e-5, ctx + " running var");
        EXPECT_CLOSE_ARRAY(y.data(), r.y.data(), m * n, 1e-5, 1e-4, ctx + " y");
        batchnorm().backward(m, n, x.data(), dy.data(), g, sm.data(), si.data(), dx.data(), dg.data(), db.data());
        EXPECT_CLOSE_ARRAY(dx.data(), r.dx.data(), m * n, 1e-4, 1e-3, ctx + " dx");
        EXPECT_CLOSE_ARRAY(dg.data(), r.dgamma.data(), n, 1e-4, 1e-4, ctx + " dgamma");
        EXPECT_CLOSE_ARRAY(db.data(), r.dbeta.data(), n, 1e-5, 1e-5, ctx + " dbeta");
        // inference with the updated running stats
        batchnorm().forward_infer(m, n, 1e-3f, x.data(), g, b, rm.data(), rv.data(), yi.data());
        std::vector<double> want(m * n);
        for (size_t i = 0; i < m * n; ++i) {
          const size_t j = i % n;
          want[i] = (affine ? gamma[j] : 1.0) * (x[i] - r.rm[j]) / std::sqrt(r.rv[j] + 1e-3) + (affine ? beta[j] : 0.0);
        }
        EXPECT_CLOSE_ARRAY(yi.data(), want.data(), m * n, 1e-5, 1e-4, ctx + " infer");
      }
    }
  }
}

// A large mean against a small spread (raw features: years, prices): the statistics are taken about a shift, so
// the outputs keep float accuracy; a folded x*a + (beta - mean*a) was off by ~0.05 here. One row gives beta exactly.
TEST(large_mean_small_spread) {
  for (size_t m : {1, 7, 64}) {
    for (size_t n : {5, 37}) {
      for (float offset : {1e4f, -3e5f}) {
        const std::string ctx = "m=" + std::to_string(m) + " n=" + std::to_string(n) + " offset " + std::to_string(offset);
        auto x = randv(m * n, unsigned(m + n), -1.0f, 1.0f);
        const float spread = std::fabs(offset) * 1e-6f;  // a few float ulps of the offset apart
        for (size_t i = 0; i < m * n; ++i) x[i] = offset + spread * x[i] * float(1 + (i % n) % 4);
        auto gamma = randv(n, 3, 0.5f, 1.5f), beta = randv(n, 4, -0.5f, 0.5f), dy = randv(m * n, 5, -1.0f, 1.0f);
        std::vector<float> rm(n, 0.0f), rv(n, 1.0f);
        const Ref r = reference(m, n, 0.9, 1e-12, x, gamma.data(), beta.data(), rm, rv, dy);
        std::vector<float> y(m * n), sm(n), si(n);
        batchnorm().forward_train(m, n, 0.9f, 1e-12f, x.data(), gamma.data(), beta.data(), nullptr, nullptr, sm.data(),
                                  si.data(), y.data());
        EXPECT_CLOSE_ARRAY(y.data(), r.y.data(), m * n, 1e-4, 1e-4, ctx + " y");
        if (m == 1)
          for (size_t j = 0; j < n; ++j) EXPECT(y[j] == beta[j]);
        // in place
        batchnorm().forward_train(m, n, 0.9f, 1e-12f, x.data(), gamma.data(), beta.data(), nullptr, nullptr, sm.data(),
                                  si.data(), x.data());
        EXPECT_CLOSE_ARRAY(x.data(), r.y.data(), m * n, 1e-4, 1e-4, ctx + " y in place");
      }
    }
  }
}

TEST(isa_matches_scalar_and_in_place) {
  const size_t m = 33, n = 300;
  auto x = randv(m * n, 1, -2.0f, 3.0f), dy = randv(m * n, 2, -1.0f, 1.0f), gamma = randv(n, 3, 0.5f, 1.5f);
  std::vector<float> y(m * n), y2(m * n), sm(n), si(n), sm2(n), si2(n), dx(m * n), dx2(m * n);
  batchnorm().forward_train(m, n, 0.9f, 1e-5f, x.data(), gamma.data(), nullptr, nullptr, nullptr, sm.data(), si.data(),
                            y.data());
  scalar::batchnorm_kernels.forward_train(m, n, 0.9f, 1e-5f, x.data(), gamma.data(), nullptr, nullptr, nullptr,
                                          sm2.data(), si2.data(), y2.data());
  EXPECT_CLOSE_ARRAY(y.data(), y2.data(), m * n, 1e-5, 1e-5, "y vs scalar");
  EXPECT_CLOSE_ARRAY(si.data(), si2.data(), n, 1e-6, 1e-5, "inv_std vs scalar");
  auto xi = x;  // y aliases x
  batchnorm().forward_train(m, n, 0.9f, 1e-5f, xi.data(), gamma.data(), nullptr, nullptr, nullptr, sm2.data(),
                            si2.data(), xi.data());
  EXPECT_CLOSE_ARRAY(xi.data(), y.data(), m * n, 0, 0, "in-place forward");
  batchnorm().backward(m, n, x.data(), dy.data(), gamma.data(), sm.data(), si.data(), dx.data(), nullptr, nullptr);
  auto dyi = dy;  // dx aliases dy
  batchnorm().backward(m, n, x.data(), dyi.data(), gamma.data(), sm.data(), si.data(), dyi.data(), nullptr, nullptr);
  EXPECT_CLOSE_ARRAY(dyi.data(), dx.data(), m * n, 0, 0, "in-place backward");
  scalar::batchnorm_kernels.backward(m, n, x.data(), dy.data(), gamma.data(), sm.data(), si.data(), dx2.data(), nullptr,
                                     nullptr);
  EXPECT_CLOSE_ARRAY(dx.data(), dx2.data(), m * n, 1e-5, 1e-4, "dx vs scalar");
}

CHECK_MAIN()
