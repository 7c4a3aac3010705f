// Weight initializers (Keras definitions; fan_in/fan_out of a Dense kernel are its input and output sizes):
//   zeros, ones/constant(value); uniform(lo, hi); normal(mean, std); truncated normal (resample beyond 2 std, as Keras);
//   glorotUniform: U(-l, l), l = sqrt(6/(fan_in+fan_out));  glorotNormal: truncated N(0, sqrt(2/(fan_in+fan_out))/.87962566)
//   heUniform: l = sqrt(6/fan_in);    heNormal: truncated N(0, sqrt(2/fan_in)/.87962566)
//   lecunUniform: l = sqrt(3/fan_in); lecunNormal: truncated N(0, sqrt(1/fan_in)/.87962566)
// Deterministic for (seed, stream) via rng.h; not performance critical (scalar everywhere is fine).
#pragma once
#include <cstddef>
#include <cstdint>

namespace simdnet {

enum class Init : int {
  zeros = 0, ones, constant, uniform, normal, truncated_normal,
  glorot_uniform, glorot_normal, he_uniform, he_normal, lecun_uniform, lecun_normal
};

struct InitArgs {
  Init kind = Init::zeros;
  size_t fan_in = 1, fan_out = 1;
  float value = 0.0f;             // constant
  float a = 0.0f, b = 1.0f;       // uniform: [a, b); normal/truncated_normal: mean a, std b
  uint64_t seed = 0, stream = 0;
};

void init_fill(const InitArgs& args, size_t n, float* w);

}  // namespace simdnet
