/** Thin typed wrappers over the addon's activation kernels (ops-vunary.cc). The addon checks its arguments. */
import { requireNative } from '../../native.js';
import type { Activation } from '../types.js';


export function activationForward(kind: Activation, alpha: number, n: number, x: Float32Array, y: Float32Array): Float32Array {
  return requireNative().activationForward(kind, alpha, n, x, y) as Float32Array;
}

export function activationBackward(kind: Activation, alpha: number, n: number, x: Float32Array, y: Float32Array,
                                   dy: Float32Array, dx: Float32Array): Float32Array {
  return requireNative().activationBackward(kind, alpha, n, x, y, dy, dx) as Float32Array;
}
