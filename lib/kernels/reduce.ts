/**
 * Reductions on Float32Arrays: column sums of an m x n block with leading dimension ldx (bias gradients), row argmax,
 * sum, sum of squares and mean. Validates, then native or the pure-TS twin.
 */
import { getBackend } from '../backend.js';
import { native } from '../native.js';
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
