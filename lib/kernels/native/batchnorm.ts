/** Thin typed wrappers over the addon's batch normalization (native/src/addon/ops-batchnorm.cc). */
import { requireNative } from '../../native.js';

export function batchNormForwardTrain(m: number, n: number, momentum: number, eps: number, x: Float32Array,
  gamma: Float32Array | null, beta: Float32Array | null, runningMean: Float32Array | null, runningVar: Float32Array | null,
  saveMean: Float32Array, saveInvStd: Float32Array, y: Float32Array): Float32Array {
  requireNative().batchNormForwardTrain(m, n, momentum, eps, x, gamma, beta, runningMean, runningVar, saveMean, saveInvStd, y);
  return y;
}

export function batchNormForwardInfer(m: number, n: number, eps: number, x: Float32Array, gamma: Float32Array | null,
  beta: Float32Array | null, runningMean: Float32Array, runningVar: Float32Array, y: Float32Array): Float32Array {
  requireNative().batchNormForwardInfer(m, n, eps, x, gamma, beta, runningMean, runningVar, y);
  return y;
}

export function batchNormBackward(m: number, n: number, x: Float32Array, dy: Float32Array, gamma: Float32Array | null,
  saveMean: Float32Array, saveInvStd: Float32Array, dx: Float32Array, dgamma: Float32Array | null,
  dbeta: Float32Array | null): Float32Array {
  requireNative().batchNormBackward(m, n, x, dy, gamma, saveMean, saveInvStd, dx, dgamma, dbeta);
  return dx;
}
