/**
 * Philox4x32-10 (public): validates, then the addon when the backend is native, else the TS twin. Both give the
 * same words (test/kernels/init.test.ts). seed, stream, ctr / i: integers in [0, 2^53].
 */
import { getBackend } from '../backend.js';
import { native } from '../native.js';
import { SimdnetRangeError, SimdnetTypeError, describe } from '../errors.js';
import * as ref from './reference/rng.js';
import * as nat from './native/rng.js';

/** An integer in [0, 2^53] (seeds, streams, counters, offsets). */
export function checkU53(v: unknown, name: string): number {
  if (typeof v !== 'number') throw new SimdnetTypeError('SIMDNET_INVALID_ARGUMENT', `Expected integer in [0, 2^53] for ${name} but received ${describe(v)}`);
  if (!Number.isInteger(v) || v < 0 || v > 2 ** 53)
    throw new SimdnetRangeError('SIMDNET_INVALID_ARGUMENT', `Expected integer in [0, 2^53] for ${name} but received ${describe(v)}`);
  return v;
}

const impl = () => (getBackend() === 'native' && native ? nat : ref);

export function philox4x32(seed: number, stream: number, ctr: number): Uint32Array {
  checkU53(seed, 'seed');
  checkU53(stream, 'stream');
  checkU53(ctr, 'ctr');
  return impl().philox4x32(seed, stream, ctr);
}

export function philoxWord(seed: number, stream: number, i: number): number {
  checkU53(seed, 'seed');
  checkU53(stream, 'stream');
  checkU53(i, 'i');
  return impl().philoxWord(seed, stream, i);
}

export function uniform01(seed: number, stream: number, i: number): number {
  checkU53(seed, 'seed');
  checkU53(stream, 'stream');
  checkU53(i, 'i');
  return impl().uniform01(seed, stream, i);
}
