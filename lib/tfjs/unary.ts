/**
 * Unary ops on float32 tensors. Native (kernels/vunary, bound in addon/ops-vunary.cc): Relu, LeakyRelu, Sigmoid and
 * Tanh; NaN stays NaN in all four, as in tfjs-backend-cpu. The others have no native kernel yet and run as one JS loop
 * per op (Sqrt, Rsqrt, Exp, Log, Square, Neg, Abs, Elu, Relu6, Selu, Step, ClipByValue): the same arithmetic as the
 * CPU kernels, expression for expression, but without their per-element call through a shared closure, which V8
 * cannot inline once several ops have used it. Prelu stays on the CPU kernel (its alpha broadcasts).
 */
import { backend_util } from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { requireNative } from '../native.js';
import type { KernelArgs } from './fallback.js';
import { f32, output } from './storage.js';

function activation(kind: 'relu' | 'leakyRelu' | 'sigmoid' | 'tanh') {
  return ({ inputs, backend, attrs }: KernelArgs): TensorInfo | null => {
    const x = inputs.x;
    const xv = f32(backend, x);
    if (xv === null) return null;
    const alpha = kind === 'leakyRelu' ? (attrs?.alpha as number) : 0;
    if (!Number.isFinite(alpha)) return null; // the addon takes a finite float; let the CPU kernel handle the rest
    const y = new Float32Array(xv.length);
    if (xv.length > 0) requireNative().activationForward(kind, alpha, xv.length, xv, y);
    return output(backend, x.shape.slice(), y);
  };
}

/** A JS loop `fill(x, y, attrs)` over a float32 input into a new float32 output of the same shape. */
function loop(fill: (x: Float32Array, y: Float32Array, attrs: KernelArgs['attrs']) => void) {
  return ({ inputs, backend, attrs }: KernelArgs): TensorInfo | null => {
    const xv = f32(backend, inputs.x);
    if (xv === null) return null;
    const y = new Float32Array(xv.length);
    fill(xv, y, attrs);
    return output(backend, inputs.x.shape.slice(), y);
  };
}

const SELU_SCALE = backend_util.SELU_SCALE, SELU_SCALEALPHA = backend_util.SELU_SCALEALPHA;

/** Unary kernels on the addon's activation kernels. */
export const NATIVE_UNARY = {
  Relu: activation('relu'),
  LeakyRelu: activation('leakyRelu'),
  Sigmoid: activation('sigmoid'),
  Tanh: activation('tanh'),
};

/** Unary kernels as JS loops (no addon needed). */
export const JS_UNARY = {
  Sqrt: loop((x, y) => { for (let i = 0; i < x.length; i++) y[i] = Math.sqrt(x[i]); }),
  Rsqrt: loop((x, y) => { for (let i = 0; i < x.length; i++) y[i] = 1 / Math.sqrt(x[i]); }),
  Exp: loop((x, y) => { for (let i = 0; i < x.length; i++) y[i] = Math.exp(x[i]); }),
  Log: loop((x, y) => { for (let i = 0; i < x.length; i++) y[i] = Math.log(x[i]); }),
  Square: loop((x, y) => { for (let i = 0; i < x.length; i++) { const v = x[i]; y[i] = v * v; } }),
  Neg: loop((x, y) => { for (let i = 0; i < x.length; i++) y[i] = -1 * x[i]; }),
  Abs: loop((x, y) => { for (let i = 0; i < x.length; i++) y[i] = Math.abs(x[i]); }),
  Elu: loop((x, y) => { for (let i = 0; i < x.length; i++) { const v = x[i]; y[i] = v >= 0 ? v : Math.exp(v) - 1; } }),
  Relu6: loop((x, y) => { for (let i = 0; i < x.length; i++) y[i] = Math.min(Math.max(0, x[i]), 6); }),
  Selu: loop((x, y) => {
    for (let i = 0; i < x.length; i++) { const v = x[i]; y[i] = v >= 0 ? SELU_SCALE * v : SELU_SCALEALPHA * (Math.exp(v) - 1); }
  }),
  Step: loop((x, y, attrs) => {
    const alpha = attrs?.alpha as number;
    for (let i = 0; i < x.length; i++) { const v = x[i]; y[i] = Number.isNaN(v) ? NaN : v > 0 ? 1 : alpha; }
  }),
  ClipByValue: loop((x, y, attrs) => {
    const lo = attrs?.clipValueMin as number, hi = attrs?.clipValueMax as number;
    for (let i = 0; i < x.length; i++) { const v = x[i]; y[i] = v > hi ? hi : v < lo ? lo : v; }
  }),
};
