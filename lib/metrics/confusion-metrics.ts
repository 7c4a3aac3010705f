/**
 * Keras 3's confusion-based metrics (keras/src/metrics/confusion_metrics.py, f_score_metrics.py): Precision and
 * Recall at a threshold, F1Score per class, AUC by thresholds. Every output value counts as one binary decision
 * (Keras's multi_label=False), unless classId picks one column.
 */
import { SimdnetError, describe } from '../errors.js';
import type { Matrix } from '../tensor.js';
import { checkNumber, checkSize } from '../validate.js';
import { EPSILON, Metric, divideNoNan, sameShape } from './metric.js';

interface ThresholdArgs {
  /** Predicted positive when yPred > threshold (default 0.5). */
  threshold?: number;
  /** Only this output column (class) counts (default: every column). */
  classId?: number;
  name?: string;
}

/** Weighted true/false positive/negative counts at one threshold. */
abstract class ThresholdCounts extends Metric {
  readonly direction = 'max';
  readonly threshold: number;
  readonly classId: number | null;
  protected tp = 0;
  protected fp = 0;
  protected fn = 0;

  protected constructor(args: ThresholdArgs, fallback: string) {
    super(args.name, fallback);
    this.threshold = checkNumber(args.threshold ?? 0.5, 'threshold', { lo: 0, hi: 1 });
    this.classId = args.classId === undefined ? null : checkSize(args.classId, 'classId');
  }

  protected update(t: Matrix, p: Matrix, w: Float32Array | null): void {
    sameShape(t, p, this.name);
    if (this.classId !== null && this.classId >= p.cols)
      throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `classId ${this.classId} is out of range for ${p.cols} outputs`);
    const j0 = this.classId ?? 0;
    const j1 = this.classId === null ? p.cols : this.classId + 1;
    for (let i = 0; i < p.rows; i++) {
      const wi = w ? w[i] : 1;
      for (let j = j0; j < j1; j++) {
        const pos = p.data[i * p.cols + j] > this.threshold;
        const truth = t.data[i * t.cols + j];
        if (pos) {
          this.tp += truth * wi;
          this.fp += (1 - truth) * wi;
        } else this.fn += truth * wi;
      }
    }
  }

  resetState(): void {
    this.tp = this.fp = this.fn = 0;
  }
}

/** tp / (tp + fp). */
export class Precision extends ThresholdCounts {
  constructor(args: ThresholdArgs = {}) {
    super(args, 'precision');
  }
  result(): number {
    return divideNoNan(this.tp, this.tp + this.fp);
  }
}

/** tp / (tp + fn). */
export class Recall extends ThresholdCounts {
  constructor(args: ThresholdArgs = {}) {
    super(args, 'recall');
  }
  result(): number {
    return divideNoNan(this.tp, this.tp + this.fn);
  }
}

export type F1Average = 'micro' | 'macro' | 'weighted' | 'none';

/**
 * Keras 3's F1Score: per class (column) counts of yPred > threshold against yTrue, or with no threshold the
 * row's largest prediction(s) as the predicted class. F1 = 2PR / (P + R + eps) with eps-guarded P and R.
 * average: 'micro' (pooled counts), 'macro' (mean over classes), 'weighted' (by support), 'none' (per class:
 * result() is then their mean, resultPerClass() the values Keras returns). Our default is 'macro', where Keras's is
 * None, because logs hold one number per metric. A single output column with a threshold is binary F1.
 */
export class F1Score extends Metric {
  readonly direction = 'max';
  readonly average: F1Average;
  readonly threshold: number | null;
  private tp: Float64Array | null = null;
  private fp: Float64Array | null = null;
  private fn: Float64Array | null = null;
  private support: Float64Array | null = null;

