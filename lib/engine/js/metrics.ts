/** JsEngine's metrics: per-batch sums (docs/engine.md, Metrics) and their means over the samples seen. */
import type { Logs, LossName, MetricName } from '../engine.js';

/**
 * Adds the sum (not mean) of each metric over rows [0, m) to out[metric]: `p` is the model output (m x n), `yb` the
 * targets as the loss reads them (one label per row for the sparse loss).
 */
export function metricSums(metrics: MetricName[], loss: LossName, p: Float32Array, yb: Float32Array, m: number, n: number,
  out: Record<string, number>, w: Float32Array | null = null): void {
  const sparse = loss === 'sparseCategoricalCrossentropy';
  const binaryAcc = loss === 'binaryCrossentropy' || (loss === 'meanSquaredError' && n === 1);
  const target = (r: number, j: number) => (sparse ? (yb[r] === j ? 1 : 0) : yb[r * n + j]);
  for (const metric of metrics) {
    let acc = 0;
    for (let r = 0; r < m; r++) {
      const wr = w ? w[r] : 1; // Keras passes sample_weight to compiled metrics: a weighted mean
      if (metric === 'accuracy') {
        if (binaryAcc) {
          let hits = 0;
          for (let j = 0; j < n; j++) if (p[r * n + j] > 0.5 === target(r, j) > 0.5) hits++;
          acc += (wr * hits) / n;
        } else {
          let best = 0;
          for (let j = 1; j < n; j++) if (p[r * n + j] > p[r * n + best]) best = j;
          if (sparse) acc += best === yb[r] ? wr : 0;
          else {
            let tb = 0;
            for (let j = 1; j < n; j++) if (yb[r * n + j] > yb[r * n + tb]) tb = j;
            acc += best === tb ? wr : 0;
          }
        }
      } else {
        let e = 0;
        for (let j = 0; j < n; j++) {
          const d = p[r * n + j] - target(r, j);
          e += metric === 'mse' ? d * d : Math.abs(d);
        }
        acc += (wr * e) / n;
      }
    }
    out[metric] = (out[metric] ?? 0) + acc;
  }
}

/**
 * The loss sum divided by the sample count n (Keras's loss tracker: batch losses weighted by batch size), every
 * metric sum by the total sample weight (n when unweighted; a zero total gives 0, as Keras's divide_no_nan).
 */
export function meanLogs(sums: Record<string, number>, n: number, weight = n): Logs {
  const out: Logs = { loss: sums.loss / n };
  for (const k in sums) if (k !== 'loss') out[k] = weight === 0 && n > 0 ? 0 : sums[k] / weight;
  return out;
}

/** The sum of w[0..m) (m when w is null). */
export function weightSum(w: Float32Array | null, m: number): number {
  if (!w) return m;
  let s = 0;
  for (let r = 0; r < m; r++) s += w[r];
  return s;
}
