/**
 * Tensor: a shape plus Float32Array data owned by the tensor. With the addon loaded the data lives in native memory
 * (the addon's allocF32: zeroed, 64-byte aligned blocks outside V8's heap); `dispose()` gives it back at once
 * (releaseF32), and a tensor users forget is freed by the ArrayBuffer's finalizer after a GC. Without the addon it is
 * a plain Float32Array. `data()` returns a JS copy either way; after `dispose()` every use throws SIMDNET_DISPOSED.
 * Models never keep references to user tensors: fit/evaluate/predict copy what they need (or read it once), so a
 * tensor can be disposed as soon as the call returned.
 */
import { SimdnetError, SimdnetTypeError, describe } from './errors.js';
import { native } from './native.js';
import { firstNonFinite as firstNonFiniteTs } from './kernels/reference/reduce.js';

/** Arrays made by allocStorage (native memory a Tensor may adopt without a copy and release on dispose). */
const nativeStorage = new WeakSet<Float32Array>();

/**
 * A zeroed Float32Array of n elements for a Tensor to adopt: native memory when the addon is loaded, else a JS array.
 * Internal callers fill it and pass it to `new Tensor`, which then takes it without copying.
 */
export function allocStorage(n: number): Float32Array {
  if (!native) return new Float32Array(n);
  const a = native.allocF32(n) as Float32Array;
  nativeStorage.add(a);
  return a;
}

/** Whether a tensor's data lives in native memory (allocF32); false without the addon. */
export function isNativeStorage(a: Float32Array): boolean {
  return nativeStorage.has(a);
}

export type NestedArray = number | NestedArray[];
/** Rows of a matrix given as typed arrays (e.g. one Float32Array per sample). */
export type TypedRows = (Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | Uint8Array | Uint8ClampedArray | Uint16Array | Uint32Array)[];
export type TensorLike = Tensor | Float32Array | NestedArray[];

export class Tensor {
  readonly shape: readonly number[];
  readonly size: number;
  private values: Float32Array | null;

  /**
   * Takes ownership of `values` when it came from allocStorage (or when the addon is not loaded: then any array is
   * adopted as is); otherwise copies it into native storage. Use tensor() for checked construction.
   */
  constructor(values: Float32Array, shape: readonly number[]) {
    const size = shape.reduce((a, b) => a * b, 1);
    if (values.length !== size)
      throw new SimdnetError('SIMDNET_SHAPE_MISMATCH', `Tensor data has ${values.length} elements but shape [${shape.join(', ')}] needs ${size}`);
    if (native && !nativeStorage.has(values)) {
      const copy = allocStorage(size);
      copy.set(values);
      values = copy;
    }
    this.values = values;
    this.shape = Object.freeze([...shape]);
    this.size = size;
  }

  get rank(): number {
    return this.shape.length;
  }

  get isDisposed(): boolean {
    return this.values === null;
  }

  /** A copy of the elements, row-major. */
  data(): Float32Array {
    return this.view().slice();
  }

  /** Nested arrays (like tfjs arraySync). */
  array(): NestedArray {
    const v = this.view();
    const build = (dim: number, offset: number): NestedArray => {
      if (dim === this.shape.length) return v[offset];
      const stride = this.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
      return Array.from({ length: this.shape[dim] }, (_, i) => build(dim + 1, offset + i * stride));
    };
    return build(0, 0);
  }

  /** The backing array without a copy (internal: callers must not keep or mutate it). */
  view(): Float32Array {
    if (this.values === null) throw new SimdnetError('SIMDNET_DISPOSED', 'This tensor has been disposed');
    return this.values;
  }

  /** Frees the data now (native storage goes back to the allocator at once). Calling it again does nothing. */
  dispose(): void {
    const v = this.values;
    if (v === null) return;
    this.values = null;
    if (nativeStorage.has(v)) {
      nativeStorage.delete(v);
      native!.releaseF32(v);
    }
  }

  toString(): string {
    return this.values === null ? 'Tensor(disposed)' : `Tensor(shape=[${this.shape.join(', ')}])`;
  }
}

function checkShape(shape: unknown): number[] {
  if (!Array.isArray(shape) || shape.some((d) => typeof d !== 'number' || !Number.isInteger(d) || d < 0))
    throw new SimdnetTypeError('SIMDNET_INVALID_ARGUMENT', `Expected an array of non-negative integers for shape but received ${describe(shape)}`);
  return shape as number[];
}

/** A typed array of numbers (not DataView, not the BigInt arrays). */
export type NumericArray =
  | Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | Uint8Array | Uint8ClampedArray | Uint16Array | Uint32Array;

export function isNumericArray(v: unknown): v is NumericArray {
  return ArrayBuffer.isView(v) && !(v instanceof DataView) && !(v instanceof BigInt64Array) && !(v instanceof BigUint64Array);
}

