/**
 * Element-wise binary ops on float32 tensors with three fast paths: same shape, one side a single value, and one side
 * a row ([..., n] against a trailing [n] or [1, ..., 1, n]: the bias add of every Dense layer). From
 * NATIVE_MIN_ELEMENTS output elements on they run on simdnet's native kernels (kernels/ebinary, bound in
 * addon/ops-tfjs.cc as elementwiseBinary); below that, and without the addon, as plain JS loops, one per op and
 * pattern so V8 compiles each to a tight monomorphic loop. Both win over tfjs-backend-cpu's general broadcast path,
 * which turns every flat index into coordinates and back. Everything else (other dtypes, other broadcasts, shapes
 * that do not broadcast) falls back to the CPU kernel.
 *
 * Semantics are tfjs-backend-cpu's, NaN included: Maximum/Minimum give NaN if either side is NaN (Math.max/Math.min
 * here; the native kernel blends the NaN lanes back in, since SIMD max/min drop one side's NaN). Add, Sub, Multiply
 * and RealDiv are bit for bit the CPU kernel's on both paths; SquaredDifference within 1 ulp (ebinary.h).
 */
import { broadcast_util } from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { native } from '../native.js';
import type { KernelArgs } from './fallback.js';
import { f32, output, sameShape, sizeOf } from './storage.js';
import { NATIVE_MIN_ELEMENTS } from './threshold.js';

/** out[i] = op(a[i], b[i]); out[i] = op(a[i], s); out[i] = op(s, b[i]); out[r*n + j] = op(a[r*n + j], row[j]); ... */
interface Loops {
  same(a: Float32Array, b: Float32Array, out: Float32Array): void;
  scalarB(a: Float32Array, s: number, out: Float32Array): void;
  scalarA(s: number, b: Float32Array, out: Float32Array): void;
  rowB(a: Float32Array, row: Float32Array, out: Float32Array): void;
  rowA(row: Float32Array, b: Float32Array, out: Float32Array): void;
}

