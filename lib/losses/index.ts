/**
 * Loss names: the canonical camelCase names of lib/engine/engine.ts plus the Keras aliases users type
 * ('mse', 'categorical_crossentropy', 'sparse_categorical_crossentropy', 'binary_crossentropy', 'mean_squared_error').
 */
import type { LossName } from '../engine/engine.js';
import { SimdnetError, describe } from '../errors.js';

export type { LossName };
/**
 * What compile() takes for loss: a canonical name or one of the Keras spellings below. A literal union, so that a
 * typo fails tsc (issue 15); normalizeLoss still accepts any case and '_'/'-' at run time (e.g. from JSON).
 */
export type LossIdentifier =
  | LossName
  | 'mse' | 'mean_squared_error' | 'binary_crossentropy' | 'bce' | 'categorical_crossentropy' | 'cce' | 'sparse_categorical_crossentropy'
  | 'mae' | 'mean_absolute_error' | 'log_cosh' | 'logcosh' | 'squared_hinge' | 'kld' | 'kl_divergence' | 'kullback_leibler_divergence';
export const LOSS_NAMES: readonly LossName[] = ['meanSquaredError', 'binaryCrossentropy', 'categoricalCrossentropy', 'sparseCategoricalCrossentropy',
  'meanAbsoluteError', 'huber', 'logCosh', 'hinge', 'squaredHinge', 'kullbackLeiblerDivergence', 'poisson'];

const ALIASES: Record<string, LossName> = {
  meansquarederror: 'meanSquaredError',
  mse: 'meanSquaredError',
  binarycrossentropy: 'binaryCrossentropy',
  bce: 'binaryCrossentropy',
  categoricalcrossentropy: 'categoricalCrossentropy',
  cce: 'categoricalCrossentropy',
  sparsecategoricalcrossentropy: 'sparseCategoricalCrossentropy',
  meanabsoluteerror: 'meanAbsoluteError',
  mae: 'meanAbsoluteError',
  huber: 'huber',
  logcosh: 'logCosh',
  hinge: 'hinge',
  squaredhinge: 'squaredHinge',
  kullbackleiblerdivergence: 'kullbackLeiblerDivergence',
  kldivergence: 'kullbackLeiblerDivergence',
  kld: 'kullbackLeiblerDivergence',
  poisson: 'poisson',
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