/** Shape of a nested array, read along its first elements; a typed array is the last dimension (a row). */
export function nestedShape(data: unknown[]): number[] {
  const shape: number[] = [];
  let level: unknown = data;
  for (;;) {
    if (Array.isArray(level)) {
      shape.push(level.length);
      level = level[0];
    } else if (isNumericArray(level)) {
      shape.push(level.length);
      return shape;
    } else return shape;
  }
}

/**
 * Where the conversion of a nested array failed, found only once it has (issue 12: building a path string for every
 * element made 20,000 x 784 numbers take 2.2 s). Walks `data` along `index` and returns the coded error.
 */
function conversionError(data: unknown, shape: readonly number[], index: number[], name: string): Error {
  let v: unknown = data;
  let path = '';
  for (let d = 0; d < index.length; d++) {
    if (!Array.isArray(v) && !isNumericArray(v)) break;
    v = (v as ArrayLike<unknown>)[index[d]];
    path += `[${index[d]}]`;
  }
  if (index.length === shape.length)
    return new SimdnetTypeError('SIMDNET_INVALID_ARGUMENT', `Expected number at ${name}${path} but received ${describe(v)}`);
  return new SimdnetError('SIMDNET_SHAPE_MISMATCH',
    `Expected ${name}${path} to be an array of length ${shape[index.length]} (ragged arrays are not supported) but received ${describe(v)}`);
}

/**
 * Writes rows [r0, r1) of a rectangular nested array (numbers, or typed-array rows at the last level) of `shape`
 * into `out`, row-major. A tight loop per row; a bad element throws an error naming its position.
 */
export function fillRows(data: readonly unknown[], shape: readonly number[], out: Float32Array, r0: number, r1: number, name: string): void {
  const rank = shape.length;
  let rowSize = 1;
  for (let d = 1; d < rank; d++) rowSize *= shape[d];
  if (rank === 1) {
    for (let i = r0; i < r1; i++) {
      const v = data[i];
      if (typeof v !== 'number') throw conversionError(data, shape, [i], name);
      out[i] = v;
    }
    return;
  }
  if (rank === 2) {
    const cols = shape[1];
    for (let i = r0; i < r1; i++) {
      const row = data[i];
      const o = i * cols;
      if (Array.isArray(row)) {
        if (row.length !== cols) throw conversionError(data, shape, [i], name);
        for (let j = 0; j < cols; j++) {
          const v = row[j];
          if (typeof v !== 'number') throw conversionError(data, shape, [i, j], name);
          out[o + j] = v;
        }
      } else if (isNumericArray(row) && row.length === cols) out.set(row, o);
      else throw conversionError(data, shape, [i], name);
    }
    return;
  }
  const index = new Array<number>(rank).fill(0);
  let k = r0 * rowSize;
  const walk = (v: unknown, dim: number): void => {
    const n = shape[dim];
    if (dim === rank - 1 && isNumericArray(v) && v.length === n) {
      out.set(v, k);
      k += n;
      return;
    }
    if (!Array.isArray(v) || v.length !== n) throw conversionError(data, shape, index.slice(0, dim), name);
    if (dim === rank - 1) {
      for (let j = 0; j < n; j++) {
        const e = v[j];
        if (typeof e !== 'number') {
          index[dim] = j;
          throw conversionError(data, shape, index.slice(0, dim + 1), name);
        }
        out[k++] = e;
      }
      return;
    }
    for (let j = 0; j < n; j++) {
      index[dim] = j;
      walk(v[j], dim + 1);
    }
  };
  for (let i = r0; i < r1; i++) {
    index[0] = i;
    walk(data[i], 1);
  }
}

/** Infers the shape of a (rectangular) nested array and flattens it (into native storage when the addon is loaded). */
function flatten(data: unknown[], name: string): { values: Float32Array; shape: number[] } {
  const shape = nestedShape(data);
  const size = shape.reduce((a, b) => a * b, 1);
  const values = allocStorage(size);
  fillRows(data, shape, values, 0, shape[0], name);
  return { values, shape };
}

/**
 * Creates a tensor from a Float32Array (or any numeric array-like) with a shape, or from nested number arrays (shape
 * inferred, or checked when given). The data is copied.
 */
