/** The InitSpec check shared by the public initFill and the native wrapper (which resolves the spec itself). */
import type { InitSpec } from '../engine/engine.js';
import { SimdnetRangeError } from '../errors.js';
import { checkNumber, checkObject, checkOneOf } from '../validate.js';
import { INIT_KINDS } from './reference/init.js';

export function checkSpec(spec: unknown): InitSpec {
  const s = checkObject<InitSpec>(spec, 'spec', 'InitSpec object');
  checkOneOf(s.kind, 'spec.kind', INIT_KINDS);
  for (const key of ['value', 'minval', 'maxval', 'mean'] as const)
    if (s[key] !== undefined) checkNumber(s[key], `spec.${key}`);  // finite and within float32 range
  if (s.stddev !== undefined) checkNumber(s.stddev, 'spec.stddev', { lo: 0 });
  if (s.kind === 'randomUniform' && !(Math.fround(s.minval ?? -0.05) < Math.fround(s.maxval ?? 0.05)))
    throw new SimdnetRangeError('SIMDNET_INVALID_ARGUMENT', `Expected spec.minval < spec.maxval but received ${s.minval} and ${s.maxval}`);
  return s;
}
