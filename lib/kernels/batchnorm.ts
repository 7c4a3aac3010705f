/**
 * Batch normalization (public), Keras semantics (reference/batchnorm.ts): validates shapes and ranges, then native
 * or the TS twin. x/y/dy/dx are m x n row-major; per-feature arrays have n elements; gamma/beta/running stats and
 * dgamma/dbeta may be null. In place allowed (y === x, dx === dy).
 */
import { getBackend } from '../backend.js';
import { native } from '../native.js';
import { SimdnetRangeError } from '../errors.js';
import { checkF32, checkNumber, checkSize } from '../validate.js';
import * as ref from './reference/batchnorm.js';
import * as nat from './native/batchnorm.js';

const impl = () => (getBackend() === 'native' && native ? nat : ref);
const opt = (v: Float32Array | null | undefined, name: string, n: number) => (v === null || v === undefined ? null : checkF32(v, name, n));

function shape(m: number, n: number, minRows: number): number {
  checkSize(m, 'm', minRows);
  checkSize(n, 'n');
  if (m * n > 2 ** 40) throw new SimdnetRangeError('SIMDNET_INVALID_ARGUMENT', `m * n = ${m * n} is too large`);
  return m * n;
}
const checkEps = (eps: number) => {
  checkNumber(eps, 'eps', { lo: 0, loOpen: true, hi: 3.4e38 });
  if (Math.fround(eps) === 0) throw new SimdnetRangeError('SIMDNET_INVALID_ARGUMENT', `Expected eps > 0 in float32 but received ${eps}`);
};

export function batchNormForwardTrain(m: number, n: number, momentum: number, eps: number, x: Float32Array,
  gamma: Float32Array | null, beta: Float32Array | null, runningMean: Float32Array | null, runningVar: Float32Array | null,
  saveMean: Float32Array, saveInvStd: Float32Array, y: Float32Array): Float32Array {
  const mn = shape(m, n, 1);
  checkNumber(momentum, 'momentum', { lo: 0, hi: 1 });
  checkEps(eps);
  checkF32(x, 'x', mn);
  const g = opt(gamma, 'gamma', n), b = opt(beta, 'beta', n);
  const rm = opt(runningMean, 'runningMean', n), rv = opt(runningVar, 'runningVar', n);
  checkF32(saveMean, 'saveMean', n);
  checkF32(saveInvStd, 'saveInvStd', n);
  checkF32(y, 'y', mn);
  return impl().batchNormForwardTrain(m, n, momentum, eps, x, g, b, rm, rv, saveMean, saveInvStd, y);
}

export function batchNormForwardInfer(m: number, n: number, eps: number, x: Float32Array, gamma: Float32Array | null,
  beta: Float32Array | null, runningMean: Float32Array, runningVar: Float32Array, y: Float32Array): Float32Array {
  const mn = shape(m, n, 0);
  checkEps(eps);
  checkF32(x, 'x', mn);
  const g = opt(gamma, 'gamma', n), b = opt(beta, 'beta', n);
  checkF32(runningMean, 'runningMean', n);
  checkF32(runningVar, 'runningVar', n);
  checkF32(y, 'y', mn);
  return impl().batchNormForwardInfer(m, n, eps, x, g, b, runningMean, runningVar, y);
}

export function batchNormBackward(m: number, n: number, x: Float32Array, dy: Float32Array, gamma: Float32Array | null,
  saveMean: Float32Array, saveInvStd: Float32Array, dx: Float32Array, dgamma: Float32Array | null,
  dbeta: Float32Array | null): Float32Array {
  const mn = shape(m, n, 1);
  checkF32(x, 'x', mn);
  checkF32(dy, 'dy', mn);
  const g = opt(gamma, 'gamma', n);
  checkF32(saveMean, 'saveMean', n);
  checkF32(saveInvStd, 'saveInvStd', n);
  checkF32(dx, 'dx', mn);
  return impl().batchNormBackward(m, n, x, dy, g, saveMean, saveInvStd, dx, opt(dgamma, 'dgamma', n), opt(dbeta, 'dbeta', n));
}
