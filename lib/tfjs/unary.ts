/**
 * Element-wise activations that simdnet has native kernels for (kernels/vunary, bound in addon/ops-vunary.cc): Relu,
 * LeakyRelu, Sigmoid and Tanh on float32 tensors. NaN stays NaN in all four, as in tfjs-backend-cpu. The other unary
 * ops (Relu6, Elu, Selu, Step, Exp, Log, Sqrt, Rsqrt, Square, Neg, Abs, ClipByValue, Prelu) have no native kernel yet
 * and stay on the CPU kernels, whose single JS loop a JS rewrite would not beat.
 */
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

export const UNARY = {
  Relu: activation('relu'),
  LeakyRelu: activation('leakyRelu'),
  Sigmoid: activation('sigmoid'),
  Tanh: activation('tanh'),
};
