// Seeded pseudo-random inputs for tests. Two generators are in use and each test keeps the one it was written
// with, so that its inputs (and hence what it exercises) stay exactly as they were.

/** Numerical Recipes LCG (a = 1664525, c = 1013904223): a stream of uniforms s / 2^32 in [0, 1). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/**
 * n uniforms in [lo, hi) from the same LCG, using its top 24 bits (exact in float32), written into a view at
 * element `offset` of a fresh buffer (offset 1 = byteOffset 4, unaligned for SIMD).
 */
export function lcgArray(n: number, seed: number, lo: number, hi: number, offset = 0): Float32Array {
  const buf = new Float32Array(n + offset).subarray(offset);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    buf[i] = lo + ((hi - lo) * (s >>> 8)) / 16777216;
  }
  return buf;
}

/** mulberry32 (Tommy Ettinger's public-domain generator): a stream of uniforms in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n mulberry32 uniforms mapped to [lo, hi) as lo + (hi - lo) * u. */
export function mulberryArray(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const next = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * next();
  return out;
}
