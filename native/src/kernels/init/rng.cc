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

void shuffled_order(uint64_t seed, uint64_t stream, uint32_t n, uint32_t* out) noexcept {
  for (uint32_t i = 0; i < n; ++i) out[i] = i;
  uint32_t block[4];
  uint64_t q = UINT64_MAX;
  for (uint32_t i = n ? n - 1 : 0; i > 0; --i) {
    if ((i >> 2) != q) {
      q = i >> 2;
      philox::block64(seed, stream, q, block);
    }
    const uint32_t j = static_cast<uint32_t>((static_cast<uint64_t>(block[i & 3]) * (static_cast<uint64_t>(i) + 1)) >> 32);
    const uint32_t t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
}

}  // namespace simdnet
