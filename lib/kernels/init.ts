/**
 * Weight initializers (public): validates the InitSpec and sizes, then the addon when the backend is native, else
 * the TS twin; both produce bit-identical float32 values for the same arguments (see reference/init.ts).
 */
import type { InitSpec } from '../engine/engine.js';
import { getBackend } from '../backend.js';
import { native } from '../native.js';
import { SimdnetRangeError, SimdnetTypeError, describe } from '../errors.js';
import { checkF32, checkNumber, checkOneOf, checkSize } from '../validate.js';
import { INIT_KINDS } from './reference/init.js';
import * as ref from './reference/init.js';
import * as nat from './native/init.js';
import { checkU53 } from './rng.js';

const F32_MAX = 3.4028234663852886e38;

function checkSpec(spec: unknown): InitSpec {
  if (typeof spec !== 'object' || spec === null)
    throw new SimdnetTypeError('SIMDNET_INVALID_ARGUMENT', `Expected InitSpec object for spec but received ${describe(spec)}`);
  const s = spec as InitSpec;
  checkOneOf(s.kind, 'spec.kind', INIT_KINDS);
  const range = { lo: -F32_MAX, hi: F32_MAX };
  for (const key of ['value', 'minval', 'maxval', 'mean'] as const)
    if (s[key] !== undefined) checkNumber(s[key], `spec.${key}`, range);
  if (s.stddev !== undefined) checkNumber(s.stddev, 'spec.stddev', { lo: 0, hi: F32_MAX });
  if (s.kind === 'randomUniform' && !(Math.fround(s.minval ?? -0.05) < Math.fround(s.maxval ?? 0.05)))
    throw new SimdnetRangeError('SIMDNET_INVALID_ARGUMENT', `Expected spec.minval < spec.maxval but received ${s.minval} and ${s.maxval}`);
  return s;
}

export function initFill(spec: InitSpec, fanIn: number, fanOut: number, seed: number, stream: number, n: number,
                         w: Float32Array): Float32Array {
  checkSpec(spec);
  checkSize(fanIn, 'fanIn', 1);
  checkSize(fanOut, 'fanOut', 1);
  checkU53(seed, 'seed');
  checkU53(stream, 'stream');
  checkSize(n, 'n');
  checkF32(w, 'w', n);
  return (getBackend() === 'native' && native ? nat : ref).initFill(spec, fanIn, fanOut, seed, stream, n, w);
}
