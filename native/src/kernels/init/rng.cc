// Philox4x32-10 counter-based generator (contract: rng.h; the block function: philox.h).
#include "kernels/init/rng.h"

#include "kernels/init/philox.h"

namespace simdnet {

void philox4x32(uint64_t seed, uint64_t stream, uint64_t ctr, uint32_t out[4]) noexcept {
  philox::block64(seed, stream, ctr, out);
}

uint32_t philox_word(uint64_t seed, uint64_t stream, uint64_t i) noexcept {
  uint32_t out[4];
  philox::block64(seed, stream, i >> 2, out);
  return out[i & 3];
}

}  // namespace simdnet
