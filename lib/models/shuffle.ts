/** Seeded sample orders for fit: Fisher-Yates driven by Philox words (lib/kernels/reference/rng.ts). */
import { philoxBlock, split64 } from '../kernels/reference/rng.js';
import { native } from '../native.js';

/**
 * Streams reserved for shuffling, far above the initializer streams (2 * layerIndex) and dropout streams
 * (layerIndex * 2^40 + t) of docs/engine.md for any realistic model: 2^52 + fitIndex * 2^20 + epoch.
 */
export function shuffleStream(fitIndex: number, epoch: number): number {
  return 2 ** 52 + (fitIndex % 2 ** 31) * 2 ** 20 + (epoch % 2 ** 20);
}

/** A permutation of [0, n): j = floor(word_i * (i + 1) / 2^32) for i = n-1 .. 1 (bias below (i+1)/2^32). */
// word_i is philoxWord(seed, stream, i); one Philox block gives words 4q..4q+3, so it is computed once per four
// swaps into a reused buffer (per-word calls cost a block and an allocation each: ~9 ms per epoch at n = 60,000).
export function shuffledOrderTs(n: number, seed: number, stream: number): Uint32Array {
  const order = identityOrder(n);
  const [k0, k1] = split64(seed), [s0, s1] = split64(stream);
  const block = new Uint32Array(4);
  let q = -1;
  for (let i = n - 1; i > 0; i--) {
    const bq = Math.floor(i / 4);
    if (bq !== q) {
      q = bq;
      const [c0, c1] = split64(q);
      philoxBlock(c0, c1, s0, s1, k0, k1, block, 0);
    }
    const j = Math.floor((block[i - q * 4] * (i + 1)) / 2 ** 32);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

export function identityOrder(n: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order;
}

/**
 * The permutation fit uses: the addon's shuffled_order (kernels/init/rng.h, same words, same j, so the same order)
 * when it is loaded -- ~0.3 ms at n = 60,000 where the TS loop takes 5 ms warm and ~20 ms on its first, unoptimised
 * call, which showed up as event-loop lag at the start of fit -- else the TS loop above.
 */
export function shuffledOrder(n: number, seed: number, stream: number): Uint32Array {
  if (native && n < 2 ** 32) return native.shuffledOrder(n, seed, stream, new Uint32Array(n)) as Uint32Array;
  return shuffledOrderTs(n, seed, stream);
}
