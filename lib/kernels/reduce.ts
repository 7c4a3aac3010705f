/**
 * Reductions on Float32Arrays: column sums of an m x n block with leading dimension ldx (bias gradients), row argmax,
 * sum, sum of squares, mean, and the first non-finite element (optionally copying). Validates, then native or the
 * pure-TS twin.
 */
import { getBackend } from '../backend.js';
import { native } from '../native.js';
import { SimdnetRangeError } from '../errors.js';
import { checkBoolean, checkF32, checkI32, checkSize, matrixExtent } from '../validate.js';
import * as nat from './native/reduce.js';
import * as ref from './reference/reduce.js';

const useNative = () => getBackend() === 'native' && native !== null;

export function colSum(m: number, n: number, x: Float32Array, ldx: number, accumulate: boolean, out: Float32Array): Float32Array {
  checkSize(m, 'm');
  checkSize(n, 'n');
  checkSize(ldx, 'ldx');
  checkBoolean(accumulate, 'accumulate');
  checkF32(x, 'x', matrixExtent(m, n, ldx, 'x'));
  checkF32(out, 'out', n);
  return useNative() ? nat.colSum(m, n, x, ldx, accumulate, out) : ref.colSum(m, n, x, ldx, accumulate, out);
}

export function rowArgmax(m: number, n: number, x: Float32Array, ldx: number, out: Int32Array): Int32Array {
  checkSize(m, 'm');
  checkSize(n, 'n');
  checkSize(ldx, 'ldx');
  checkF32(x, 'x', matrixExtent(m, n, ldx, 'x'));
  checkI32(out, 'out', m);
  return useNative() ? nat.rowArgmax(m, n, x, ldx, out) : ref.rowArgmax(m, n, x, ldx, out);
}

export function sum(n: number, x: Float32Array): number {
  checkSize(n, 'n');
  checkF32(x, 'x', n);
  return useNative() ? nat.sum(n, x) : ref.sum(n, x);
}

export function sumSquares(n: number, x: Float32Array): number {
  checkSize(n, 'n');
  checkF32(x, 'x', n);
  return useNative() ? nat.sumSquares(n, x) : ref.sumSquares(n, x);
}

export function mean(n: number, x: Float32Array): number {
  checkSize(n, 'n');
  checkF32(x, 'x', n);
  return useNative() ? nat.mean(n, x) : ref.mean(n, x);
}

/**
 * Index of the first Inf or NaN among x[0..n), or -1. With `copy`, also copies x[0..n) there (every value, the bad
 * ones included): the one pass fit() makes over its snapshot. copy must not overlap x.
 */
export function firstNonFinite(n: number, x: Float32Array, copy: Float32Array | null = null): number {
  checkSize(n, 'n');
  checkF32(x, 'x', n);
  if (copy !== null) {
    checkF32(copy, 'copy', n);
    if (n > 0 && copy.buffer === x.buffer && copy.byteOffset < x.byteOffset + 4 * n && x.byteOffset < copy.byteOffset + 4 * n)
      throw new SimdnetRangeError('SIMDNET_INVALID_ARGUMENT', 'copy must not overlap x');
  }
  return useNative() ? nat.firstNonFinite(n, x, copy) : ref.firstNonFinite(n, x, copy);
}
