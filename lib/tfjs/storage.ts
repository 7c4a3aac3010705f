/**
 * Reading a tensor's values in place from the backend's storage (MathBackendCPU keeps them in `data`, keyed by
 * dataId) and handing back freshly allocated outputs. A native kernel only runs on float32 tensors whose storage is
 * a Float32Array; anything else (int32, bool, complex64, string, a value array of another type) returns null and the
 * caller falls back to the CPU kernel. Outputs are always new JS Float32Arrays: never an input's buffer, never a
 * buffer the addon owns (Electron's V8 sandbox refuses external ArrayBuffers), never one handed out before.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

/** The stored Float32Array of a float32 tensor, read in place (callers must not write into it), or null. */
export function f32(backend: MathBackendCPU, t: TensorInfo | undefined): Float32Array | null {
  if (t === undefined || t.dtype !== 'float32') return null;
  const values = backend.data.get(t.dataId)?.values;
  return values instanceof Float32Array ? values : null;
}

/** A new float32 tensor in the backend's storage that takes ownership of `values` (allocated by the caller). */
export function output(backend: MathBackendCPU, shape: number[], values: Float32Array): TensorInfo {
  return backend.makeTensorInfo(shape, 'float32', values);
}

/** Product of a shape's dimensions (1 for a scalar). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Whether two shapes are identical. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
