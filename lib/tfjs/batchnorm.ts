/**
 * FusedBatchNorm (inference form, what tfjs's batchNorm op and tfjs-layers' BatchNormalization at predict time run):
 *   y = offset + (x - mean) * scale / sqrt(variance + varianceEpsilon)
 * natively (kernels/ebinary affine_rows, bound in addon/ops-tfjs.cc as affineRows) when x is float32 and each of
 * mean, variance, scale and offset is a float32 vector of x's last dimension or a single value (the per-channel case;
 * a missing scale is 1, a missing offset 0). scale/sqrt(var + eps) is folded per channel in double first, so each
 * element takes one fused multiply-add: within 2 ulp of the CPU kernel's double-precision expression. Every other
 * layout (the CPU kernel cycles each vector through x by flat index, whatever its length) falls back.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { native } from '../native.js';
import type { KernelArgs } from './fallback.js';
import { f32, output } from './storage.js';
import { NATIVE_MIN_ELEMENTS } from './threshold.js';

/** `t`'s values as a length-n per-channel vector (a single value repeated), `fill` when absent, or null. */
function channel(backend: KernelArgs['backend'], t: TensorInfo | undefined, n: number, fill: number): Float32Array | Float64Array | null {
  if (t == null) return new Float64Array(n).fill(fill);
  const v = f32(backend, t);
  if (v === null) return null;
  if (v.length === n) return v;
  return v.length === 1 ? new Float64Array(n).fill(v[0]) : null;
}

export function fusedBatchNorm({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const x = inputs.x;
  const xv = f32(backend, x);
  if (xv === null || native === null || x.shape.length === 0 || xv.length < NATIVE_MIN_ELEMENTS) return null;
  const eps = (attrs?.varianceEpsilon as number | null | undefined) ?? 0.001;
  if (!Number.isFinite(eps)) return null;
  const { mean: m, variance: v, scale: s, offset: o } = inputs;
  // The CPU kernel asserts equal ranks with its own messages.
  if (m == null || v == null || m.shape.length !== v.shape.length) return null;
  if ((s != null && s.shape.length !== m.shape.length) || (o != null && o.shape.length !== m.shape.length)) return null;
  const n = x.shape[x.shape.length - 1];
  if (n === 0) return null;
  const mean = channel(backend, m, n, 0), variance = channel(backend, v, n, 1);
  const scale = channel(backend, s, n, 1), offset = channel(backend, o, n, 0);
  if (mean === null || variance === null || scale === null || offset === null) return null;
  const folded = new Float32Array(n);
  for (let j = 0; j < n; j++) folded[j] = scale[j] / Math.sqrt(variance[j] + eps);
  const y = new Float32Array(xv.length);
  native.affineRows(xv.length / n, n, xv, Float32Array.from(mean), folded, Float32Array.from(offset), y);
  return output(backend, x.shape.slice(), y);
}
