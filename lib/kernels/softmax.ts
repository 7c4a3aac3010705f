/**
 * Row softmax with temperature over an m x n row-major matrix, forward and backward (vector-Jacobian product).
 * Validates, then native or the pure-TS twin (see lib/backend.ts). y may alias x; dx may alias dy.
 */
import { getBackend } from '../backend.js';
import { native } from '../native.js';
import { checkF32, checkNumber, checkSize } from '../validate.js';
import * as nat from './native/softmax.js';
import * as ref from './reference/softmax.js';

const useNative = () => getBackend() === 'native' && native !== null;
// Positive and representable as a float32 with a finite reciprocal.
const checkTemperature = (t: unknown) => checkNumber(t, 'temperature', { lo: 1e-37, hi: 3.4e38 });

export function softmaxForward(m: number, n: number, temperature: number, x: Float32Array, y: Float32Array): Float32Array {
  checkSize(m, 'm');
  checkSize(n, 'n');
  checkTemperature(temperature);
  checkF32(x, 'x', m * n);
  checkF32(y, 'y', m * n);
  return useNative() ? nat.softmaxForward(m, n, temperature, x, y) : ref.softmaxForward(m, n, temperature, x, y);
}

export function softmaxBackward(m: number, n: number, temperature: number, y: Float32Array, dy: Float32Array, dx: Float32Array): Float32Array {
  checkSize(m, 'm');
  checkSize(n, 'n');
  checkTemperature(temperature);
  checkF32(y, 'y', m * n);
  checkF32(dy, 'dy', m * n);
  checkF32(dx, 'dx', m * n);
  return useNative() ? nat.softmaxBackward(m, n, temperature, y, dy, dx) : ref.softmaxBackward(m, n, temperature, y, dy, dx);
}