const add: Loops = {
  same(a, b, o) { for (let i = 0; i < o.length; i++) o[i] = a[i] + b[i]; },
  scalarB(a, s, o) { for (let i = 0; i < o.length; i++) o[i] = a[i] + s; },
  scalarA(s, b, o) { for (let i = 0; i < o.length; i++) o[i] = s + b[i]; },
  rowB(a, r, o) { const n = r.length; for (let i = 0; i < o.length; i += n) for (let j = 0; j < n; j++) o[i + j] = a[i + j] + r[j]; },
  rowA(r, b, o) { const n = r.length; for (let i = 0; i < o.length; i += n) for (let j = 0; j < n; j++) o[i + j] = r[j] + b[i + j]; },
};
const sub: Loops = {
  same(a, b, o) { for (let i = 0; i < o.length; i++) o[i] = a[i] - b[i]; },
  scalarB(a, s, o) { for (let i = 0; i < o.length; i++) o[i] = a[i] - s; },
  scalarA(s, b, o) { for (let i = 0; i < o.length; i++) o[i] = s - b[i]; },
  rowB(a, r, o) { const n = r.length; for (let i = 0; i < o.length; i += n) for (let j = 0; j < n; j++) o[i + j] = a[i + j] - r[j]; },
  rowA(r, b, o) { const n = r.length; for (let i = 0; i < o.length; i += n) for (let j = 0; j < n; j++) o[i + j] = r[j] - b[i + j]; },
};
const mul: Loops = {
  same(a, b, o) { for (let i = 0; i < o.length; i++) o[i] = a[i] * b[i]; },
  scalarB(a, s, o) { for (let i = 0; i < o.length; i++) o[i] = a[i] * s; },
  scalarA(s, b, o) { for (let i = 0; i < o.length; i++) o[i] = s * b[i]; },
  rowB(a, r, o) { const n = r.length; for (let i = 0; i < o.length; i += n) for (let j = 0; j < n; j++) o[i + j] = a[i + j] * r[j]; },
  rowA(r, b, o) { const n = r.length; for (let i = 0; i < o.length; i += n) for (let j = 0; j < n; j++) o[i + j] = r[j] * b[i + j]; },
};
const div: Loops = {
  same(a, b, o) { for (let i = 0; i < o.length; i++) o[i] = a[i] / b[i]; },
  scalarB(a, s, o) { for (let i = 0; i < o.length; i++) o[i] = a[i] / s; },
  scalarA(s, b, o) { for (let i = 0; i < o.length; i++) o[i] = s / b[i]; },
  rowB(a, r, o) { const n = r.length; for (let i = 0; i < o.length; i += n) for (let j = 0; j < n; j++) o[i + j] = a[i + j] / r[j]; },
  rowA(r, b, o) { const n = r.length; for (let i = 0; i < o.length; i += n) for (let j = 0; j < n; j++) o[i + j] = r[j] / b[i + j]; },
};
const max: Loops = {
  same(a, b, o) { for (let i = 0; i < o.length; i++) o[i] = Math.max(a[i], b[i]); },
  scalarB(a, s, o) { for (let i = 0; i < o.length; i++) o[i] = Math.max(a[i], s); },
  scalarA(s, b, o) { for (let i = 0; i < o.length; i++) o[i] = Math.max(s, b[i]); },
  rowB(a, r, o) { const n = r.length; for (let i = 0; i < o.length; i += n) for (let j = 0; j < n; j++) o[i + j] = Math.max(a[i + j], r[j]); },
  rowA(r, b, o) { const n = r.length; for (let i = 0; i < o.length; i += n) for (let j = 0; j < n; j++) o[i + j] = Math.max(r[j], b[i + j]); },
};
const min: Loops = {
  same(a, b, o) { for (let i = 0; i < o.length; i++) o[i] = Math.min(a[i], b[i]); },
  scalarB(a, s, o) { for (let i = 0; i < o.length; i++) o[i] = Math.min(a[i], s); },
  scalarA(s, b, o) { for (let i = 0; i < o.length; i++) o[i] = Math.min(s, b[i]); },
  rowB(a, r, o) { const n = r.length; for (let i = 0; i < o.length; i += n) for (let j = 0; j < n; j++) o[i + j] = Math.min(a[i + j], r[j]); },
  rowA(r, b, o) { const n = r.length; for (let i = 0; i < o.length; i += n) for (let j = 0; j < n; j++) o[i + j] = Math.min(r[j], b[i + j]); },
};
// (a - b)^2 as tfjs-backend-cpu computes it: the difference rounded to float32 is not re-rounded before squaring in
// its JS either (it works on doubles and stores once), so neither is it here.
const sqdiff: Loops = {
  same(a, b, o) { for (let i = 0; i < o.length; i++) { const d = a[i] - b[i]; o[i] = d * d; } },
  scalarB(a, s, o) { for (let i = 0; i < o.length; i++) { const d = a[i] - s; o[i] = d * d; } },
  scalarA(s, b, o) { for (let i = 0; i < o.length; i++) { const d = s - b[i]; o[i] = d * d; } },
  rowB(a, r, o) { const n = r.length; for (let i = 0; i < o.length; i += n) for (let j = 0; j < n; j++) { const d = a[i + j] - r[j]; o[i + j] = d * d; } },
  rowA(r, b, o) { const n = r.length; for (let i = 0; i < o.length; i += n) for (let j = 0; j < n; j++) { const d = r[j] - b[i + j]; o[i + j] = d * d; } },
};

