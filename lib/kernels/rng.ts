/**
 * Philox4x32-10 (public): validates, then the addon when the backend is native, else the TS twin. Both give the
 * same words (test/kernels/init.test.ts). seed, stream, ctr / i: integers in [0, 2^53].
 */
import { getBackend } from '../backend.js';
import { native } from '../native.js';
import { checkU53 } from '../validate.js';
import * as ref from './reference/rng.js';
import * as nat from './native/rng.js';

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
