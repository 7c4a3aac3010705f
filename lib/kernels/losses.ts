/**
 * Losses with gradients over a batch of m rows x n outputs (Keras semantics; (yTrue, yPred) order). Each returns the
 * batch-mean loss and, when grad is a Float32Array, writes the gradient already divided by the batch (grad may alias
 * the prediction). Validates, then native or the pure-TS twin. Sparse labels are checked to be in [0, n) here
 * (RangeError SIMDNET_INVALID_ARGUMENT) before any kernel runs. Every loss takes optional per-sample weights w (m values;
 * null = unweighted): sum_r w_r l_r / m, Keras 3's 'sum_over_batch_size' (docs/engine.md "Sample weights").
 */
import { getBackend } from '../backend.js';
import { native } from '../native.js';
import { SimdnetRangeError } from '../errors.js';
import { checkF32, checkI32, checkNumber, checkSize } from '../validate.js';
import * as nat from './native/losses.js';
import * as ref from './reference/losses.js';
import type { ElemLossKind } from './reference/losses.js';

export type { ElemLossKind };

const useNative = () => getBackend() === 'native' && native !== null;
const checkTemperature = (t: unknown) => checkNumber(t, 'temperature', { lo: 1e-37, hi: 3.4e38 });
const checkEps = (e: unknown) => checkNumber(e, 'eps', { lo: 0, hi: 0.5, loOpen: true, hiOpen: true });

function checkCommon(m: number, n: number, a: Float32Array, aName: string, b: Float32Array, bName: string, grad: Float32Array | null): void {
  checkSize(m, 'm');
  checkSize(n, 'n');
  checkF32(a, aName, m * n);
  checkF32(b, bName, m * n);
  if (grad !== null) checkF32(grad, 'grad', m * n);
}

export function mse(m: number, n: number, t: Float32Array, p: Float32Array, grad: Float32Array | null, w: Float32Array | null = null): number {
  checkCommon(m, n, t, 't', p, 'p', grad);
  if (w !== null) checkF32(w, 'w', m);
  return useNative() ? nat.mse(m, n, t, p, grad, w) : ref.mse(m, n, t, p, grad, w);
}

export function bceProb(m: number, n: number, eps: number, t: Float32Array, p: Float32Array, grad: Float32Array | null, w: Float32Array | null = null): number {
  checkEps(eps);
  checkCommon(m, n, t, 't', p, 'p', grad);
  if (w !== null) checkF32(w, 'w', m);
  return useNative() ? nat.bceProb(m, n, eps, t, p, grad, w) : ref.bceProb(m, n, eps, t, p, grad, w);
}

export function bceLogits(m: number, n: number, t: Float32Array, z: Float32Array, grad: Float32Array | null, w: Float32Array | null = null): number {
  checkCommon(m, n, t, 't', z, 'z', grad);
  if (w !== null) checkF32(w, 'w', m);
  return useNative() ? nat.bceLogits(m, n, t, z, grad, w) : ref.bceLogits(m, n, t, z, grad, w);
}

export function cceProb(m: number, n: number, eps: number, t: Float32Array, p: Float32Array, grad: Float32Array | null, w: Float32Array | null = null): number {
  checkEps(eps);
  checkCommon(m, n, t, 't', p, 'p', grad);
  if (w !== null) checkF32(w, 'w', m);
  return useNative() ? nat.cceProb(m, n, eps, t, p, grad, w) : ref.cceProb(m, n, eps, t, p, grad, w);
}

export function softmaxCce(m: number, n: number, temperature: number, t: Float32Array, z: Float32Array, grad: Float32Array | null, w: Float32Array | null = null): number {
  checkTemperature(temperature);
  checkCommon(m, n, t, 't', z, 'z', grad);
  if (w !== null) checkF32(w, 'w', m);
  return useNative() ? nat.softmaxCce(m, n, temperature, t, z, grad, w) : ref.softmaxCce(m, n, temperature, t, z, grad, w);
}

export function sparseSoftmaxCce(m: number, n: number, temperature: number, labels: Int32Array, z: Float32Array, grad: Float32Array | null, w: Float32Array | null = null): number {
  checkTemperature(temperature);
  checkSize(m, 'm');
  checkSize(n, 'n');
  checkI32(labels, 'labels', m);
  checkF32(z, 'z', m * n);
  if (grad !== null) checkF32(grad, 'grad', m * n);
  for (let r = 0; r < m; r++) {
    const l = labels[r];
    if (l < 0 || l >= n)
      throw new SimdnetRangeError('SIMDNET_INVALID_ARGUMENT', `Expected labels in [0, ${n}) but labels[${r}] is ${l}`);
  }
  if (w !== null) checkF32(w, 'w', m);
  return useNative()
    ? nat.sparseSoftmaxCce(m, n, temperature, labels, z, grad, w)
    : ref.sparseSoftmaxCce(m, n, temperature, labels, z, grad, w);
}

/** Keras backend epsilon, the eps of kld and poisson (loss.h). */
export const KERAS_EPSILON = 1e-7;
const ELEM_KINDS: readonly ElemLossKind[] = ['mae', 'huber', 'logCosh', 'hinge', 'squaredHinge', 'kld', 'poisson'];

/**
 * The element-wise losses (loss.h "Element-wise losses", Keras 3.15): mae, huber (param = delta > 0), logCosh, hinge,
 * squaredHinge, kld and poisson (param = eps in (0, 0.5)). w: per-sample weights (m values) or null; the loss is
 * sum_r w_r l_r / m (Keras 'sum_over_batch_size') and grad row r is scaled by w_r / m.
 */
export function elementwise(kind: ElemLossKind, m: number, n: number, param: number, t: Float32Array, p: Float32Array,
  w: Float32Array | null, grad: Float32Array | null): number {
  if (!ELEM_KINDS.includes(kind))
    throw new SimdnetRangeError('SIMDNET_INVALID_ARGUMENT', `Expected one of ${ELEM_KINDS.join(', ')} for kind but received ${String(kind)}`);
  if (kind === 'huber') checkNumber(param, 'delta', { lo: 0, hi: 3.4e38, loOpen: true });
  else if (kind === 'kld' || kind === 'poisson') checkEps(param);
  checkCommon(m, n, t, 't', p, 'p', grad);
  if (w !== null) checkF32(w, 'w', m);
  return useNative() ? nat.elementwise(kind, m, n, param, t, p, w, grad) : ref.elementwise(kind, m, n, param, t, p, w, grad);
}
