/**
 * Activations and their derivatives on Float32Arrays (public kernel API). Validates, then runs the native kernel
 * when the backend is 'native' and the addon is loaded, else the pure-TS twin. Outputs are caller-provided and
 * returned; in place is allowed (y === x, dx === dy).
 */
import { getBackend } from '../backend.js';
import { native } from '../native.js';
import { checkF32, checkNumber, checkOneOf, checkSize } from '../validate.js';
import * as nat from './native/activations.js';
import * as ref from './reference/activations.js';
import type { Activation } from './types.js';

const KINDS = ['linear', 'sigmoid', 'tanh', 'relu', 'leakyRelu'] as const;
const useNative = () => getBackend() === 'native' && native !== null;

/** y = f(x) for n elements; alpha is the leakyRelu slope (ignored otherwise). */
export function activationForward(kind: Activation, alpha: number, n: number, x: Float32Array, y: Float32Array): Float32Array {
  checkOneOf(kind, 'kind', KINDS);
  checkNumber(alpha, 'alpha', { lo: -3.4e38, hi: 3.4e38 });
  checkSize(n, 'n');
  checkF32(x, 'x', n);
  checkF32(y, 'y', n);
  return useNative() ? nat.activationForward(kind, alpha, n, x, y) : ref.activationForward(kind, alpha, n, x, y);
}

/** dx = dy * f'(x), with y = f(x) (sigmoid/tanh use y, relu/leakyRelu use x). */
export function activationBackward(kind: Activation, alpha: number, n: number, x: Float32Array, y: Float32Array,
                                   dy: Float32Array, dx: Float32Array): Float32Array {
  checkOneOf(kind, 'kind', KINDS);
  checkNumber(alpha, 'alpha', { lo: -3.4e38, hi: 3.4e38 });
  checkSize(n, 'n');
  checkF32(x, 'x', n);
  checkF32(y, 'y', n);
  checkF32(dy, 'dy', n);
  checkF32(dx, 'dx', n);
  return useNative()
    ? nat.activationBackward(kind, alpha, n, x, y, dy, dx)
    : ref.activationBackward(kind, alpha, n, x, y, dy, dx);
}
