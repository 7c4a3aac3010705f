/**
 * Inverted dropout (public): y = x * mask / (1 - rate), the mask from Philox (seed, stream, offset + i) so a seed
 * reproduces it exactly on every backend and ISA. Validates, then native or the TS twin. In place allowed
 * (y === x, dx === dy).
 */
import { getBackend } from '../backend.js';
import { native } from '../native.js';
import { SimdnetRangeError } from '../errors.js';
import { checkF32, checkNumber, checkSize, checkU53, checkU8 } from '../validate.js';
import * as ref from './reference/dropout.js';
import * as nat from './native/dropout.js';

const impl = () => (getBackend() === 'native' && native ? nat : ref);

function checkRate(rate: unknown): number {
  checkNumber(rate, 'rate', { lo: 0, hi: 1, hiOpen: true });
  if (Math.fround(rate as number) >= 1)
    throw new SimdnetRangeError('SIMDNET_INVALID_ARGUMENT', `Expected rate < 1 in float32 but received ${rate as number}`);
  return rate as number;
}

export function dropoutForward(n: number, rate: number, seed: number, stream: number, offset: number,
                               x: Float32Array, y: Float32Array, mask: Uint8Array): Float32Array {
  checkSize(n, 'n');
  checkRate(rate);
  checkU53(seed, 'seed');
  checkU53(stream, 'stream');
  checkU53(offset, 'offset');
  if (offset > 2 ** 53 - n)
    throw new SimdnetRangeError('SIMDNET_INVALID_ARGUMENT', `Expected offset + n <= 2^53 but received ${offset} + ${n}`);
  checkF32(x, 'x', n);
  checkF32(y, 'y', n);
  checkU8(mask, 'mask', n);
  return impl().dropoutForward(n, rate, seed, stream, offset, x, y, mask);
}

export function dropoutBackward(n: number, rate: number, mask: Uint8Array, dy: Float32Array, dx: Float32Array): Float32Array {
  checkSize(n, 'n');
  checkRate(rate);
  checkU8(mask, 'mask', n);
  checkF32(dy, 'dy', n);
  checkF32(dx, 'dx', n);
  return impl().dropoutBackward(n, rate, mask, dy, dx);
}
