/** JsEngine's metrics: per-batch sums (docs/engine.md, Metrics) and their means over the samples seen. */
import type { Logs, LossName, MetricName } from '../engine.js';

/**
 * Adds the sum (not mean) of each metric over rows [0, m) to out[metric]: `p` is the model output (m x n), `yb` the
 * targets as the loss reads them (one label per row for the sparse loss).
 */
export function metricSums(metrics: MetricName[], loss: LossName, p: Float32Array, yb: Float32Array, m: number, n: number,
  out: Record<string, number>): void {
  const sparse = loss === 'sparseCategoricalCrossentropy';
  const binaryAcc = loss === 'binaryCrossentropy' || (loss === 'meanSquaredError' && n === 1);
  const target = (r: number, j: number) => (sparse ? (yb[r] === j ? 1 : 0) : yb[r * n + j]);
  for (const metric of metrics) {
    let acc = 0;
    for (let r = 0; r < m; r++) {
      if (metric === 'accuracy') {
        if (binaryAcc) {
          let hits = 0;
          for (let j = 0; j < n; j++) if (p[r * n + j] > 0.5 === target(r, j) > 0.5) hits++;
          acc += hits / n;
        } else {
          let best = 0;
          for (let j = 1; j < n; j++) if (p[r * n + j] > p[r * n + best]) best = j;
          if (sparse) acc += best === yb[r] ? 1 : 0;
          else {
            let tb = 0;
            for (let j = 1; j < n; j++) if (yb[r * n + j] > yb[r * n + tb]) tb = j;
            acc += best === tb ? 1 : 0;
          }
        }
      } else {
        let e = 0;
        for (let j = 0; j < n; j++) {
          const d = p[r * n + j] - target(r, j);
          e += metric === 'mse' ? d * d : Math.abs(d);
        }
        acc += e / n;
      }
    }
    out[metric] = (out[metric] ?? 0) + acc;
  }
}

/** Divides every sum by the sample count n. */
export function meanLogs(sums: Record<string, number>, n: number): Logs {
  const out: Logs = { loss: sums.loss / n };
  for (const k in sums) out[k] = sums[k] / n;
  return out;
}
