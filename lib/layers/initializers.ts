/**
 * Initializer identifiers: a name ('heNormal', 'glorot_uniform', ...) or { name, value | minval, maxval | mean,
 * stddev }. Defaults as Keras: randomUniform [-0.05, 0.05], randomNormal/truncatedNormal mean 0 stddev 0.05,
 * constant 0. The fill itself is lib/kernels/reference/init.ts (initFill; Philox streams per docs/engine.md).
 */
import type { InitKind, InitSpec } from '../engine/engine.js';
import { SimdnetError, describe } from '../errors.js';
import { checkNumber } from '../validate.js';

export const INITIALIZERS: readonly InitKind[] = [
  'zeros', 'ones', 'constant', 'randomUniform', 'randomNormal', 'truncatedNormal',
  'glorotUniform', 'glorotNormal', 'heUniform', 'heNormal', 'lecunUniform', 'lecunNormal',
];

/** Initializer names: camelCase or Keras's snake_case (literal union: a typo fails tsc; any case is accepted at run time). */
export type InitializerName =
  | InitKind
  | 'random_uniform' | 'random_normal' | 'truncated_normal' | 'glorot_uniform' | 'glorot_normal' | 'he_uniform' | 'he_normal'
  | 'lecun_uniform' | 'lecun_normal';

export type InitializerIdentifier =
  | InitializerName
  | { name: InitializerName; value?: number; minval?: number; maxval?: number; mean?: number; stddev?: number };

function kindOf(name: unknown, field: string): InitKind {
  const key = typeof name === 'string' ? name.replace(/[_-]/g, '').toLowerCase() : '';
  const hit = INITIALIZERS.find((k) => k.toLowerCase() === key);
  if (!hit) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected one of ${INITIALIZERS.join(', ')} for ${field} but received ${describe(name)}`);
  return hit;
}

export function parseInitializer(v: unknown, field: string, fallback: InitKind): InitSpec {
  if (v === undefined || v === null) return { kind: fallback };
  if (typeof v === 'string') return withDefaults({ kind: kindOf(v, field) });
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const spec: InitSpec = { kind: kindOf(o.name ?? o.kind, `${field}.name`) };
    for (const k of ['value', 'minval', 'maxval', 'mean'] as const) if (o[k] !== undefined) spec[k] = checkNumber(o[k], `${field}.${k}`);
    if (o.stddev !== undefined) spec.stddev = checkNumber(o.stddev, `${field}.stddev`, { lo: 0 });
    const full = withDefaults(spec);
    if (full.minval !== undefined && full.maxval !== undefined && full.minval > full.maxval)
      throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected ${field}.minval <= maxval but received ${full.minval} > ${full.maxval}`);
    return full;
  }
  throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected initializer name or { name, ... } for ${field} but received ${describe(v)}`);
}

function withDefaults(s: InitSpec): InitSpec {
  switch (s.kind) {
    case 'constant': return { value: 0, ...s };
    case 'randomUniform': return { minval: -0.05, maxval: 0.05, ...s };
    case 'randomNormal':
    case 'truncatedNormal': return { mean: 0, stddev: 0.05, ...s };
    default: return s;
  }
}

/** The config form (round-trips through parseInitializer). */
export function initializerConfig(s: InitSpec): InitializerIdentifier {
  const { kind, ...rest } = s;
  return Object.keys(rest).length === 0 ? kind : { name: kind, ...rest };
}
