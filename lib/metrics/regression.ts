/** Keras 3's regression metrics: the per-sample mean over outputs, then a weighted mean over samples. */
import type { Matrix } from '../tensor.js';
import { MeanMetric, sameShape } from './metric.js';

abstract class ErrorMean extends MeanMetric {
  readonly direction = 'min';
  protected abstract err(d: number): number;
  protected check(t: Matrix, p: Matrix): void {
    sameShape(t, p, this.name);
  }
  protected sampleValue(t: Matrix, p: Matrix, i: number): number {
    let s = 0;
    for (let j = 0; j < p.cols; j++) s += this.err(p.data[i * p.cols + j] - t.data[i * t.cols + j]);
    return s / p.cols;
  }
}

export class MeanSquaredError extends ErrorMean {
  constructor(args: { name?: string } = {}) {
    super(args.name, 'mean_squared_error');
  }
  protected err(d: number): number {
    return d * d;
  }
}

export class MeanAbsoluteError extends ErrorMean {
  constructor(args: { name?: string } = {}) {
    super(args.name, 'mean_absolute_error');
  }
  protected err(d: number): number {
    return Math.abs(d);
  }
}

/** sqrt of the weighted mean squared error (Keras: the root is taken in result(), over the whole state). */
export class RootMeanSquaredError extends ErrorMean {
  constructor(args: { name?: string } = {}) {
    super(args.name, 'root_mean_squared_error');
  }
  protected err(d: number): number {
    return d * d;
  }
  result(): number {
    return Math.sqrt(super.result());
  }
}
