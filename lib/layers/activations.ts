/**
 * Activation identifiers: a name ('relu', 'leakyRelu', 'softmax', ...; Keras snake_case accepted) or an object
 * { name, alpha } for leakyRelu (slope, default 0.01) / { name, temperature } for softmax (default 1).
 */
import type { ActivationKind, ActivationSpec } from '../engine/engine.js';
import { SimdnetError, describe } from '../errors.js';
import { checkNumber } from '../validate.js';

/** An activation name (literal union: a typo fails tsc) ... */
export type ActivationName = ActivationKind | 'leaky_relu';
/** ... or an object with its parameters. */
export type ActivationIdentifier = ActivationName | { name: ActivationName; alpha?: number; temperature?: number };
export const ACTIVATIONS: readonly ActivationKind[] = ['linear', 'sigmoid', 'tanh', 'relu', 'leakyRelu', 'softmax'];

function kindOf(name: unknown, field: string): ActivationKind {
  const key = typeof name === 'string' ? name.replace(/[_-]/g, '').toLowerCase() : '';
  const hit = ACTIVATIONS.find((a) => a.toLowerCase() === key);
  if (!hit) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected one of ${ACTIVATIONS.join(', ')} for ${field} but received ${describe(name)}`);
  return hit;
}

export function parseActivation(v: unknown, field = 'activation'): ActivationSpec {
  if (v === undefined || v === null) return { kind: 'linear' };
  if (typeof v === 'string') {
    const kind = kindOf(v, field);
    if (kind === 'leakyRelu') return { kind, alpha: 0.01 };
    if (kind === 'softmax') return { kind, temperature: 1 };
    return { kind };
  }
  if (typeof v === 'object') {
    const o = v as { name?: unknown; kind?: unknown; alpha?: unknown; temperature?: unknown };
    const kind = kindOf(o.name ?? o.kind, `${field}.name`);
    if (kind === 'leakyRelu') return { kind, alpha: o.alpha === undefined ? 0.01 : checkNumber(o.alpha, `${field}.alpha`, { lo: 0 }) };
    if (kind === 'softmax')
      return { kind, temperature: o.temperature === undefined ? 1 : checkNumber(o.temperature, `${field}.temperature`, { lo: 0, loOpen: true }) };
    if (o.alpha !== undefined || o.temperature !== undefined)
      throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `${field} ${kind} takes no alpha or temperature`);
    return { kind };
  }
  throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected activation name or { name, alpha?, temperature? } for ${field} but received ${describe(v)}`);
}

/** The config form: a plain name when the parameters are defaults, else an object. */
export function activationConfig(a: ActivationSpec): ActivationIdentifier {
  if (a.kind === 'leakyRelu' && a.alpha !== undefined && a.alpha !== 0.01) return { name: a.kind, alpha: a.alpha };
  if (a.kind === 'softmax' && a.temperature !== undefined && a.temperature !== 1) return { name: a.kind, temperature: a.temperature };
  return a.kind;
}
