/**
 * Pure-TS twin of the activation kernels (native/src/kernels/vunary/vunary.h): same semantics, float64 math, one
 * rounding on store. sigmoid uses the exp(-|x|) form (never NaN/Inf for finite x); relu/leakyRelu keep NaN; the
 * derivatives use y for sigmoid/tanh and x for relu/leakyRelu (relu'(0) = 0, leaky'(0) = alpha, NaN x -> NaN dx).
 * In place is allowed (y === x, dx === dy). No validation here: lib/kernels/activations.ts validates first.
 */
import type { Activation } from '../types.js';

export function activationForward(kind: Activation, alpha: number, n: number, x: Float32Array, y: Float32Array): Float32Array {
  const a = Math.fround(alpha);
  switch (kind) {
    case 'linear':
      if (y !== x) for (let i = 0; i < n; i++) y[i] = x[i];
      break;
    case 'sigmoid':
      for (let i = 0; i < n; i++) {
        const v = x[i];
        const e = Math.exp(-Math.abs(v));
        y[i] = v >= 0 ? 1 / (1 + e) : e / (1 + e);
      }
      break;
    case 'tanh':
      for (let i = 0; i < n; i++) y[i] = Math.tanh(x[i]);
      break;
    case 'relu':
      for (let i = 0; i < n; i++) {
        const v = x[i];
        y[i] = v > 0 ? v : v !== v ? v : 0;
      }
      break;
    case 'leakyRelu':
      for (let i = 0; i < n; i++) {
        const v = x[i];
        y[i] = v > 0 ? v : a * v;
      }
      break;
  }
  return y;
}

export function activationBackward(kind: Activation, alpha: number, n: number, x: Float32Array, y: Float32Array,
                                   dy: Float32Array, dx: Float32Array): Float32Array {
  const a = Math.fround(alpha);
  switch (kind) {
    case 'linear':
      if (dx !== dy) for (let i = 0; i < n; i++) dx[i] = dy[i];
      break;
    case 'sigmoid':
      for (let i = 0; i < n; i++) dx[i] = dy[i] * y[i] * (1 - y[i]);
      break;
    case 'tanh':
      for (let i = 0; i < n; i++) dx[i] = dy[i] * (1 - y[i] * y[i]);
      break;
    case 'relu':
      for (let i = 0; i < n; i++) {
        const v = x[i];
        dx[i] = v > 0 ? dy[i] : v !== v ? v : 0;
      }
      break;
    case 'leakyRelu':
      for (let i = 0; i < n; i++) {
        const v = x[i];
        dx[i] = v > 0 ? dy[i] : v !== v ? v : a * dy[i];
      }
      break;
  }
  return dx;
}
