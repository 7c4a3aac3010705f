// Counter-based random numbers (Philox4x32-10, Salmon et al. SC'11, the generator of cuRAND, PyTorch CUDA and JAX):
// the i-th output of stream (seed, stream) is a pure function of (seed, stream, i), so a seed reproduces dropout
// masks and initial weights exactly, in any order, on any thread split, on every ISA, and in the TS twin.
//   uniform01(i) in [0, 1) with 24 random bits: (bits >> 8) * 2^-24.
//   normal(i): Box-Muller over two uniforms of the same Philox block (see init.cc for the exact mapping).
#pragma once
#include <cstddef>
#include <cstdint>

namespace simdnet {

// Four 32-bit outputs for counter `ctr` (128-bit counter = {ctr lo, ctr hi, stream lo, stream hi}), key = seed.
void philox4x32(uint64_t seed, uint64_t stream, uint64_t ctr, uint32_t out[4]) noexcept;
// Output word i of the stream: philox4x32(seed, stream, i / 4)[i % 4].
uint32_t philox_word(uint64_t seed, uint64_t stream, uint64_t i) noexcept;
// A seeded permutation of [0, n) (fit's per-epoch sample order): identity, then Fisher-Yates for i = n-1 .. 1 with
// j = floor(word_i * (i + 1) / 2^32), word_i = philox_word(seed, stream, i). Same result as lib/models/shuffle.ts.
void shuffled_order(uint64_t seed, uint64_t stream, uint32_t n, uint32_t* out) noexcept;

}  // namespace simdnet
