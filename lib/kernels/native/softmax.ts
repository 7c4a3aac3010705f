/** Thin typed wrappers over the addon's row softmax (ops-softmax.cc). The addon checks its arguments. */
import { requireNative } from '../../native.js';

export function softmaxForward(m: number, n: number, temperature: number, x: Float32Array, y: Float32Array): Float32Array {
  return requireNative().softmaxForward(m, n, temperature, x, y) as Float32Array;
}

export function softmaxBackward(m: number, n: number, temperature: number, y: Float32Array, dy: Float32Array, dx: Float32Array): Float32Array {
  return requireNative().softmaxBackward(m, n, temperature, y, dy, dx) as Float32Array;
}
