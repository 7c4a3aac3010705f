/**
 * Loss names: the canonical camelCase names of lib/engine/engine.ts plus the Keras aliases users type
 * ('mse', 'categorical_crossentropy', 'sparse_categorical_crossentropy', 'binary_crossentropy', 'mean_squared_error').
 */
import type { LossName } from '../engine/engine.js';
import { SimdnetError, describe } from '../errors.js';

export type { LossName };
export const LOSS_NAMES: readonly LossName[] = ['meanSquaredError', 'binaryCrossentropy', 'categoricalCrossentropy', 'sparseCategoricalCrossentropy'];

const ALIASES: Record<string, LossName> = {
  meansquarederror: 'meanSquaredError',
  mse: 'meanSquaredError',
  binarycrossentropy: 'binaryCrossentropy',
  bce: 'binaryCrossentropy',
  categoricalcrossentropy: 'categoricalCrossentropy',
  cce: 'categoricalCrossentropy',
  sparsecategoricalcrossentropy: 'sparseCategoricalCrossentropy',
};

/** Canonical loss name for any accepted spelling (case, '_' and '-' ignored). */
export function normalizeLoss(name: unknown): LossName {
  const key = typeof name === 'string' ? name.replace(/[_-]/g, '').toLowerCase() : '';
  const hit = ALIASES[key];
  if (!hit)
    throw new SimdnetError('SIMDNET_INVALID_ARGUMENT',
      `Expected one of ${LOSS_NAMES.join(', ')} (or a Keras alias such as 'mse', 'categorical_crossentropy') for loss but received ${describe(name)}`);
  return hit;
}
