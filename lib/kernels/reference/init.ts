/**
 * Weight initializers, the pure-TS twin of native/src/kernels/init/init.cc, bit-identical to it: every value is a
 * chain of IEEE double operations JS and C++ both round the same way (+ - * / sqrt), rounded to float32 once, and
 * the normal sampler uses its own log/cos series instead of Math.log/Math.cos (V8 and libm may differ in the last
 * bit). Keep the operation order in sync with init.cc. Keras definitions (fan_in / fan_out of a Dense kernel =
 * its input / output size):
 *   glorotUniform U(-l, l), l = sqrt(6/(fanIn+fanOut)); heUniform l = sqrt(6/fanIn); lecunUniform l = sqrt(3/fanIn);
 *   glorotNormal / heNormal / lecunNormal: truncated normal (redraw beyond 2 std) with std sqrt(2/(fanIn+fanOut)),
 *   sqrt(2/fanIn), sqrt(1/fanIn), each divided by .87962566103423978 (the std of a unit normal truncated to
 *   [-2, 2]) as Keras VarianceScaling does; randomUniform [minval, maxval) (default -0.05, 0.05); randomNormal and
 *   truncatedNormal (mean 0, stddev 0.05 by default); constant(value, default 0); zeros; ones.
 * Element i of a uniform kind uses Philox word i of (seed, stream); of a normal kind, words 0 and 1 of block
 * (i | attempt << 48) in Box-Muller (attempt > 0 only for truncated redraws).
 */
import type { InitKind, InitSpec } from '../../engine/engine.js';
import { philoxBlock, split64 } from './rng.js';

const TWO32_INV = 1 / 4294967296;
const TWO24_INV = 1 / 16777216;
const LN2 = 0.6931471805599453;
const SQRT2 = 1.4142135623730951;
const TWO_PI = 6.283185307179586;
const TRUNC_STD = 0.87962566103423978;

/** The kinds in native enum order (init.h `Init`): the addon takes the index. */
export const INIT_KINDS: readonly InitKind[] = [
  'zeros', 'ones', 'constant', 'randomUniform', 'randomNormal', 'truncatedNormal',
  'glorotUniform', 'glorotNormal', 'heUniform', 'heNormal', 'lecunUniform', 'lecunNormal',
];

/** An InitSpec with Keras defaults filled in, as the float32 values the native InitArgs carries. */
export interface ResolvedInit {
  kind: InitKind;
  value: number;
  /** uniform: [a, b); normal kinds: mean a, std b */
  a: number;
  b: number;
}

export function resolveInit(spec: InitSpec): ResolvedInit {
  const f = Math.fround;
  switch (spec.kind) {
    case 'constant':
      return { kind: spec.kind, value: f(spec.value ?? 0), a: 0, b: 1 };
    case 'randomUniform':
      return { kind: spec.kind, value: 0, a: f(spec.minval ?? -0.05), b: f(spec.maxval ?? 0.05) };
    case 'randomNormal':
    case 'truncatedNormal':
      return { kind: spec.kind, value: 0, a: f(spec.mean ?? 0), b: f(spec.stddev ?? 0.05) };
    default:
      return { kind: spec.kind, value: 0, a: 0, b: 1 };
  }
}

/** log(v * 2^-32) for an integer v in [1, 2^32] (init.cc log_u32). */
function logU32(v: number): number {
  let e = 0;
  let m = v;
  while (m >= 2) {
    m *= 0.5;
    e++;
  }
  if (m > SQRT2) {
    m *= 0.5;
    e++;
  }
  const f = m - 1;
  const s = f / (2 + f);
  const s2 = s * s;
  let p = 1 / 23;
  p = p * s2 + 1 / 21;
  p = p * s2 + 1 / 19;
  p = p * s2 + 1 / 17;
  p = p * s2 + 1 / 15;
  p = p * s2 + 1 / 13;
  p = p * s2 + 1 / 11;
  p = p * s2 + 1 / 9;
  p = p * s2 + 1 / 7;
  p = p * s2 + 1 / 5;
  p = p * s2 + 1 / 3;
  p = p * s2 + 1;
  return (e - 32) * LN2 + 2 * s * p;
}

function cosSeries(x: number): number {
  const x2 = x * x;
  let p = -1 / 6402373705728000;
  p = p * x2 + 1 / 20922789888000;
  p = p * x2 - 1 / 87178291200;
  p = p * x2 + 1 / 479001600;
  p = p * x2 - 1 / 3628800;
  p = p * x2 + 1 / 40320;
  p = p * x2 - 1 / 720;
  p = p * x2 + 1 / 24;
  p = p * x2 - 1 / 2;
  return p * x2 + 1;
}

