/**
 * confusionMatrix and classificationReport over class labels, as scikit-learn's confusion_matrix and
 * classification_report (output_dict) compute them. Inputs are integer labels ([n] or [n, 1]) or per-class scores
 * ([n, k]: the row's argmax, first on ties).
 */
import { SimdnetError } from '../errors.js';
import { argmaxRow, asMatrix, type MetricInput } from './metric.js';

function labelsOf(v: MetricInput, name: string): Int32Array {
  const m = asMatrix(v, name);
  const out = new Int32Array(m.rows);
  for (let i = 0; i < m.rows; i++) {
    if (m.cols > 1) {
      out[i] = argmaxRow(m.data, i, m.cols);
      continue;
    }
    const x = m.data[i];
    if (!Number.isInteger(x) || x < 0)
      throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected non-negative integer class labels in ${name} but ${name}[${i}] is ${x}`);
    out[i] = x;
  }
  return out;
}

export interface ConfusionMatrixArgs {
  /** Number of classes (default: the largest label seen + 1). */
  numClasses?: number;
}

/** matrix[t][p] = number of samples of true class t predicted as class p. */
export function confusionMatrix(yTrue: MetricInput, yPred: MetricInput, args: ConfusionMatrixArgs = {}): number[][] {
  const t = labelsOf(yTrue, 'yTrue');
  const p = labelsOf(yPred, 'yPred');
  if (t.length !== p.length) throw new SimdnetError('SIMDNET_SHAPE_MISMATCH', `confusionMatrix: ${t.length} labels but ${p.length} predictions`);
  const seen = Math.max(0, ...t, ...p) + 1;
  const k = args.numClasses ?? seen;
  if (!Number.isInteger(k) || k < 1) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected a positive integer for numClasses but received ${k}`);
  if (seen > k) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `confusionMatrix: class ${seen - 1} is out of range for ${k} classes`);
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < t.length; i++) m[t[i]][p[i]]++;
  return m;
}

export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface ClassificationReport {
  /** One entry per class, in class order. */
  classes: (ClassScores & { name: string })[];
  accuracy: number;
  macroAvg: ClassScores;
  weightedAvg: ClassScores;
  /** sklearn's text layout. */
  text: string;
}

/**
 * Per-class precision, recall, F1 and support, accuracy, macro and support-weighted averages: sklearn's
 * classification_report with zero_division=0 (a class never predicted has precision 0, never present recall 0).
 */
export function classificationReport(
  yTrue: MetricInput, yPred: MetricInput, args: ConfusionMatrixArgs & { classNames?: string[]; digits?: number } = {},
): ClassificationReport {
  const cm = confusionMatrix(yTrue, yPred, { numClasses: args.numClasses ?? args.classNames?.length });
  const k = cm.length;
  const n = cm.reduce((s, r) => s + r.reduce((a, b) => a + b, 0), 0);
  const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);
  const classes = cm.map((row, c) => {
    const tp = row[c];
    const support = row.reduce((a, b) => a + b, 0);
    const predicted = cm.reduce((s, r) => s + r[c], 0);
    const precision = ratio(tp, predicted);
    const recall = ratio(tp, support);
    return { name: args.classNames?.[c] ?? String(c), precision, recall, f1: ratio(2 * precision * recall, precision + recall), support };
  });
  const avg = (w: (s: ClassScores) => number): ClassScores => {
    const total = classes.reduce((s, c) => s + w(c), 0);
    const mean = (f: (s: ClassScores) => number) => ratio(classes.reduce((s, c) => s + f(c) * w(c), 0), total);
    return { precision: mean((c) => c.precision), recall: mean((c) => c.recall), f1: mean((c) => c.f1), support: n };
  };
  const accuracy = ratio(cm.reduce((s, r, c) => s + r[c], 0), n);
  const macroAvg = avg(() => 1);
  const weightedAvg = avg((c) => c.support);
  const digits = args.digits ?? 2;
  const width = Math.max(12, ...classes.map((c) => c.name.length));
  const num = (v: number) => v.toFixed(digits).padStart(10);
  const line = (name: string, s: ClassScores) => `${name.padStart(width)} ${num(s.precision)}${num(s.recall)}${num(s.f1)}${String(s.support).padStart(10)}`;
  const text = [
    `${''.padStart(width)} ${'precision'.padStart(10)}${'recall'.padStart(10)}${'f1-score'.padStart(10)}${'support'.padStart(10)}`,
    '',
    ...classes.map((c) => line(c.name, c)),
    '',
    `${'accuracy'.padStart(width)} ${''.padStart(20)}${num(accuracy)}${String(n).padStart(10)}`,
    line('macro avg', macroAvg),
    line('weighted avg', weightedAvg),
  ].join('\n');
  return { classes, accuracy, macroAvg, weightedAvg, text };
}
