/** The in-memory classification data set every loader returns and every transform takes. */
import { SimdnetError, SimdnetRangeError } from '../errors.js';

export interface Dataset {
  /** n x features samples, row-major float32. */
  x: Float32Array;
  /** n class labels, integers in [0, numClasses). */
  labels: Int32Array;
  /** Number of samples. */
  n: number;
  /** Values per sample (the model's input size). */
  features: number;
  /** Number of classes (the model's output size). */
  numClasses: number;
  /** Human-readable class names, index = label; absent when the labels are plain numbers. */
  classNames?: string[];
  /** Shape of one sample when it is an image, e.g. [28, 28]; features = product. */
  sampleShape?: number[];
  /** Where the data came from, for messages ('digits', a path...). */
  source?: string;
}

/** Checks a Dataset's invariants (lengths agree, labels in range); returns it. */
export function checkDataset(ds: Dataset, name = 'dataset'): Dataset {
  if (!ds || !(ds.x instanceof Float32Array) || !(ds.labels instanceof Int32Array))
    throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected ${name} to have a Float32Array x and an Int32Array labels`);
  const { n, features, numClasses } = ds;
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(features) || features < 1 || !Number.isInteger(numClasses) || numClasses < 1)
    throw new SimdnetRangeError('SIMDNET_INVALID_ARGUMENT', `${name} has invalid sizes n=${n}, features=${features}, numClasses=${numClasses}`);
  if (ds.x.length !== n * features)
    throw new SimdnetError('SIMDNET_SHAPE_MISMATCH', `${name}.x has ${ds.x.length} values but n x features = ${n} x ${features}`);
  if (ds.labels.length !== n) throw new SimdnetError('SIMDNET_SHAPE_MISMATCH', `${name}.labels has ${ds.labels.length} entries but n = ${n}`);
  for (let i = 0; i < n; i++) {
    const l = ds.labels[i];
    if (l < 0 || l >= numClasses) throw new SimdnetRangeError('SIMDNET_INVALID_ARGUMENT', `${name}.labels[${i}] = ${l} is outside [0, ${numClasses})`);
  }
  return ds;
}

/** The samples at `indices`, in that order (copies). */
export function take(ds: Dataset, indices: ArrayLike<number>): Dataset {
  const f = ds.features;
  const x = new Float32Array(indices.length * f);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i];
    if (!Number.isInteger(j) || j < 0 || j >= ds.n) throw new SimdnetRangeError('SIMDNET_INVALID_ARGUMENT', `Index ${j} at position ${i} is outside [0, ${ds.n})`);
    x.set(ds.x.subarray(j * f, (j + 1) * f), i * f);
    labels[i] = ds.labels[j];
  }
  return { ...ds, x, labels, n: indices.length };
}

/** Count of samples per class. */
export function classCounts(ds: Dataset): number[] {
  const counts = new Array<number>(ds.numClasses).fill(0);
  for (let i = 0; i < ds.n; i++) counts[ds.labels[i]]++;
  return counts;
}
