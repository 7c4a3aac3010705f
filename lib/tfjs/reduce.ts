/**
 * Softmax over the last axis (native kernels/softmax, bound in addon/ops-softmax.cc) and Sum/Mean over leading axes
 * (native column sums, kernels/reduce, bound in addon/ops-reduce.cc). The leading-axes case is the bias gradient of
 * every Dense layer (dy summed over the batch), where tfjs-backend-cpu first transposes the reduced axes to the end.
 * Sum/Mean over trailing axes already run as one contiguous JS loop per output in the CPU kernel and stay there.
 * Max, Min, ArgMax and ArgMin run natively (kernels/argreduce, bound in addon/ops-tfjs.cc as argReduce) over leading
 * axes (always: the CPU kernel transposes first) and over trailing axes from NATIVE_MIN_ELEMENTS input elements on,
 * with the CPU kernel's NaN semantics (argreduce.h: Max/Min give NaN when any element is NaN; ArgMax/ArgMin skip NaN
 * unless it comes first). Every non-float32 input, empty reduction and other axis set stays on the CPU kernel.
 */
import { util } from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { native, requireNative } from '../native.js';
import type { KernelArgs } from './fallback.js';
import { f32, output, sizeOf } from './storage.js';
import { NATIVE_MIN_ELEMENTS } from './threshold.js';

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

/**
 * The reduced axes as one block: `rows` (trailing axes: m outputs of n elements each) or `cols` (leading axes: n
 * outputs over m rows), with the output shape; null when the axes are neither, or a dimension is empty.
 */
function split(shape: readonly number[], axisAttr: unknown, keepDims: boolean):
    { alongRows: boolean; m: number; n: number; outShape: number[] } | null {
  let axes: number[];
  try {
    axes = util.parseAxisParam(axisAttr as number | number[], shape as number[]);
  } catch {
    return null;
  }
  axes = [...new Set(axes)].sort((p, q) => p - q);
  const r = shape.length, p = axes.length;
  if (p === 0 || r === 0) return null;
  const leading = axes.every((a, i) => a === i), trailing = axes.every((a, i) => a === r - p + i);
  if (!leading && !trailing) return null;
  const alongRows = trailing; // (both only when every axis is reduced: one row)
  const kept = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const outShape = keepDims ? kept : shape.filter((_, i) => !axes.includes(i));
  const m = alongRows ? sizeOf(shape.slice(0, r - p)) : sizeOf(shape.slice(0, p));
  const n = alongRows ? sizeOf(shape.slice(r - p)) : sizeOf(shape.slice(p));
  if (m === 0 || n === 0) return null;
  return { alongRows, m, n, outShape };
}

/** Max (extreme 0) or Min (1), values or indices, through argReduce; `axisAttr` names the axes attribute. */
function extreme(which: 0 | 1, indices: boolean, axisAttr = 'axis') {
  return ({ inputs, backend, attrs }: KernelArgs): TensorInfo | null => {
    const xv = f32(backend, inputs.x);
    if (xv === null || native === null) return null;
    const s = split(inputs.x.shape, attrs?.[axisAttr], !indices && attrs?.keepDims === true);
    if (s === null) return null;
    if (s.alongRows && xv.length < NATIVE_MIN_ELEMENTS) return null;
    const outs = s.alongRows ? s.m : s.n;
    if (indices) {
      const idx = new Int32Array(outs);
      native.argReduce(s.alongRows, which, s.m, s.n, xv, null, idx);
      return backend.makeTensorInfo(s.outShape, 'int32', idx);
    }
    const vals = new Float32Array(outs);
    native.argReduce(s.alongRows, which, s.m, s.n, xv, vals, null);
    return output(backend, s.outShape, vals);
  };
}

/** ArgMax/ArgMin reduce one axis: only the last one or axis 0 is covered here. */
function argExtreme(which: 0 | 1) {
  const run = extreme(which, true);
  return (args: KernelArgs): TensorInfo | null => {
    const axis = args.attrs?.axis;
    const r = args.inputs.x.shape.length;
    const a = Number(Array.isArray(axis) ? (axis.length === 1 ? axis[0] : NaN) : axis);
    if (!Number.isInteger(a) || r === 0) return null;
    const norm = a < 0 ? a + r : a;
    if (norm !== 0 && norm !== r - 1) return null;
    return run({ ...args, attrs: { ...args.attrs, axis: norm } });
  };
}

export const max = extreme(0, false, 'reductionIndices'); // tfjs's Max names its axes so
export const min = extreme(1, false);
export const argMax = argExtreme(0);
export const argMin = argExtreme(1);
