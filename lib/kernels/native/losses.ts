/** Thin typed wrappers over the addon's losses (ops-loss.cc). The addon checks its arguments. */
import { requireNative } from '../../native.js';

export function mse(m: number, n: number, t: Float32Array, p: Float32Array, grad: Float32Array | null, w: Float32Array | null = null): number {
  return requireNative().lossMse(m, n, t, p, grad, w) as number;
}
export function bceProb(m: number, n: number, eps: number, t: Float32Array, p: Float32Array, grad: Float32Array | null, w: Float32Array | null = null): number {
  return requireNative().lossBceProb(m, n, eps, t, p, grad, w) as number;
}
export function bceLogits(m: number, n: number, t: Float32Array, z: Float32Array, grad: Float32Array | null, w: Float32Array | null = null): number {
  return requireNative().lossBceLogits(m, n, t, z, grad, w) as number;
}
export function cceProb(m: number, n: number, eps: number, t: Float32Array, p: Float32Array, grad: Float32Array | null, w: Float32Array | null = null): number {
  return requireNative().lossCceProb(m, n, eps, t, p, grad, w) as number;
}
export function softmaxCce(m: number, n: number, temperature: number, t: Float32Array, z: Float32Array, grad: Float32Array | null, w: Float32Array | null = null): number {
  return requireNative().lossSoftmaxCce(m, n, temperature, t, z, grad, w) as number;
}
export function sparseSoftmaxCce(m: number, n: number, temperature: number, labels: Int32Array, z: Float32Array, grad: Float32Array | null, w: Float32Array | null = null): number {
  return requireNative().lossSparseSoftmaxCce(m, n, temperature, labels, z, grad, w) as number;
}
export function elementwise(kind: string, m: number, n: number, param: number, t: Float32Array, p: Float32Array,
  w: Float32Array | null, grad: Float32Array | null): number {
  return requireNative().lossElementwise(m, n, kind, param, t, p, w, grad) as number;
}
