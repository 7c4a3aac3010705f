/**
 * Unary ops on float32 tensors. Native (kernels/vunary, bound in addon/ops-vunary.cc): Relu, LeakyRelu, Sigmoid and
 * Tanh; NaN stays NaN in all four, as in tfjs-backend-cpu. The others (Sqrt, Rsqrt, Exp, Log, Square, Neg, Abs, Elu,
 * Relu6, Selu, Step, ClipByValue) run on vunary's `map` (addon/ops-tfjs.cc: unaryMap) from NATIVE_MIN_ELEMENTS
 * elements on, and below that (or without the addon) as one JS loop per op: the same arithmetic as the CPU kernels,
 * expression for expression, but without their per-element call through a shared closure, which V8 cannot inline
 * once several ops have used it. Native exp/log/expm1 are within a few ulp of tfjs's double-precision Math.* (exact at
 * the ends: exp overflows to Infinity, log(0) = -Infinity); sqrt, square, neg, abs, relu6, step and clip are exact.
 * Prelu is a binary op (binary.ts: its alpha broadcasts).
 */
import { backend_util } from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { native, requireNative } from '../native.js';
import type { KernelArgs } from './fallback.js';
import { f32, output } from './storage.js';
import { NATIVE_MIN_ELEMENTS } from './threshold.js';

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

/** The Umap codes of kernels/vunary/vunary.h. */
const UMAP = {
  Relu6: 0, Elu: 1, Selu: 2, Step: 3, Exp: 4, Log: 5, Sqrt: 6, Rsqrt: 7, Square: 8, Neg: 9, Abs: 10, ClipByValue: 11,
} as const;

/** The map's float parameters (step's alpha; clip's min and max), or null when one is not a finite float. */
function params(name: keyof typeof UMAP, attrs: KernelArgs['attrs']): [number, number] | null {
  const p: [number, number] = name === 'Step' ? [attrs?.alpha as number, 0]
    : name === 'ClipByValue' ? [attrs?.clipValueMin as number, attrs?.clipValueMax as number] : [0, 0];
  return p.every((v) => Number.isFinite(v) && Math.abs(v) <= 3.4028234663852886e38) ? p : null;
}

/**
 * A JS loop `fill(x, y, attrs)` over a float32 input into a new float32 output of the same shape; from
 * NATIVE_MIN_ELEMENTS elements on, the native map `name` instead.
 */
function loop(name: keyof typeof UMAP, fill: (x: Float32Array, y: Float32Array, attrs: KernelArgs['attrs']) => void) {
  return ({ inputs, backend, attrs }: KernelArgs): TensorInfo | null => {
    const xv = f32(backend, inputs.x);
    if (xv === null) return null;
    const y = new Float32Array(xv.length);
    const p = native !== null && xv.length >= NATIVE_MIN_ELEMENTS ? params(name, attrs) : null;
    if (p !== null) native!.unaryMap(UMAP[name], p[0], p[1], xv.length, xv, y);
    else fill(xv, y, attrs);
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
  Sqrt: loop('Sqrt', (x, y) => { for (let i = 0; i < x.length; i++) y[i] = Math.sqrt(x[i]); }),
  Rsqrt: loop('Rsqrt', (x, y) => { for (let i = 0; i < x.length; i++) y[i] = 1 / Math.sqrt(x[i]); }),
  Exp: loop('Exp', (x, y) => { for (let i = 0; i < x.length; i++) y[i] = Math.exp(x[i]); }),
  Log: loop('Log', (x, y) => { for (let i = 0; i < x.length; i++) y[i] = Math.log(x[i]); }),
  Square: loop('Square', (x, y) => { for (let i = 0; i < x.length; i++) { const v = x[i]; y[i] = v * v; } }),
  Neg: loop('Neg', (x, y) => { for (let i = 0; i < x.length; i++) y[i] = -1 * x[i]; }),
  Abs: loop('Abs', (x, y) => { for (let i = 0; i < x.length; i++) y[i] = Math.abs(x[i]); }),
  Elu: loop('Elu', (x, y) => { for (let i = 0; i < x.length; i++) { const v = x[i]; y[i] = v >= 0 ? v : Math.exp(v) - 1; } }),
  Relu6: loop('Relu6', (x, y) => { for (let i = 0; i < x.length; i++) y[i] = Math.min(Math.max(0, x[i]), 6); }),
  Selu: loop('Selu', (x, y) => {
    for (let i = 0; i < x.length; i++) { const v = x[i]; y[i] = v >= 0 ? SELU_SCALE * v : SELU_SCALEALPHA * (Math.exp(v) - 1); }
  }),
  Step: loop('Step', (x, y, attrs) => {
    const alpha = attrs?.alpha as number;
    for (let i = 0; i < x.length; i++) { const v = x[i]; y[i] = Number.isNaN(v) ? NaN : v > 0 ? 1 : alpha; }
  }),
  ClipByValue: loop('ClipByValue', (x, y, attrs) => {
    const lo = attrs?.clipValueMin as number, hi = attrs?.clipValueMax as number;
    for (let i = 0; i < x.length; i++) { const v = x[i]; y[i] = v > hi ? hi : v < lo ? lo : v; }
  }),
};