// Prelu: x < 0 ? alpha * x : x with alpha as the second operand (tfjs-backend-cpu's preluImpl).
const prelu: Loops = {
  same(a, b, o) { for (let i = 0; i < o.length; i++) { const v = a[i]; o[i] = v < 0 ? b[i] * v : v; } },
  scalarB(a, s, o) { for (let i = 0; i < o.length; i++) { const v = a[i]; o[i] = v < 0 ? s * v : v; } },
  scalarA(s, b, o) { for (let i = 0; i < o.length; i++) o[i] = s < 0 ? b[i] * s : s; },
  rowB(a, r, o) { const n = r.length; for (let i = 0; i < o.length; i += n) for (let j = 0; j < n; j++) { const v = a[i + j]; o[i + j] = v < 0 ? r[j] * v : v; } },
  rowA(r, b, o) { const n = r.length; for (let i = 0; i < o.length; i += n) for (let j = 0; j < n; j++) { const v = r[j]; o[i + j] = v < 0 ? b[i + j] * v : v; } },
};

/** The BinOp codes of kernels/ebinary/ebinary.h, and its operand modes. */
const OP = { add: 0, sub: 1, mul: 2, div: 3, max: 4, min: 5, sqdiff: 6, prelu: 7 } as const;
const FULL = 0, ROW = 1, SCALAR = 2;

/** Whether `row` (a smaller shape) is a trailing row of `full`: [n] or [1, ..., 1, n] with n = full's last dim. */
function isRowOf(row: readonly number[], full: readonly number[]): boolean {
  if (row.length === 0 || full.length === 0 || row.length > full.length) return false;
  if (row[row.length - 1] !== full[full.length - 1]) return false;
  for (let i = 0; i < row.length - 1; i++) if (row[i] !== 1) return false;
  return true;
}

function binary(loops: Loops, code: number, names: readonly [string, string] = ['a', 'b']) {
  return ({ inputs, backend }: KernelArgs): TensorInfo | null => {
    const a = inputs[names[0]], b = inputs[names[1]];
    const av = f32(backend, a), bv = f32(backend, b);
    if (av === null || bv === null) return null;
    let shape: number[];
    if (sameShape(a.shape, b.shape)) {
      shape = a.shape.slice();
    } else {
      try {
        shape = broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
      } catch {
        return null;
      }
    }
    const size = sizeOf(shape);
    const out = new Float32Array(size);
    if (size === 0) return output(backend, shape, out);
    if (native !== null && size >= NATIVE_MIN_ELEMENTS) {
      let m = 1, n = size, am = FULL, bm = FULL;
      if (av.length === size && bv.length === size) { /* same shape */ }
      else if (bv.length === 1 && av.length === size) bm = SCALAR;
      else if (av.length === 1 && bv.length === size) am = SCALAR;
      else if (av.length === size && isRowOf(b.shape, a.shape)) { n = bv.length; m = size / n; bm = ROW; }
      else if (bv.length === size && isRowOf(a.shape, b.shape)) { n = av.length; m = size / n; am = ROW; }
      else return null;
      native.elementwiseBinary(code, m, n, av, am, bv, bm, out);
      return output(backend, shape, out);
    }
    if (av.length === size && bv.length === size) loops.same(av, bv, out);
    else if (bv.length === 1 && av.length === size) loops.scalarB(av, bv[0], out);
    else if (av.length === 1 && bv.length === size) loops.scalarA(av[0], bv, out);
    else if (av.length === size && isRowOf(b.shape, a.shape)) loops.rowB(av, bv, out);
    else if (bv.length === size && isRowOf(a.shape, b.shape)) loops.rowA(av, bv, out);
    else return null;
    return output(backend, shape, out);
  };
}

export const BINARY = {
  Add: binary(add, OP.add),
  Sub: binary(sub, OP.sub),
  Multiply: binary(mul, OP.mul),
  RealDiv: binary(div, OP.div),
  Maximum: binary(max, OP.max),
  Minimum: binary(min, OP.min),
  SquaredDifference: binary(sqdiff, OP.sqdiff),
  Prelu: binary(prelu, OP.prelu, ['x', 'alpha']),
};
