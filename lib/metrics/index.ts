/**
 * Metric names: 'accuracy' (alias 'acc'), 'mse' ('meanSquaredError', 'mean_squared_error'), 'mae'
 * ('meanAbsoluteError', 'mean_absolute_error'). The engines compute them (docs/engine.md, Metrics); the logs use the
 * canonical short name ('accuracy', 'mse', 'mae') and 'val_' twins for validation.
 */
import type { MetricName } from '../engine/engine.js';
import { SimdnetError, describe } from '../errors.js';

export type { MetricName };

const ALIASES: Record<string, MetricName> = {
  accuracy: 'accuracy',
  acc: 'accuracy',
  mse: 'mse',
  meansquarederror: 'mse',
  mae: 'mae',
  meanabsoluteerror: 'mae',
};

export function normalizeMetric(name: unknown): MetricName {
  const key = typeof name === 'string' ? name.replace(/[_-]/g, '').toLowerCase() : '';
  const hit = ALIASES[key];
  if (!hit) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected one of accuracy, mse, mae for metric but received ${describe(name)}`);
  return hit;
}

/** Whether larger is better for a log key ('val_accuracy' -> true, 'loss' -> false), or null when unknown. */
export function metricDirection(key: string): 'max' | 'min' | null {
  const k = key.startsWith('val_') ? key.slice(4) : key;
  if (k === 'loss' || k === 'mse' || k === 'mae') return 'min';
  if (k === 'accuracy' || k === 'acc') return 'max';
  return null;
}