function sinSeries(x: number): number {
  const x2 = x * x;
  let p = -1 / 121645100408832000;
  p = p * x2 + 1 / 355687428096000;
  p = p * x2 - 1 / 1307674368000;
  p = p * x2 + 1 / 6227020800;
  p = p * x2 - 1 / 39916800;
  p = p * x2 + 1 / 362880;
  p = p * x2 - 1 / 5040;
  p = p * x2 + 1 / 120;
  p = p * x2 - 1 / 6;
  return p * x2 * x + x;
}

function cos2pi(t: number): number {
  if (t >= 0.5) t = 1 - t;
  let sign = 1;
  if (t > 0.25) {
    t = 0.5 - t;
    sign = -1;
  }
  if (t > 0.125) return sign * sinSeries(TWO_PI * (0.25 - t));
  return sign * cosSeries(TWO_PI * t);
}

const scratch = new Uint32Array(4);

function stdNormal(k0: number, k1: number, s0: number, s1: number, i: number, attempt: number): number {
  // counter = i | attempt << 48 as two 32-bit words (i < 2^40, attempt < 2^16)
  const ihi = Math.floor(i / 4294967296);
  philoxBlock((i - ihi * 4294967296) >>> 0, (ihi + attempt * 65536) >>> 0, s0, s1, k0, k1, scratch, 0);
  const r = Math.sqrt(-2 * logU32(scratch[0] + 1));
  return r * cos2pi(scratch[1] * TWO32_INV);
}

function truncNormal(k0: number, k1: number, s0: number, s1: number, i: number): number {
  for (let k = 0; k < 65536; k++) {
    const z = stdNormal(k0, k1, s0, s1, i, k);
    if (z >= -2 && z <= 2) return z;
  }
  return 0;
}

function fillUniform(lo: number, hi: number, seed: number, stream: number, n: number, w: Float32Array): void {
  const [k0, k1] = split64(seed), [s0, s1] = split64(stream);
  const span = hi - lo;
  const r = new Uint32Array(4);
  for (let base = 0; base < n; base += 4) {
    const q = base / 4;
    const qhi = Math.floor(q / 4294967296);
    philoxBlock((q - qhi * 4294967296) >>> 0, qhi >>> 0, s0, s1, k0, k1, r, 0);
    for (let j = 0; j < 4 && base + j < n; j++) w[base + j] = lo + span * ((r[j] >>> 8) * TWO24_INV);
  }
}

function fillNormal(mean: number, std: number, truncated: boolean, seed: number, stream: number, n: number,
                    w: Float32Array): void {
  const [k0, k1] = split64(seed), [s0, s1] = split64(stream);
  for (let i = 0; i < n; i++) {
    const z = truncated ? truncNormal(k0, k1, s0, s1, i) : stdNormal(k0, k1, s0, s1, i, 0);
    w[i] = mean + std * z;
  }
}

/** Fills w[0..n) (Float32Array stores round each double once, like init.cc's static_cast<float>). Returns w. */
export function initFill(spec: InitSpec, fanIn: number, fanOut: number, seed: number, stream: number, n: number,
                         w: Float32Array): Float32Array {
  const r = resolveInit(spec);
  switch (r.kind) {
    case 'zeros':
      w.fill(0, 0, n);
      break;
    case 'ones':
      w.fill(1, 0, n);
      break;
    case 'constant':
      w.fill(r.value, 0, n);
      break;
    case 'randomUniform':
      fillUniform(r.a, r.b, seed, stream, n, w);
      break;
    case 'randomNormal':
      fillNormal(r.a, r.b, false, seed, stream, n, w);
      break;
    case 'truncatedNormal':
      fillNormal(r.a, r.b, true, seed, stream, n, w);
      break;
    case 'glorotUniform': {
      const l = Math.sqrt(6 / (fanIn + fanOut));
      fillUniform(-l, l, seed, stream, n, w);
      break;
    }
    case 'heUniform': {
      const l = Math.sqrt(6 / fanIn);
      fillUniform(-l, l, seed, stream, n, w);
      break;
    }
    case 'lecunUniform': {
      const l = Math.sqrt(3 / fanIn);
      fillUniform(-l, l, seed, stream, n, w);
      break;
    }
    case 'glorotNormal':
      fillNormal(0, Math.sqrt(2 / (fanIn + fanOut)) / TRUNC_STD, true, seed, stream, n, w);
      break;
    case 'heNormal':
      fillNormal(0, Math.sqrt(2 / fanIn) / TRUNC_STD, true, seed, stream, n, w);
      break;
    case 'lecunNormal':
      fillNormal(0, Math.sqrt(1 / fanIn) / TRUNC_STD, true, seed, stream, n, w);
      break;
  }
  return w;
}
