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
import { native } from '../native.js';
import { allocStorage, fillRows, firstNonFinite, isNumericArray, matrixOf, nestedShape, toMatrix, type Matrix } from '../tensor.js';
import { isDetached } from '../validate.js';

/** Longest stretch of converting between two event-loop turns. */
const TURN_MS = 2;
/** Elements converted between two clock reads. */
const SLICE = 1 << 14;

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Storage for what toMatrixAsync converts: allocF32 blocks (native memory), freed or kept for the next call when
 * the call that converted settles (releaseConverted) instead of being left to a GC. A fresh 37.6 MB block per call
 * (12,000 x 784) made V8 start a major GC every call or two ("Start (external memory pressure)" under
 * --trace-incremental-marking, even with every block released at once: V8 counts a new ArrayBuffer's memory until
 * the GC after its release), and that GC's final atomic pause marks the caller's whole heap at once: 5 to 57 ms with
 * 12,000 nested rows alive, the longest turns the lag test (test/models/event-loop.test.ts) measured. So the last
 * block released is kept as `spare` for KEEP_MS and the next conversion that fits in it writes there (all of it
 * is overwritten): calls in a row allocate nothing. The cost: up to one block of the largest recent input, held
 * until KEEP_MS after the last call.
 */
const KEEP_MS = 2000;
let spare: Float32Array | null = null;
let spareTimer: ReturnType<typeof setTimeout> | null = null;
/** A converted matrix's storage (a view of the first n elements) -> its whole block. */
const blockOf = new WeakMap<Float32Array, Float32Array>();

function dropSpare(): void {
  if (spare !== null && native) native.releaseF32(spare);
  spare = null;
}

function allocConverted(n: number): Float32Array {
  let block: Float32Array;
  if (spare !== null && spare.length >= n && n > 0) {
    block = spare;
    spare = null;
  } else block = allocStorage(n);
  const view = block.length === n ? block : block.subarray(0, n);
  blockOf.set(view, block);
  return view;
}

/**
 * Gives back the storage of matrices that toMatrixAsync converted (others, e.g. a view of the caller's
 * Float32Array, are left alone): kept as the spare block when it is the largest, else freed now. Only once nothing
 * reads them any more: the native job that used them has settled.
 */
export function releaseConverted(...ms: ({ data: Float32Array } | null | undefined)[]): void {
  for (const m of ms) {
    const block = m ? blockOf.get(m.data) : undefined;
    if (!m || block === undefined) continue;
    blockOf.delete(m.data);
    if (!native || block.length === 0) continue;
    if (spare === null || block.length > spare.length) {
      dropSpare();
      spare = block;
    } else native.releaseF32(block);
    if (spareTimer !== null) clearTimeout(spareTimer);
    spareTimer = setTimeout(() => {
      spareTimer = null;
      dropSpare();
    }, KEEP_MS);
    spareTimer.unref?.();
  }
}

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
    // The clock starts before the allocation: a first conversion's fresh block (tens of MB of new mappings, and V8
    // told of the external memory) can take a few ms by itself, and the loop then yields before the first slice.
    let since = performance.now();
    const out = allocConverted(size);
    const step = Math.max(1, Math.floor(SLICE / rowSize));
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
    let since = performance.now();
    const out = allocConverted(x.length);
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
    const bad = firstNonFinite(v.subarray(start, Math.min(n, start + SLICE)));
    if (bad >= 0) return start + bad;
  }
  return -1;
}
