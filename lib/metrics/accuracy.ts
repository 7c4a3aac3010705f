/** Keras 3's accuracy metrics (keras/src/metrics/accuracy_metrics.py), per sample then a weighted mean. */
import { SimdnetError } from '../errors.js';
import type { Matrix } from '../tensor.js';
import { checkNumber, checkSize } from '../validate.js';
import { MeanMetric, argmaxRow, sameShape } from './metric.js';

/** Mean over a sample's outputs of (yPred > threshold) === yTrue. */
export class BinaryAccuracy extends MeanMetric {
  readonly direction = 'max';
  readonly threshold: number;
  constructor(args: { threshold?: number; name?: string } = {}) {
    super(args.name, 'binary_accuracy');
    this.threshold = checkNumber(args.threshold ?? 0.5, 'threshold');
  }
  protected check(t: Matrix, p: Matrix): void {
    sameShape(t, p, 'binaryAccuracy');
  }
  protected sampleValue(t: Matrix, p: Matrix, i: number): number {
    let hits = 0;
    for (let j = 0; j < p.cols; j++) hits += ((p.data[i * p.cols + j] > this.threshold ? 1 : 0) === t.data[i * t.cols + j] ? 1 : 0);
    return hits / p.cols;
  }
}

/** argmax(yTrue) === argmax(yPred), one-hot targets. */
export class CategoricalAccuracy extends MeanMetric {
  readonly direction = 'max';
  constructor(args: { name?: string } = {}) {
    super(args.name, 'categorical_accuracy');
  }
  protected check(t: Matrix, p: Matrix): void {
    sameShape(t, p, 'categoricalAccuracy');
  }
  protected sampleValue(t: Matrix, p: Matrix, i: number): number {
    return argmaxRow(t.data, i, t.cols) === argmaxRow(p.data, i, p.cols) ? 1 : 0;
  }
}

/** yTrue (an integer label per sample) === argmax(yPred). */
export class SparseCategoricalAccuracy extends MeanMetric {
  readonly direction = 'max';
  constructor(args: { name?: string } = {}) {
    super(args.name, 'sparse_categorical_accuracy');
  }
  protected check(t: Matrix): void {
    if (t.cols !== 1) throw new SimdnetError('SIMDNET_SHAPE_MISMATCH', `sparseCategoricalAccuracy: expected one label per sample but yTrue has ${t.cols}`);
  }
  protected sampleValue(t: Matrix, p: Matrix, i: number): number {
    return t.data[i] === argmaxRow(p.data, i, p.cols) ? 1 : 0;
  }
}

/**
 * Whether the true class (argmax of the one-hot yTrue, or the label when `sparse`) is among the k largest
 * predictions: fewer than k classes score strictly higher than it (tf.math.in_top_k; ties count for the class).
 */
export class TopKCategoricalAccuracy extends MeanMetric {
  readonly direction = 'max';
  readonly k: number;
  readonly sparse: boolean;
  constructor(args: { k?: number; sparse?: boolean; name?: string } = {}) {
    super(args.name, args.sparse ? 'sparse_top_k_categorical_accuracy' : 'top_k_categorical_accuracy');
    this.k = checkSize(args.k ?? 5, 'k', 1);
    this.sparse = args.sparse ?? false;
  }
  protected check(t: Matrix, p: Matrix): void {
    if (this.sparse ? t.cols !== 1 : t.cols !== p.cols)
      throw new SimdnetError('SIMDNET_SHAPE_MISMATCH', `topKCategoricalAccuracy: yTrue has ${t.cols} values per sample, yPred ${p.cols}`);
  }
  protected sampleValue(t: Matrix, p: Matrix, i: number): number {
    const c = this.sparse ? t.data[i] : argmaxRow(t.data, i, t.cols);
    const v = p.data[i * p.cols + c];
    let above = 0;
    for (let j = 0; j < p.cols; j++) if (p.data[i * p.cols + j] > v) above++;
    return above < this.k ? 1 : 0;
  }
}
