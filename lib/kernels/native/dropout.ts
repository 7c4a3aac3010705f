/** Thin typed wrappers over the addon's dropout (native/src/addon/ops-dropout.cc). */
import { requireNative } from '../../native.js';

export function dropoutForward(n: number, rate: number, seed: number, stream: number, offset: number,
                               x: Float32Array, y: Float32Array, mask: Uint8Array): Float32Array {
  requireNative().dropoutForward(n, rate, seed, stream, offset, x, y, mask);
  return y;
}

export function dropoutBackward(n: number, rate: number, mask: Uint8Array, dy: Float32Array, dx: Float32Array): Float32Array {
  requireNative().dropoutBackward(n, rate, mask, dy, dx);
  return dx;
}
