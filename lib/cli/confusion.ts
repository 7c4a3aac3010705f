/**
 * The CLI's confusion matrix: the library's confusionMatrix (lib/metrics/confusion-matrix.ts, the public API),
 * flattened for formatConfusion, and its terminal rendering (cli-table3).
 */
import Table from 'cli-table3';
import { confusionMatrix as matrixOf } from '../metrics/confusion-matrix.js';

/** counts[t * k + p] = number of samples of true class t predicted as p. */
export function confusionMatrix(labels: ArrayLike<number>, predicted: ArrayLike<number>, numClasses: number): Int32Array {
  return Int32Array.from(matrixOf(Array.from(labels), Array.from(predicted), { numClasses }).flat());
}

/** Row index of each row's largest value (first on ties), for n rows of k probabilities. */
export function argmaxRows(probs: ArrayLike<number>, k: number): Int32Array {
  const n = Math.floor(probs.length / k);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (probs[i * k + j] > probs[i * k + best]) best = j;
    out[i] = best;
  }
  return out;
}

/** Rows = true class, columns = predicted class, plus per-class recall; names abbreviated to keep it narrow. */
export function formatConfusion(matrix: Int32Array, numClasses: number, classNames?: string[]): string {
  const short = (i: number) => {
    const name = classNames?.[i] ?? String(i);
    return name.length > 7 ? name.slice(0, 6).trimEnd() + '.' : name;
  };
  const table = new Table({
    head: ['true \\ pred', ...Array.from({ length: numClasses }, (_, j) => short(j)), 'recall'],
    style: { head: [], border: [], compact: true },
    colAligns: ['left', ...Array.from({ length: numClasses + 1 }, () => 'right' as const)],
  });
  for (let t = 0; t < numClasses; t++) {
    const row = Array.from(matrix.subarray(t * numClasses, (t + 1) * numClasses));
    const total = row.reduce((a, b) => a + b, 0);
    table.push([classNames?.[t] ?? String(t), ...row.map(String), total ? (row[t] / total).toFixed(3) : '-']);
  }
  return table.toString();
}
