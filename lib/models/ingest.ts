/**
 * Converting user inputs without holding the event loop (issue 12): the asynchronous entry points (fit, fitDataset,
 * predictAsync, evaluateAsync) convert nested arrays, arrays of typed-array rows and non-float32 typed arrays in
 * slices, with an event-loop turn whenever TURN_MS have passed, so no turn blocks for more than a few ms whatever
 * the input type. The conversion itself is lib/tensor.ts's fillRows (a tight loop; the position of a bad element is
 * worked out only once it fails). Float32Arrays and Tensors are not converted here (the engine's snapshot,
 * lib/engine/snapshot.ts, copies or pins them, in slices too).
 *
 * Writes to the caller's arrays while they are being converted may be seen in part (as for a snapshot: docs/engine.md,
 * "What a running job holds"); a row replaced by one of another length fails with the usual coded error.
 */
import { SimdnetTypeError } from '../errors.js';
import { allocStorage, fillRows, isNumericArray, matrixOf, nestedShape, toMatrix, type Matrix } from '../tensor.js';
import { isDetached } from '../validate.js';

/** Longest stretch of converting between two event-loop turns. */
const TURN_MS = 2;
/** Elements converted between two clock reads. */
const SLICE = 1 << 14;

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Whether converting `x` is worth spreading over turns (more than one slice of work). The others are converted at
 * once, without an await, so that a Float32Array's snapshot still starts within the call (docs/engine.md).
 */
export function needsSlicing(x: unknown): boolean {
  if (Array.isArray(x)) return x.length > 0 && nestedShape(x).reduce((a, b) => a * b, 1) > SLICE;
  return isNumericArray(x) && !(x instanceof Float32Array) && x.length > SLICE;
}

/** toMatrix, with the conversion of arrays and non-float32 typed arrays spread over event-loop turns. */
export async function toMatrixAsync(x: unknown, name: string, cols?: number): Promise<Matrix> {
  if (Array.isArray(x) && x.length > 0) {
    const shape = nestedShape(x);
    // Shape errors before any work (toMatrix's messages), then the rows.
    matrixOf(new Float32Array(0), shape, name, cols);
    const size = shape.reduce((a, b) => a * b, 1);
    const rowSize = size / shape[0] || 1;
    const out = allocStorage(size);
    const step = Math.max(1, Math.floor(SLICE / rowSize));
    let since = performance.now();
    for (let r = 0; r < shape[0]; r += step) {
      if (performance.now() - since >= TURN_MS) {
        await turn();
        since = performance.now();
      }
      fillRows(x, shape, out, r, Math.min(shape[0], r + step), name);
    }
    return matrixOf(out, shape, name, cols);
  }
  if (isNumericArray(x) && !(x instanceof Float32Array) && cols !== undefined && x.length % cols === 0 && x.length > SLICE) {
    const out = allocStorage(x.length);
    let since = performance.now();
    for (let i = 0; i < x.length; i += SLICE) {
      if (performance.now() - since >= TURN_MS) {
        await turn();
        since = performance.now();
        if (isDetached(x.buffer))
          throw new SimdnetTypeError('SIMDNET_DETACHED_BUFFER', `${name} was detached (its ArrayBuffer transferred or released) while it was being read`);
      }
      out.set(x.subarray(i, Math.min(x.length, i + SLICE)), i);
    }
    return matrixOf(out, [x.length / cols, cols], name, cols);
  }
  return toMatrix(x, name, cols);
}

/**
 * Index of the first non-finite element of `m`'s values, or -1, checked in slices with event-loop turns between
 * (evaluateAsync's check on a matrix it converted itself; fit checks on its snapshot in the same way).
 */
export async function firstNonFiniteAsync(m: Matrix): Promise<number> {
  const v = m.data;
  const n = m.rows * m.cols;
  let since = performance.now();
  for (let start = 0; start < n; start += SLICE) {
    if (performance.now() - since >= TURN_MS) {
      await turn();
      since = performance.now();
    }
    const end = Math.min(n, start + SLICE);
    for (let i = start; i < end; i++) if (!Number.isFinite(v[i])) return i;
  }
  return -1;
}
