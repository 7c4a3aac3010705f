/** Weight penalties { l1?, l2? } (Keras L1L2): loss += l1 * sum|w| + l2 * sum w^2, gradient added per step. */
import type { RegularizerSpec } from '../engine/engine.js';
import { SimdnetError, describe } from '../errors.js';
import { checkNumber } from '../validate.js';

export interface RegularizerArgs {
  /** L1 factor (default 0). */
  l1?: number;
  /** L2 factor (default 0). */
  l2?: number;
}

export function parseRegularizer(v: unknown, field: string): RegularizerSpec | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v))
    throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected { l1?, l2? } for ${field} but received ${describe(v)}`);
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (k !== 'l1' && k !== 'l2') throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Unknown key '${k}' in ${field} (expected l1, l2)`);
  const l1 = o.l1 === undefined ? 0 : checkNumber(o.l1, `${field}.l1`, { lo: 0 });
  const l2 = o.l2 === undefined ? 0 : checkNumber(o.l2, `${field}.l2`, { lo: 0 });
  return { l1, l2 };
}
