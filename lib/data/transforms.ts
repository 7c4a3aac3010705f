/**
 * Data preparation: one-hot targets, seeded shuffling, train/test and validation splits, feature scaling.
 * Everything is deterministic for a given seed and copies rather than mutating its input.
 */
import { SimdnetError, SimdnetRangeError } from '../errors.js';
import { checkNumber, checkSize } from '../validate.js';
import { type Dataset, take } from './dataset.js';

/**
 * Mulberry32 (Tommy Ettinger, public domain): a 32-bit-state generator, plenty for shuffling a few million indices
 * and trivially reproducible in other languages. Returns uint32 values.
 */
export function createRng(seed: number): () => number {
  checkNumber(seed, 'seed');
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** A uniformly random permutation of 0..n-1 (Fisher-Yates, Knuth TAOCP 3.4.2 algorithm P) from `seed`. */
export function permutation(n: number, seed: number): Uint32Array {
  checkSize(n, 'n');
  const rng = createRng(seed);
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    // Multiply-shift maps a uint32 onto [0, i] with bias below 2^-32 * i: irrelevant for shuffling.
    const j = Math.floor((rng() / 4294967296) * (i + 1));
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}

/** The data set in a seeded random order. */
export function shuffle(ds: Dataset, seed: number): Dataset {
  return take(ds, permutation(ds.n, seed));
}

/** n x numClasses one-hot rows for integer labels in [0, numClasses). */
export function oneHot(labels: ArrayLike<number>, numClasses: number, out?: Float32Array): Float32Array {
  checkSize(numClasses, 'numClasses', 1);
  const n = labels.length;
  const y = out ?? new Float32Array(n * numClasses);
  if (y.length !== n * numClasses) throw new SimdnetError('SIMDNET_SHAPE_MISMATCH', `oneHot output has ${y.length} values but ${n} x ${numClasses} are needed`);
  y.fill(0);
  for (let i = 0; i < n; i++) {
    const l = labels[i];
    if (!Number.isInteger(l) || l < 0 || l >= numClasses)
      throw new SimdnetRangeError('SIMDNET_INVALID_ARGUMENT', `Expected integer label in [0, ${numClasses}) at index ${i} but received ${l}`);
    y[i * numClasses + l] = 1;
  }
  return y;
}

export interface SplitOptions {
  /** Fraction of samples for the test part, in (0, 1). Default 0.25 (scikit-learn's train_test_split). */
  testFraction?: number;
  /** Seed of the shuffle before splitting. Default 0. */
  seed?: number;
  /** Keep each class's proportion in both parts (split per class, then shuffle each part). Default false. */
  stratify?: boolean;
}

/**
 * Shuffles with `seed` and splits; the test part gets round(n * testFraction) samples (at least 1 and at most n-1).
 * Stratified: each class contributes count * testFraction samples to the test part, rounded by the largest-remainder
 * method so the total is still round(n * testFraction).
 */
export function trainTestSplit(ds: Dataset, options: SplitOptions = {}): { train: Dataset; test: Dataset } {
  const testFraction = checkNumber(options.testFraction ?? 0.25, 'testFraction', { lo: 0, hi: 1, loOpen: true, hiOpen: true });
  const seed = checkNumber(options.seed ?? 0, 'seed');
  if (ds.n < 2) throw new SimdnetRangeError('SIMDNET_INVALID_ARGUMENT', `Cannot split a data set of ${ds.n} samples`);
  const order = permutation(ds.n, seed);
  let trainIdx: number[];
  let testIdx: number[];
  if (options.stratify) {
    const byClass: number[][] = Array.from({ length: ds.numClasses }, () => []);
    for (const i of order) byClass[ds.labels[i]].push(i);
    // Per-class test counts by the largest-remainder method, so they add up to exactly round(n * testFraction).
    const total = Math.min(ds.n - 1, Math.max(1, Math.round(ds.n * testFraction)));
    const quotas = byClass.map((m) => m.length * testFraction);
    const counts = quotas.map(Math.floor);
    let left = total - counts.reduce((a, b) => a + b, 0);
    const byRemainder = quotas.map((q, c) => [q - Math.floor(q), c]).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    for (let i = 0; left > 0 && i < byRemainder.length; i++, left--) counts[byRemainder[i][1]]++;
    trainIdx = [];
    testIdx = [];
    byClass.forEach((members, c) => {
      testIdx.push(...members.slice(0, counts[c]));
      trainIdx.push(...members.slice(counts[c]));
    });
    // Interleave classes again: per-class blocks would make every mini-batch single-class without a later shuffle.
    const rank = new Uint32Array(ds.n);
    order.forEach((sample, pos) => (rank[sample] = pos));
    trainIdx.sort((a, b) => rank[a] - rank[b]);
    testIdx.sort((a, b) => rank[a] - rank[b]);
  } else {
    const k = Math.min(ds.n - 1, Math.max(1, Math.round(ds.n * testFraction)));
    testIdx = Array.from(order.subarray(0, k));
    trainIdx = Array.from(order.subarray(k));
  }
  return { train: take(ds, trainIdx), test: take(ds, testIdx) };
}

/**
 * Keras's validation split: the LAST floor(n * fraction) samples (before any shuffling) become the validation part,
 * so shuffle first if the data are ordered by class.
 */
export function validationSplit(ds: Dataset, fraction: number): { train: Dataset; validation: Dataset } {
  checkNumber(fraction, 'fraction', { lo: 0, hi: 1, loOpen: true, hiOpen: true });
  const k = Math.floor(ds.n * fraction);
  const idx = Array.from({ length: ds.n }, (_, i) => i);
  return { train: take(ds, idx.slice(0, ds.n - k)), validation: take(ds, idx.slice(ds.n - k)) };
}

/** Per-feature affine map y = (x - offset) * scale + shift, fitted on training data and applied to any split. */
export interface Scaler {
  kind: 'minMax' | 'standardize';
  offset: Float32Array;
  scale: Float32Array;
  shift: number;
  /** Applies the map to rows of `features` values (a new array unless `out` is given; in place allowed). */
  transform(x: Float32Array, out?: Float32Array): Float32Array;
}

function makeScaler(kind: Scaler['kind'], offset: Float32Array, scale: Float32Array, shift: number): Scaler {
  const f = offset.length;
  return {
    kind,
    offset,
    scale,
    shift,
    transform(x: Float32Array, out?: Float32Array): Float32Array {
      if (x.length % f !== 0) throw new SimdnetError('SIMDNET_SHAPE_MISMATCH', `Scaler fitted on ${f} features cannot transform ${x.length} values`);
      const y = out ?? new Float32Array(x.length);
      if (y.length !== x.length) throw new SimdnetError('SIMDNET_SHAPE_MISMATCH', `Scaler output has ${y.length} values but input has ${x.length}`);
      for (let i = 0; i < x.length; i += f) for (let j = 0; j < f; j++) y[i + j] = (x[i + j] - offset[j]) * scale[j] + shift;
      return y;
    },
  };
}

function checkMatrix(x: Float32Array, features: number): number {
  checkSize(features, 'features', 1);
  if (!(x instanceof Float32Array) || x.length % features !== 0 || x.length === 0)
    throw new SimdnetError('SIMDNET_SHAPE_MISMATCH', `Expected a non-empty Float32Array of rows of ${features} features`);
  return x.length / features;
}

/**
 * Min-max scaling onto [lo, hi] per feature (scikit-learn MinMaxScaler). A constant feature gets scale 1, as
 * scikit-learn does, so it maps to lo on the data it was fitted on.
 */
export function fitMinMax(x: Float32Array, features: number, range: [number, number] = [0, 1]): Scaler {
  const n = checkMatrix(x, features);
  const [lo, hi] = range;
  checkNumber(lo, 'range[0]');
  checkNumber(hi, 'range[1]', { lo, loOpen: true });
  const min = new Float32Array(features).fill(Infinity);
  const max = new Float32Array(features).fill(-Infinity);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < features; j++) {
      const v = x[i * features + j];
      if (v < min[j]) min[j] = v;
      if (v > max[j]) max[j] = v;
    }
  const scale = new Float32Array(features);
  for (let j = 0; j < features; j++) scale[j] = max[j] > min[j] ? (hi - lo) / (max[j] - min[j]) : 1;
  return makeScaler('minMax', min, scale, lo);
}

/**
 * Standardization to zero mean and unit variance per feature (population variance, as scikit-learn StandardScaler;
 * computed in float64). A constant feature gets scale 1.
 */
export function fitStandardize(x: Float32Array, features: number): Scaler {
  const n = checkMatrix(x, features);
  const mean = new Float64Array(features);
  const m2 = new Float64Array(features);
  for (let i = 0; i < n; i++) for (let j = 0; j < features; j++) mean[j] += x[i * features + j];
  for (let j = 0; j < features; j++) mean[j] /= n;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < features; j++) {
      const d = x[i * features + j] - mean[j];
      m2[j] += d * d;
    }
  const scale = new Float32Array(features);
  for (let j = 0; j < features; j++) {
    const std = Math.sqrt(m2[j] / n);
    scale[j] = std > 0 ? 1 / std : 1;
  }
  return makeScaler('standardize', Float32Array.from(mean), scale, 0);
}
