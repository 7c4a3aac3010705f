/**
 * How a compiled model runs its JS metrics (issue 15). The engines compute loss, accuracy, mse and mae natively
 * while they train; every other metric needs the predictions, which the engines do not hand out per training batch,
 * so (docs/metrics.md):
 *   - evaluate(): the loss and engine metrics from the engine, then one predict pass over x whose outputs update
 *     each Metric batch by batch (reset first), exactly Keras's evaluate;
 *   - fit(): at each epoch's end, before the user's callbacks see the logs, a predict pass over the validation data
 *     gives 'val_<name>' (what Keras computes), and one over the training data gives '<name>', with the epoch's final
 *     weights in inference mode (Keras instead accumulates over the training batches as the weights change).
 */
import type { Engine, Logs, LossName, MetricName } from '../engine/engine.js';
import { SimdnetError } from '../errors.js';
import type { Callback } from '../callbacks/callback.js';
import type { Matrix } from '../tensor.js';
import { prepareInputs, prepareTargets } from '../models/data.js';
import { Metric } from './metric.js';
import { normalizeMetric, resolveMetric } from './index.js';

/** compile()'s metrics, split into the engine's names and JS Metric objects; names must be unique. */
export function splitMetrics(list: readonly unknown[]): { engine: MetricName[]; js: Metric[] } {
  const engine: MetricName[] = [];
  const js: Metric[] = [];
  const names = new Set<string>();
  for (const m of list) {
    const r = resolveMetric(m);
    const name = r instanceof Metric ? r.name : r;
    if (names.has(name)) {
      if (!(r instanceof Metric)) continue; // ['acc', 'accuracy'] is one metric, as before
      throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Two metrics are named '${name}'; pass { name } to tell them apart`);
    }
    names.add(name);
    if (r instanceof Metric) js.push(r);
    else engine.push(r);
  }
  return { engine, js };
}

/**
 * The metric names a save records: the engine's, and the JS metrics whose name is a metric name (e.g. 'precision');
 * loadModel rebuilds those with their defaults. A renamed or configured one (recall({ name: 'recall_at_0.3' })) is
 * not saved: a name cannot carry its settings.
 */
export function savedMetricNames(engine: MetricName[], js: Metric[]): string[] {
  const byName = js.filter((m) => {
    try {
      return normalizeMetric(m.name) === m.name;
    } catch {
      return false;
    }
  });
  return [...engine, ...byName.map((m) => m.name)];
}

/** Resets each metric, updates it with yTrue/outputs in batches of batchSize rows, and returns name -> result. */
export function accumulate(metrics: Metric[], y: Matrix, out: Float32Array, outCols: number, batchSize: number): Record<string, number> {
  const res: Record<string, number> = {};
  for (const m of metrics) {
    m.resetState();
    for (let at = 0; at < y.rows; at += batchSize) {
      const end = Math.min(y.rows, at + batchSize);
      m.updateMatrices(rows(y.data, y.cols, at, end), rows(out, outCols, at, end));
    }
    res[m.name] = m.result();
  }
  return res;
}

function rows(d: Float32Array, cols: number, start: number, end: number): Matrix {
  return { data: d.subarray(start * cols, end * cols), rows: end - start, cols };
}

/** A copy of x and y as fit will see them (the caller may change theirs while fit runs). */
function copied(x: unknown, y: unknown, engine: Engine, loss: LossName, name: string): { x: Matrix; y: Matrix } {
  const xm = prepareInputs(x, engine.inputSize, `${name}x`);
  const ym = prepareTargets(y, loss, engine.outputSize, `${name}y`);
  return {
    x: { data: xm.data.slice(0, xm.rows * xm.cols), rows: xm.rows, cols: xm.cols },
    y: { data: ym.data.slice(0, ym.rows * ym.cols), rows: ym.rows, cols: ym.cols },
  };
}

/** Runs each metric on the first target row against a zero prediction, then resets it; throws what it throws. */
export function probe(metrics: Metric[], y: Matrix, outCols: number): void {
  if (y.rows === 0) return;
  for (const m of metrics) {
    m.resetState();
    m.updateMatrices(rows(y.data, y.cols, 0, 1), { data: new Float32Array(outCols), rows: 1, cols: outCols });
    m.resetState();
  }
}

function tail(m: Matrix, from: number, to: number): Matrix {
  return { data: m.data.subarray(from * m.cols, to * m.cols), rows: to - from, cols: m.cols };
}

/**
 * The fit callback that adds the JS metrics to each epoch's logs. Bad x, y or options are left for fit to refuse
 * (null then): this only reads what fit accepts.
 */
export function fitMetricsCallback(
  metrics: Metric[], engine: Engine, loss: LossName, x: unknown, y: unknown,
  args: { batchSize?: number; validationSplit?: number; validationData?: [unknown, unknown] } | undefined,
): Callback | null {
  let train: { x: Matrix; y: Matrix };
  let val: { x: Matrix; y: Matrix } | null = null;
  try {
    train = copied(x, y, engine, loss, '');
    if (args?.validationData) val = copied(args.validationData[0], args.validationData[1], engine, loss, 'validation ');
    else if (args?.validationSplit) {
      const at = Math.floor(train.x.rows * (1 - args.validationSplit));
      val = { x: tail(train.x, at, train.x.rows), y: tail(train.y, at, train.y.rows) };
      train = { x: tail(train.x, 0, at), y: tail(train.y, 0, at) };
    }
  } catch {
    return null;
  }
  // A metric that cannot read these targets (e.g. AUC on sparse labels) fails now, before any training step.
  probe(metrics, train.y, engine.outputSize);
  const batchSize = typeof args?.batchSize === 'number' && args.batchSize >= 1 ? args.batchSize : 32;
  const run = async (d: { x: Matrix; y: Matrix }) => {
    const out = await engine.predictAsync(d.x.data, d.x.rows, batchSize);
    return accumulate(metrics, d.y, out, engine.outputSize, batchSize);
  };
  return {
    async onEpochEnd(_epoch: number, logs: Logs): Promise<void> {
      if (train.x.rows > 0) Object.assign(logs, await run(train));
      if (val && val.x.rows > 0) for (const [k, v] of Object.entries(await run(val))) logs[`val_${k}`] = v;
    },
  };
}
