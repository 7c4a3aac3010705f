/** Seeded sample orders for fit: Fisher-Yates driven by Philox words (lib/kernels/reference/rng.ts). */
import { philoxWord } from '../kernels/reference/rng.js';

/**
 * Streams reserved for shuffling, far above the initializer streams (2 * layerIndex) and dropout streams
 * (layerIndex * 2^40 + t) of docs/engine.md for any realistic model: 2^52 + fitIndex * 2^20 + epoch.
 */
export function shuffleStream(fitIndex: number, epoch: number): number {
  return 2 ** 52 + (fitIndex % 2 ** 31) * 2 ** 20 + (epoch % 2 ** 20);
}

/** A permutation of [0, n): j = floor(word_i * (i + 1) / 2^32) for i = n-1 .. 1 (bias below (i+1)/2^32). */
export function shuffledOrder(n: number, seed: number, stream: number): Uint32Array {
  const order = identityOrder(n);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor((philoxWord(seed, stream, i) * (i + 1)) / 2 ** 32);
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
