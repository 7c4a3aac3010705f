/**
 * Metrics for compile({ metrics }): a name or a Metric object.
 *   - 'accuracy' ('acc'), 'mse' ('meanSquaredError', 'mean_squared_error'), 'mae' ('meanAbsoluteError',
 *     'mean_absolute_error') are computed by the engines, natively on the native one (docs/engine.md, Metrics);
 *   - every other metric is a Metric object (lib/metrics/*.ts) that the model updates from predictions in JS
 *     (docs/metrics.md says when: evaluate, and fit's epoch ends).
 * Logs use the engine names ('accuracy', 'mse', 'mae') and each Metric's name (Keras's: 'precision', 'auc', ...),
 * with 'val_' twins for validation.
 */
import type { MetricName } from '../engine/engine.js';
import { SimdnetError, describe } from '../errors.js';
import { BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, TopKCategoricalAccuracy } from './accuracy.js';
import { AUC, F1Score, Precision, Recall } from './confusion-metrics.js';
import { Metric } from './metric.js';
import { RootMeanSquaredError } from './regression.js';

export type { MetricName };
export { Metric, type MetricInput } from './metric.js';
export { BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, TopKCategoricalAccuracy } from './accuracy.js';
export { MeanSquaredError, MeanAbsoluteError, RootMeanSquaredError } from './regression.js';
export { Precision, Recall, F1Score, AUC, type F1Average } from './confusion-metrics.js';
export { confusionMatrix, classificationReport, type ConfusionMatrixArgs, type ClassificationReport, type ClassScores } from './confusion-matrix.js';

/** Names the engines compute (any case; '_' and '-' ignored at run time). */
export type EngineMetricName = MetricName | 'acc' | 'meanSquaredError' | 'mean_squared_error' | 'meanAbsoluteError' | 'mean_absolute_error';

/** Names of the JS metrics with their defaults (Keras's strings, and camelCase). */
export type JsMetricName =
  | 'binary_accuracy' | 'binaryAccuracy'
  | 'categorical_accuracy' | 'categoricalAccuracy'
  | 'sparse_categorical_accuracy' | 'sparseCategoricalAccuracy'
  | 'top_k_categorical_accuracy' | 'topKCategoricalAccuracy'
  | 'sparse_top_k_categorical_accuracy' | 'sparseTopKCategoricalAccuracy'
  | 'precision' | 'recall' | 'f1_score' | 'f1Score' | 'auc'
  | 'root_mean_squared_error' | 'rootMeanSquaredError' | 'rmse';

/** What compile({ metrics }) takes: a literal union of names, so that a typo fails tsc (issue 15), or a Metric. */
export type MetricIdentifier = EngineMetricName | JsMetricName | Metric;

const ENGINE: Record<string, MetricName> = {
  accuracy: 'accuracy',
  acc: 'accuracy',
  mse: 'mse',
  meansquarederror: 'mse',
  mae: 'mae',
  meanabsoluteerror: 'mae',
};

const JS: Record<string, () => Metric> = {
  binaryaccuracy: () => new BinaryAccuracy(),
  categoricalaccuracy: () => new CategoricalAccuracy(),
  sparsecategoricalaccuracy: () => new SparseCategoricalAccuracy(),
  topkcategoricalaccuracy: () => new TopKCategoricalAccuracy(),
  sparsetopkcategoricalaccuracy: () => new TopKCategoricalAccuracy({ sparse: true }),
  precision: () => new Precision(),
  recall: () => new Recall(),
  f1score: () => new F1Score(),
  auc: () => new AUC(),
  rootmeansquarederror: () => new RootMeanSquaredError(),
  rmse: () => new RootMeanSquaredError(),
};

const key = (name: unknown) => (typeof name === 'string' ? name.replace(/[_-]/g, '').toLowerCase() : '');

function unknownMetric(name: unknown): SimdnetError {
  return new SimdnetError('SIMDNET_INVALID_ARGUMENT',
    `Expected a Metric or one of accuracy, mse, mae, ${['binary_accuracy', 'categorical_accuracy', 'sparse_categorical_accuracy', 'top_k_categorical_accuracy',
      'sparse_top_k_categorical_accuracy', 'precision', 'recall', 'f1_score', 'auc', 'root_mean_squared_error'].join(', ')} for metric but received ${describe(name)}`);
}

/** The canonical name (the log key) for any metric name: 'acc' -> 'accuracy', 'f1Score' -> 'f1_score'; throws for unknown ones. */
export function normalizeMetric(name: unknown): string {
  const k = key(name);
  if (ENGINE[k]) return ENGINE[k];
  if (JS[k]) return JS[k]().name;
  throw unknownMetric(name);
}

/** An engine metric name, or a Metric (a fresh one with defaults for a JS metric's name). */
export function resolveMetric(m: unknown): MetricName | Metric {
  if (m instanceof Metric) return m;
  const k = key(m);
  if (ENGINE[k]) return ENGINE[k];
  const make = JS[k];
  if (!make) throw unknownMetric(m);
  return make();
}

/** Whether larger is better for a log key ('val_accuracy' -> true, 'loss' -> false), or null when unknown. */
export function metricDirection(key: string): 'max' | 'min' | null {
  const k = key.startsWith('val_') ? key.slice(4) : key;
  if (k === 'loss' || k === 'mse' || k === 'mae') return 'min';
  if (k === 'accuracy' || k === 'acc') return 'max';
  const known = JS[k.replace(/[_-]/g, '').toLowerCase()];
  return known ? known().direction : null;
}
