/**
 * The optimizer state's layout, shared by both engines and by save/load: for each trainable parameter in params()
 * order, the arrays its optimizer keeps, in this order (native/src/engine/engine.h, Engine::optimizer_state). The
 * names are the JS engine's keys and the names in a saved model's optimizer manifest.
 */
import { SimdnetRangeError, SimdnetTypeError, describe } from '../errors.js';
import { checkF32 } from '../validate.js';
import { OPTIMIZER_DEFAULTS } from '../optimizers/defaults.js';
import type { OptimizerSpec, ParamInfo } from './engine.js';

/** Names of the state arrays one trainable parameter has under this optimizer. */
export function optimizerStateSlots(spec: OptimizerSpec): string[] {
  const o = { ...OPTIMIZER_DEFAULTS[spec.kind], ...spec } as Required<OptimizerSpec>;
  switch (o.kind) {
    case 'sgd':
      return [];
    case 'momentum':
      return ['buf'];
    case 'adagrad':
      return ['sumSq'];
    case 'rmsprop':
      return ['sqAvg', ...(o.centered ? ['gradAvg'] : []), ...(o.momentum > 0 ? ['buf'] : [])];
    case 'adam':
    case 'adamw':
      return ['m', 'v', ...(o.amsgrad ? ['vmax'] : [])];
  }
}

export interface OptimizerStateEntry {
  /** The parameter's name (ParamInfo.name) and its index in params(). */
  param: string;
  paramIndex: number;
  /** The state array's name, e.g. 'm'. */
  slot: string;
  length: number;
}

/** Every state array in export order. */
export function optimizerStateLayout(spec: OptimizerSpec, params: ParamInfo[]): OptimizerStateEntry[] {
  const slots = optimizerStateSlots(spec);
  const out: OptimizerStateEntry[] = [];
  params.forEach((p, paramIndex) => {
    if (!p.trainable) return;
    const length = p.shape.reduce((a, b) => a * b, 1);
    for (const slot of slots) out.push({ param: p.name, paramIndex, slot, length });
  });
  return out;
}

/** Throws a coded TypeError/RangeError unless `arrays` and `step` fit the layout (what setOptimizerState accepts). */
export function checkOptimizerState(layout: OptimizerStateEntry[], arrays: unknown, step: unknown): asserts arrays is Float32Array[] {
  if (!Array.isArray(arrays))
    throw new SimdnetTypeError('SIMDNET_INVALID_ARGUMENT', `Expected an Array of Float32Array for the optimizer state but received ${describe(arrays)}`);
  if (arrays.length !== layout.length)
    throw new SimdnetRangeError('SIMDNET_SHAPE_MISMATCH', `Expected ${layout.length} optimizer state arrays but received ${arrays.length}`);
  arrays.forEach((a, i) => {
    const e = layout[i];
    const name = `state[${i}] (${e.param} ${e.slot})`;
    checkF32(a, name);
    if (a.length !== e.length)
      throw new SimdnetRangeError('SIMDNET_SHAPE_MISMATCH', `${name} has ${a.length} elements but ${e.length} are needed`);
  });
  if (typeof step !== 'number' || !Number.isSafeInteger(step) || step < 0)
    throw new SimdnetRangeError('SIMDNET_INVALID_ARGUMENT', `Expected a non-negative integer for step but received ${describe(step)}`);
}
