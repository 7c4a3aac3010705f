/**
 * Inverted dropout, the pure-TS twin of native/src/kernels/dropout: element i is kept iff
 * uniform01(philox word offset + i of (seed, stream)) >= rate, kept values are x * scale with the float32 scale
 * 1 / (1 - rate); dropped ones are x * 0 (0 with x's sign; NaN and Inf give NaN, as PyTorch's x * mask * scale). Masks and outputs are bit-identical to every native ISA (rate and scale are
 * rounded to float32 exactly as the addon does).
 */
import { philoxBlock, split64 } from './rng.js';

function consts(rate: number): { threshold: number; scale: number } {
  const r = Math.fround(rate);
  // keep iff (word >>> 8) * 2^-24 >= r  <=>  (word >>> 8) >= ceil(r * 2^24) (power-of-two scaling is exact)
  return { threshold: Math.ceil(r * 16777216), scale: Math.fround(1 / Math.fround(1 - r)) };
}

export function dropoutForward(n: number, rate: number, seed: number, stream: number, offset: number,
                               x: Float32Array, y: Float32Array, mask: Uint8Array): Float32Array {
  const { threshold, scale } = consts(rate);
  const [k0, k1] = split64(seed), [s0, s1] = split64(stream);
  const words = new Uint32Array(4);
  let block = -1;
  for (let i = 0; i < n; i++) {
    const idx = offset + i; // < 2^53 + 2^40: callers keep offset + n <= 2^53
    const b = Math.floor(idx / 4);
    if (b !== block) {
      block = b;
      const [c0, c1] = split64(b);
      philoxBlock(c0, c1, s0, s1, k0, k1, words, 0);
    }
    const keep = words[idx - b * 4] >>> 8 >= threshold;
    mask[i] = keep ? 1 : 0;
    y[i] = x[i] * (keep ? scale : 0); // x * mask * scale: a dropped NaN stays NaN, as in PyTorch and Keras
  }
  return y;
}

export function dropoutBackward(n: number, rate: number, mask: Uint8Array, dy: Float32Array, dx: Float32Array): Float32Array {
  const { scale } = consts(rate);
  for (let i = 0; i < n; i++) dx[i] = dy[i] * (mask[i] ? scale : 0);
  return dx;
}
