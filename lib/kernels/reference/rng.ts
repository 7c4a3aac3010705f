/**
 * Philox4x32-10 counter-based generator, the pure-TS twin of native/src/kernels/init/{rng.h,philox.h}: same words
 * for the same (seed, stream, counter), so seeds reproduce dropout masks and initial weights exactly on either
 * backend. seed, stream and counters are non-negative integers <= 2^53 (split into 32-bit halves here).
 */

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;
const TWO32 = 4294967296;

/** High 32 bits of the 64-bit product of two uint32 (16-bit limbs keep every partial product exact in a double). */
function mulhi(a: number, b: number): number {
  const aL = a & 0xffff, aH = a >>> 16, bL = b & 0xffff, bH = b >>> 16;
  const ll = aL * bL, lh = aL * bH, hl = aH * bL, hh = aH * bH;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (hh + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) >>> 0;
}

/** Splits a non-negative integer <= 2^53 into [lo, hi] 32-bit words. */
export function split64(x: number): [number, number] {
  const hi = Math.floor(x / TWO32);
  return [(x - hi * TWO32) >>> 0, hi >>> 0];
}

/** The ten rounds on counter words (c0..c3) with key (k0, k1); writes the four outputs to out[at..at+3]. */
export function philoxBlock(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number,
                            out: Uint32Array, at: number): void {
  for (let r = 0; r < 10; r++) {
    if (r > 0) {
      k0 = (k0 + W0) >>> 0;
      k1 = (k1 + W1) >>> 0;
    }
    const hi0 = mulhi(M0, c0), lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulhi(M1, c2), lo1 = Math.imul(M1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
  }
  out[at] = c0;
  out[at + 1] = c1;
  out[at + 2] = c2;
  out[at + 3] = c3;
}

/** Four output words for counter `ctr` of stream (seed, stream): counter = {ctr lo, ctr hi, stream lo, stream hi}. */
export function philox4x32(seed: number, stream: number, ctr: number): Uint32Array {
  const out = new Uint32Array(4);
  const [k0, k1] = split64(seed), [s0, s1] = split64(stream), [c0, c1] = split64(ctr);
  philoxBlock(c0, c1, s0, s1, k0, k1, out, 0);
  return out;
}

/** Word i of the stream: philox4x32(seed, stream, floor(i / 4))[i % 4]. */
export function philoxWord(seed: number, stream: number, i: number): number {
  const q = Math.floor(i / 4);
  return philox4x32(seed, stream, q)[i - q * 4];
}

/** Uniform in [0, 1) with 24 random bits: (word >>> 8) * 2^-24 (exact in float32). */
export function uniform01(seed: number, stream: number, i: number): number {
  return (philoxWord(seed, stream, i) >>> 8) * 2 ** -24;
}
