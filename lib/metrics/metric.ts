/**
 * Metric objects with state, as Keras 3's (keras.metrics): updateState(yTrue, yPred, sampleWeight?) accumulates a
 * batch, result() reads the value over every batch since the last resetState(). They run in JS over predictions;
 * the engines compute only accuracy, mse and mae natively (docs/metrics.md).
 */
import { SimdnetError, describe } from '../errors.js';
import { toMatrix, type Matrix, type NestedArray, Tensor } from '../tensor.js';

/** A batch of targets or predictions: a Tensor, nested arrays ([n][k] or [n]), or a flat array read as [n, 1]. */
export type MetricInput = Tensor | Float32Array | NestedArray[] | readonly number[];

export abstract class Metric {
  /** The name in logs and in evaluate()'s result (Keras's: 'binary_accuracy', 'auc', ...; fit adds 'val_'). */
  readonly name: string;
  /** Whether a larger value is better (EarlyStopping's mode 'auto'). */
  abstract readonly direction: 'max' | 'min';

  protected constructor(name: string | undefined, fallback: string) {
    if (name !== undefined && (typeof name !== 'string' || name === ''))
      throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected a non-empty string for name but received ${describe(name)}`);
    this.name = name ?? fallback;
  }

  /** Adds one batch. `sampleWeight` (one weight per sample) scales each sample's contribution, as in Keras. */
  updateState(yTrue: MetricInput, yPred: MetricInput, sampleWeight?: MetricInput): void {
    const p = asMatrix(yPred, 'yPred');
    const t = asMatrix(yTrue, 'yTrue');
    if (t.rows !== p.rows) throw new SimdnetError('SIMDNET_SHAPE_MISMATCH', `yTrue has ${t.rows} samples but yPred has ${p.rows}`);
    let w: Float32Array | null = null;
    if (sampleWeight !== undefined && sampleWeight !== null) {
      const m = asMatrix(sampleWeight, 'sampleWeight');
      if (m.rows !== p.rows || m.cols !== 1)
        throw new SimdnetError('SIMDNET_SHAPE_MISMATCH', `Expected ${p.rows} sample weights but received shape [${m.rows}, ${m.cols}]`);
      w = m.data;
    }
    this.update(t, p, w);
  }

  /** @internal updateState on matrices already checked (the model's own predictions). */
  updateMatrices(yTrue: Matrix, yPred: Matrix): void {
    this.update(yTrue, yPred, null);
  }

  /** The value over every batch since the last reset (Keras's divide_no_nan: 0 for an empty state). */
  abstract result(): number;
  abstract resetState(): void;
  protected abstract update(yTrue: Matrix, yPred: Matrix, weights: Float32Array | null): void;
}

export function asMatrix(v: unknown, name: string): Matrix {
  const m = Array.isArray(v) && v.every((e) => typeof e === 'number')
    ? { data: Float32Array.from(v as number[]), rows: v.length, cols: 1 }
    : toMatrix(v instanceof Float32Array ? new Tensor(v, [v.length]) : v, name);
  for (let i = 0; i < m.rows * m.cols; i++)
    if (!Number.isFinite(m.data[i])) throw new SimdnetError('SIMDNET_NOT_FINITE', `${name} holds ${m.data[i]} at index ${i}`);
  return m;
}

export function sameShape(t: Matrix, p: Matrix, what: string): void {
  if (t.cols !== p.cols)
    throw new SimdnetError('SIMDNET_SHAPE_MISMATCH', `${what}: yTrue has ${t.cols} values per sample but yPred has ${p.cols}`);
}

/** a / b, or 0 when b is 0 (Keras's ops.divide_no_nan). */
export function divideNoNan(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

/** Keras's backend.epsilon(). */
export const EPSILON = 1e-7;

/** Index of the row's largest value, first on ties (numpy/Keras argmax). */
export function argmaxRow(d: Float32Array, row: number, k: number): number {
  let best = 0;
  for (let j = 1; j < k; j++) if (d[row * k + j] > d[row * k + best]) best = j;
  return best;
}

/**
 * Keras's MeanMetricWrapper: a value per sample, then the weighted mean over samples (total += v * w,
 * count += w).
 */
export abstract class MeanMetric extends Metric {
  private total = 0;
  private count = 0;

  protected abstract sampleValue(yTrue: Matrix, yPred: Matrix, row: number): number;
  protected check(_t: Matrix, _p: Matrix): void {}

  protected update(t: Matrix, p: Matrix, w: Float32Array | null): void {
    this.check(t, p);
    for (let i = 0; i < p.rows; i++) {
      const wi = w ? w[i] : 1;
      this.total += this.sampleValue(t, p, i) * wi;
      this.count += wi;
    }
  }

  result(): number {
    return divideNoNan(this.total, this.count);
  }

  resetState(): void {
    this.total = 0;
    this.count = 0;
  }
}
