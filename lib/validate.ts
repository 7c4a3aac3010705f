/** Argument checks shared by every public function. Messages follow sharp: "Expected X for NAME but received Y". */
import { SimdnetRangeError, SimdnetTypeError, describe } from './errors.js';

const MAX_SIZE = 2 ** 40;

export function isDetached(buf: ArrayBufferLike): boolean {
  // A detached ArrayBuffer always has byteLength 0 (ECMA-262 ArrayBufferByteLength), so a non-empty buffer is not
  // detached: the common path returns here without allocating. SharedArrayBuffers cannot be detached.
  if (buf.byteLength !== 0) return false;
  // ArrayBuffer.prototype.detached exists from V8 11.4 (Node 22); Node 20 lacks it, so an empty buffer is probed by
  // constructing a view, which throws on a detached buffer. Only empty buffers pay for that allocation.
  const d = (buf as ArrayBuffer & { detached?: boolean }).detached;
  if (typeof d === 'boolean') return d;
  try {
    new Uint8Array(buf as ArrayBuffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}

/** A non-negative integer (or positive when `min` is 1). */
export function checkSize(v: unknown, name: string, min = 0): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > MAX_SIZE) {
    const what = min === 1 ? 'positive integer' : 'non-negative integer';
    if (typeof v !== 'number') throw new SimdnetTypeError('SIMDNET_INVALID_ARGUMENT', `Expected ${what} for ${name} but received ${describe(v)}`);
    throw new SimdnetRangeError('SIMDNET_INVALID_ARGUMENT', `Expected ${what} for ${name} but received ${describe(v)}`);
  }
  return v;
}

/** The largest finite float32. */
export const F32_MAX = 3.4028234663852886e38;

/**
 * A finite number within float32 range (|v| <= F32_MAX: every number here ends up as a float32 in a kernel or the
 * engine, and a larger one would turn into an infinity there), optionally within [lo, hi] (inclusive unless
 * loOpen/hiOpen).
 */
export function checkNumber(
  v: unknown,
  name: string,
  range: { lo?: number; hi?: number; loOpen?: boolean; hiOpen?: boolean } = {},
): number {
  if (typeof v !== 'number') throw new SimdnetTypeError('SIMDNET_INVALID_ARGUMENT', `Expected number for ${name} but received ${describe(v)}`);
  const { lo, hi, loOpen, hiOpen } = range;
  const bad =
    !Number.isFinite(v) ||
    Math.abs(v) > F32_MAX ||
    (lo !== undefined && (loOpen ? v <= lo : v < lo)) ||
    (hi !== undefined && (hiOpen ? v >= hi : v > hi));
  if (bad) {
    const l = lo === undefined ? `[-${F32_MAX}` : `${loOpen ? '(' : '['}${lo}`;
    const h = hi === undefined ? `${F32_MAX}]` : `${hi}${hiOpen ? ')' : ']'}`;
    throw new SimdnetRangeError('SIMDNET_INVALID_ARGUMENT', `Expected finite number in ${l}, ${h} for ${name} but received ${describe(v)}`);
  }
  return v;
}

/** An integer in [0, 2^53] (seeds, streams, counters, offsets). */
export function checkU53(v: unknown, name: string): number {
  if (typeof v !== 'number') throw new SimdnetTypeError('SIMDNET_INVALID_ARGUMENT', `Expected integer in [0, 2^53] for ${name} but received ${describe(v)}`);
  if (!Number.isInteger(v) || v < 0 || v > 2 ** 53)
    throw new SimdnetRangeError('SIMDNET_INVALID_ARGUMENT', `Expected integer in [0, 2^53] for ${name} but received ${describe(v)}`);
  return v;
}

/** A non-null object (an options or arguments bag, described as `what`); its fields are checked by the caller. */
export function checkObject<T extends object>(v: unknown, name: string, what = 'an object'): T {
  if (typeof v !== 'object' || v === null)
    throw new SimdnetTypeError('SIMDNET_INVALID_ARGUMENT', `Expected ${what} for ${name} but received ${describe(v)}`);
  return v as T;
}

export function checkBoolean(v: unknown, name: string): boolean {
  if (typeof v !== 'boolean') throw new SimdnetTypeError('SIMDNET_INVALID_ARGUMENT', `Expected boolean for ${name} but received ${describe(v)}`);
  return v;
}

type TypedCtor = Float32ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor | Uint32ArrayConstructor;

function checkTyped<T extends ArrayBufferView>(ctor: TypedCtor, v: unknown, name: string, minLength: number): T {
  if (!(v instanceof ctor)) throw new SimdnetTypeError('SIMDNET_INVALID_ARGUMENT', `Expected ${ctor.name} for ${name} but received ${describe(v)}`);
  if (isDetached(v.buffer)) throw new SimdnetTypeError('SIMDNET_DETACHED_BUFFER', `${name} is backed by a detached ArrayBuffer`);
  if (v.length < minLength)
    throw new SimdnetRangeError('SIMDNET_BUFFER_TOO_SMALL', `${name} has ${v.length} elements but ${minLength} are needed`);
  return v as unknown as T;
}

export const checkF32 = (v: unknown, name: string, minLength = 0) => checkTyped<Float32Array>(Float32Array, v, name, minLength);
export const checkI32 = (v: unknown, name: string, minLength = 0) => checkTyped<Int32Array>(Int32Array, v, name, minLength);
export const checkU8 = (v: unknown, name: string, minLength = 0) => checkTyped<Uint8Array>(Uint8Array, v, name, minLength);

/** Elements a row-major rows x cols matrix with leading dimension ld spans: (rows-1)*ld + cols (0 when empty). */
export function matrixExtent(rows: number, cols: number, ld: number, name: string): number {
  if (rows === 0 || cols === 0) return 0;
  if (ld < cols) throw new SimdnetRangeError('SIMDNET_INVALID_ARGUMENT', `Leading dimension of ${name} (${ld}) is smaller than its row length (${cols})`);
  return (rows - 1) * ld + cols;
}

export function checkOneOf<T extends string>(v: unknown, name: string, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v))
    throw new SimdnetTypeError('SIMDNET_INVALID_ARGUMENT', `Expected one of ${allowed.join(', ')} for ${name} but received ${describe(v)}`);
  return v as T;
}