  constructor(args: { average?: F1Average; threshold?: number | null; name?: string } = {}) {
    super(args.name, 'f1_score');
    const avg = args.average ?? 'macro';
    if (!['micro', 'macro', 'weighted', 'none'].includes(avg))
      throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected one of micro, macro, weighted, none for average but received ${describe(avg)}`);
    this.average = avg;
    this.threshold = args.threshold === undefined || args.threshold === null ? null : checkNumber(args.threshold, 'threshold', { lo: 0, hi: 1 });
  }

  protected update(t: Matrix, p: Matrix, w: Float32Array | null): void {
    sameShape(t, p, this.name);
    if (!this.tp) {
      this.tp = new Float64Array(p.cols);
      this.fp = new Float64Array(p.cols);
      this.fn = new Float64Array(p.cols);
      this.support = new Float64Array(p.cols);
    } else if (this.tp.length !== p.cols) {
      throw new SimdnetError('SIMDNET_SHAPE_MISMATCH', `${this.name}: ${p.cols} classes in this batch but ${this.tp.length} before`);
    }
    const k = p.cols;
    for (let i = 0; i < p.rows; i++) {
      const wi = w ? w[i] : 1;
      let max = -Infinity;
      if (this.threshold === null) for (let j = 0; j < k; j++) max = Math.max(max, p.data[i * k + j]);
      for (let j = 0; j < k; j++) {
        const v = p.data[i * k + j];
        // Keras: with no threshold, every class at the row's max is predicted, unless the value is ~0.
        const pos = this.threshold === null ? v >= max && Math.abs(v) > 1e-9 : v > this.threshold;
        const truth = t.data[i * k + j];
        const pr = pos ? 1 : 0;
        this.tp![j] += pr * truth * wi;
        this.fp![j] += pr * (1 - truth) * wi;
        this.fn![j] += (1 - pr) * truth * wi;
        this.support![j] += truth * wi;
      }
    }
  }

  private static f1(tp: number, fp: number, fn: number): number {
    const precision = tp / (tp + fp + EPSILON);
    const recall = tp / (tp + fn + EPSILON);
    return (2 * precision * recall) / (precision + recall + EPSILON);
  }

  /** F1 of each class (Keras's average=None result); empty before any update. */
  resultPerClass(): number[] {
    if (!this.tp) return [];
    return Array.from(this.tp, (tp, j) => F1Score.f1(tp, this.fp![j], this.fn![j]));
  }

  result(): number {
    if (!this.tp) return 0;
    if (this.average === 'micro') {
      const sum = (a: Float64Array) => a.reduce((s, v) => s + v, 0);
      return F1Score.f1(sum(this.tp), sum(this.fp!), sum(this.fn!));
    }
    const per = this.resultPerClass();
    if (this.average === 'weighted') {
      const total = this.support!.reduce((s, v) => s + v, 0) + EPSILON;
      return per.reduce((s, f, j) => s + f * (this.support![j] / total), 0);
    }
    return per.reduce((s, f) => s + f, 0) / per.length;
  }

  resetState(): void {
    this.tp = this.fp = this.fn = this.support = null;
  }
}

/**
 * Keras 3's AUC (multi_label=False, summation_method='interpolation'): confusion counts at numThresholds
 * thresholds, 0 - eps, i/(n-1) for i = 1..n-2, 1 + eps, a prediction counting as positive above a threshold;
 * predictions are clipped to [0, 1] and bucketed as Keras's evenly-spaced path does, max(0, ceil(p * (n-1)) - 1) in
 * float32. ROC: trapezoids over (FPR, TPR). PR: Davis & Goadrich's interpolation between thresholds
 * (interpolate_pr_auc). How close this gets to the exact (sklearn) value: docs/metrics.md.
 */
export class AUC extends Metric {
  readonly direction = 'max';
  readonly numThresholds: number;
  readonly curve: 'ROC' | 'PR';
  private tpBucket: Float64Array;
  private fpBucket: Float64Array;

  constructor(args: { numThresholds?: number; curve?: 'ROC' | 'PR'; name?: string } = {}) {
    super(args.name, 'auc');
    this.numThresholds = checkSize(args.numThresholds ?? 200, 'numThresholds', 2);
    const curve = args.curve ?? 'ROC';
    if (curve !== 'ROC' && curve !== 'PR') throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected 'ROC' or 'PR' for curve but received ${describe(curve)}`);
    this.curve = curve;
    this.tpBucket = new Float64Array(this.numThresholds);
    this.fpBucket = new Float64Array(this.numThresholds);
  }

  protected update(t: Matrix, p: Matrix, w: Float32Array | null): void {
    sameShape(t, p, this.name);
    const scale = this.numThresholds - 1;
    for (let i = 0; i < p.rows; i++) {
      const wi = w ? w[i] : 1;
      for (let j = 0; j < p.cols; j++) {
        const v = Math.min(1, Math.max(0, p.data[i * p.cols + j]));
        const b = Math.max(0, Math.ceil(Math.fround(v * scale)) - 1);
        const truth = t.data[i * t.cols + j];
        this.tpBucket[b] += truth * wi;
        this.fpBucket[b] += (1 - truth) * wi;
      }
    }
  }

  /** tp, fp, fn, tn at each threshold (counts of predictions above it). */
  counts(): { tp: Float64Array; fp: Float64Array; fn: Float64Array; tn: Float64Array } {
    const n = this.numThresholds;
    const tp = new Float64Array(n);
    const fp = new Float64Array(n);
    for (let i = n - 1, a = 0, b = 0; i >= 0; i--) {
      a += this.tpBucket[i];
      b += this.fpBucket[i];
      tp[i] = a;
      fp[i] = b;
    }
    const fn = tp.map((v) => tp[0] - v);
    const tn = fp.map((v) => fp[0] - v);
    return { tp, fp, fn, tn };
  }

  result(): number {
    const { tp, fp, fn, tn } = this.counts();
    const n = this.numThresholds;
    let auc = 0;
    if (this.curve === 'ROC') {
      for (let i = 0; i < n - 1; i++) {
        const x0 = divideNoNan(fp[i], fp[i] + tn[i]);
        const x1 = divideNoNan(fp[i + 1], fp[i + 1] + tn[i + 1]);
        const y0 = divideNoNan(tp[i], tp[i] + fn[i]);
        const y1 = divideNoNan(tp[i + 1], tp[i + 1] + fn[i + 1]);
        auc += (x0 - x1) * (y0 + y1) / 2;
      }
      return auc;
    }
    for (let i = 0; i < n - 1; i++) {
      const dtp = tp[i] - tp[i + 1];
      const p0 = tp[i] + fp[i];
      const p1 = tp[i + 1] + fp[i + 1];
      const slope = divideNoNan(dtp, Math.max(p0 - p1, 0));
      const intercept = tp[i + 1] - slope * p1;
      const ratio = p0 > 0 && p1 > 0 ? divideNoNan(p0, Math.max(p1, 0)) : 1;
      auc += divideNoNan(slope * (dtp + intercept * Math.log(ratio)), Math.max(tp[i + 1] + fn[i + 1], 0));
    }
    return auc;
  }

  resetState(): void {
    this.tpBucket.fill(0);
    this.fpBucket.fill(0);
  }
}