export function tensor(data: Float32Array | ArrayLike<number> | NestedArray[], shape?: number[]): Tensor {
  if (Array.isArray(data) && (data.length === 0 || Array.isArray(data[0]) || isNumericArray(data[0]))) {
    const f = flatten(data as unknown[], 'data');
    if (shape !== undefined) {
      const s = checkShape(shape);
      if (s.reduce((a, b) => a * b, 1) !== f.values.length)
        throw new SimdnetError('SIMDNET_SHAPE_MISMATCH', `Shape [${s.join(', ')}] does not match the ${f.values.length} elements of data`);
      return new Tensor(f.values, s);
    }
    return new Tensor(f.values, f.shape);
  }
  const isNumeric = ArrayBuffer.isView(data) && !(data instanceof DataView);
  if (!isNumeric && !Array.isArray(data))
    throw new SimdnetTypeError('SIMDNET_INVALID_ARGUMENT', `Expected Float32Array or (nested) number array for data but received ${describe(data)}`);
  const arr = data as ArrayLike<number>;
  if (Array.isArray(arr)) for (let i = 0; i < arr.length; i++) if (typeof arr[i] !== 'number')
    throw new SimdnetTypeError('SIMDNET_INVALID_ARGUMENT', `Expected number at data[${i}] but received ${describe(arr[i])}`);
  // Shape checked before allocating, so a bad call leaves no native block behind for the GC.
  const s = shape === undefined ? [arr.length] : checkShape(shape);
  if (s.reduce((a, b) => a * b, 1) !== arr.length)
    throw new SimdnetError('SIMDNET_SHAPE_MISMATCH', `Tensor data has ${arr.length} elements but shape [${s.join(', ')}] needs ${s.reduce((a, b) => a * b, 1)}`);
  const values = allocStorage(arr.length);
  values.set(arr);
  return new Tensor(values, s);
}

/** A 2-D view of some input: rows x cols, row-major, possibly sharing memory with the caller's data. */
export interface Matrix {
  data: Float32Array;
  rows: number;
  cols: number;
}

/**
 * Reads a Tensor, Float32Array or nested arrays as an n x cols matrix. A rank-1 input is a column (n x 1) when
 * `cols` is 1, else a single row is not guessed: it must be 2-D. Higher ranks flatten trailing dimensions.
 */
export function toMatrix(x: unknown, name: string, cols?: number): Matrix {
  let values: Float32Array;
  let shape: readonly number[];
  if (x instanceof Tensor) {
    values = x.view();
    shape = x.shape;
  } else if (x instanceof Float32Array) {
    if (cols === undefined)
      throw new SimdnetTypeError('SIMDNET_INVALID_ARGUMENT', `A flat Float32Array for ${name} needs a known row length; pass a Tensor instead`);
    if (x.length % cols !== 0)
      throw new SimdnetError('SIMDNET_SHAPE_MISMATCH', `Expected ${name} to hold a multiple of ${cols} values but it has ${x.length}`);
    values = x;
    shape = [x.length / cols, cols];
  } else if (isNumericArray(x)) {
    // Float64Array, Int32Array, Uint8Array, ...: values converted to float32 as they are (no scaling: a Uint8Array of
    // pixels gives 0..255; divide first, or pass a Tensor, for [0, 1]). Labels for the sparse loss come this way.
    if (cols === undefined)
      throw new SimdnetTypeError('SIMDNET_INVALID_ARGUMENT', `A flat ${x.constructor.name} for ${name} needs a known row length; pass a Tensor instead`);
    if (x.length % cols !== 0)
      throw new SimdnetError('SIMDNET_SHAPE_MISMATCH', `Expected ${name} to hold a multiple of ${cols} values but it has ${x.length}`);
    values = allocStorage(x.length);
    values.set(x);
    shape = [x.length / cols, cols];
  } else if (Array.isArray(x)) {
    const f = flatten(x, name);
    values = f.values;
    shape = f.shape;
  } else {
    throw new SimdnetTypeError('SIMDNET_INVALID_ARGUMENT', `Expected Tensor, typed array, array of typed-array rows or nested number array for ${name} but received ${describe(x)}`);
  }
  return matrixOf(values, shape, name, cols);
}

/** The n x cols view of row-major `values` of `shape` (trailing dimensions flattened), with toMatrix's checks. */
export function matrixOf(values: Float32Array, shape: readonly number[], name: string, cols?: number): Matrix {
  if (shape.length === 0) throw new SimdnetError('SIMDNET_SHAPE_MISMATCH', `Expected ${name} to have a batch dimension but it is a scalar`);
  const rows = shape[0];
  const c = shape.length === 1 ? 1 : shape.slice(1).reduce((a, b) => a * b, 1);
  if (cols !== undefined && c !== cols)
    throw new SimdnetError('SIMDNET_SHAPE_MISMATCH',
      `Expected ${name} to have shape [n, ${cols}] but received shape [${shape.join(', ')}]`);
  return { data: values, rows, cols: c };
}

/**
 * Index of the first non-finite element, or -1: the addon's vectorised scan when it is loaded and v is not tiny
 * (kernels/reduce firstNonFinite: a 188 MB training set in ~10 ms instead of 80-120 ms), else this loop.
 */
export function firstNonFinite(v: Float32Array): number {
  if (native !== null && v.length >= 256) return native.firstNonFinite(v.length, v, null) as number;
  return firstNonFiniteTs(v.length, v, null);
}
