/**
 * Softmax over the last axis (native kernels/softmax, bound in addon/ops-softmax.cc) and Sum/Mean over leading axes
 * (native column sums, kernels/reduce, bound in addon/ops-reduce.cc). The leading-axes case is the bias gradient of
 * every Dense layer (dy summed over the batch), where tfjs-backend-cpu first transposes the reduced axes to the end.
 * Reductions over trailing axes already run as one contiguous JS loop per output in the CPU kernel and stay there, as
 * do Max, Min, ArgMax and ArgMin (no native kernel along axis 0 yet) and every non-float32 input.
 */
import { util } from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { requireNative } from '../native.js';
import type { KernelArgs } from './fallback.js';
import { f32, output, sizeOf } from './storage.js';

export function softmax({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const x = inputs.logits;
  const xv = f32(backend, x);
  if (xv === null || x.shape.length === 0) return null;
  const dim = attrs?.dim as number;
  if (dim !== -1 && dim !== x.shape.length - 1) return null; // the CPU kernel throws its own message
  const n = x.shape[x.shape.length - 1];
  if (n === 0 || xv.length === 0) return null;
  const y = new Float32Array(xv.length);
  requireNative().softmaxForward(xv.length / n, n, 1, xv, y);
  return output(backend, x.shape.slice(), y);
}

/** Column sums of x viewed as [m, n] where the reduced axes are the leading `p`; null when they are not. */
function leadingSum(x: TensorInfo, xv: Float32Array, axisAttr: unknown, keepDims: boolean):
    { shape: number[]; sums: Float32Array; count: number } | null {
  let axes: number[];
  try {
    axes = util.parseAxisParam(axisAttr as number | number[], x.shape);
  } catch {
    return null;
  }
  axes = [...new Set(axes)].sort((p, q) => p - q);
  const p = axes.length;
  if (p === 0 || p >= x.shape.length) return null;
  for (let i = 0; i < p; i++) if (axes[i] !== i) return null;
  const rest = x.shape.slice(p);
  const m = sizeOf(x.shape.slice(0, p)), n = sizeOf(rest);
  if (m === 0 || n === 0) return null;
  const sums = new Float32Array(n);
  requireNative().colSum(m, n, xv, n, false, sums);
  const shape = keepDims ? [...x.shape.slice(0, p).map(() => 1), ...rest] : rest;
  return { shape, sums, count: m };
}

export function sum({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const xv = f32(backend, inputs.x);
  if (xv === null) return null;
  const r = leadingSum(inputs.x, xv, attrs?.axis, attrs?.keepDims === true);
  return r === null ? null : output(backend, r.shape, r.sums);
}

export function mean({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const xv = f32(backend, inputs.x);
  if (xv === null) return null;
  const r = leadingSum(inputs.x, xv, attrs?.axis, attrs?.keepDims === true);
  if (r === null) return null;
  const inv = 1 / r.count;
  for (let j = 0; j < r.sums.length; j++) r.sums[j] *= inv;
  return output(backend, r.shape, r.sums);
}
