/**
 * 2-D max and average pooling over NHWC float32 tensors, forward and gradient, with tfjs-backend-cpu's semantics
 * (the contract: native/src/kernels/pool/pool.h; readable form: ./reference/pool.ts). Validates the geometry and the
 * buffers, then runs the native kernel when the backend is 'native' and the addon is loaded, else the pure-TS twin;
 * both give the same results bit for bit (but for subnormals, which the addon flushes by default).
 * Outputs must not overlap inputs (the gradients gather from dy while writing dx).
 */
import { getBackend } from '../backend.js';
import { native } from '../native.js';
import { SimdnetRangeError } from '../errors.js';
import { checkF32, checkObject, checkSize } from '../validate.js';
import * as nat from './native/pool.js';
import * as ref from './reference/pool.js';
import type { PoolGeometry } from './reference/pool.js';

export type { PoolGeometry } from './reference/pool.js';

const useNative = () => getBackend() === 'native' && native !== null;
const AXIS_LIMIT = 2 ** 61;

/** Checks every field (the addon's rules: filters and strides >= 1, fh*fw < 2^24, out*stride + filter + pad < 2^61). */
function checkGeometry(g: unknown): { g: PoolGeometry; xs: number; ys: number } {
  const o = checkObject<PoolGeometry>(g, 'geometry');
  const v: PoolGeometry = {
    batch: checkSize(o.batch, 'batch'),
    inHeight: checkSize(o.inHeight, 'inHeight'),
    inWidth: checkSize(o.inWidth, 'inWidth'),
    channels: checkSize(o.channels, 'channels'),
    outHeight: checkSize(o.outHeight, 'outHeight'),
    outWidth: checkSize(o.outWidth, 'outWidth'),
    filterHeight: checkSize(o.filterHeight, 'filterHeight', 1),
    filterWidth: checkSize(o.filterWidth, 'filterWidth', 1),
    strideHeight: checkSize(o.strideHeight, 'strideHeight', 1),
    strideWidth: checkSize(o.strideWidth, 'strideWidth', 1),
    padTop: checkSize(o.padTop, 'padTop'),
    padLeft: checkSize(o.padLeft, 'padLeft'),
  };
  if (v.filterHeight * v.filterWidth >= 2 ** 24)
    throw new SimdnetRangeError('SIMDNET_INVALID_ARGUMENT', `Expected filterHeight*filterWidth < 2^24 but received ${v.filterHeight}*${v.filterWidth}`);
  if (v.outHeight * v.strideHeight + v.filterHeight + v.padTop >= AXIS_LIMIT ||
      v.outWidth * v.strideWidth + v.filterWidth + v.padLeft >= AXIS_LIMIT)
    throw new SimdnetRangeError('SIMDNET_INVALID_ARGUMENT', 'Expected outSize*stride + filter + pad < 2^61 along each axis');
  return { g: v, xs: v.batch * v.inHeight * v.inWidth * v.channels, ys: v.batch * v.outHeight * v.outWidth * v.channels };
}

/** Rejects an output whose memory overlaps an input's. */
function checkDisjoint(out: Float32Array, outName: string, ...ins: [Float32Array, string][]): void {
  for (const [a, name] of ins) {
    if (a.buffer !== out.buffer || a.length === 0 || out.length === 0) continue;
    const a0 = a.byteOffset, a1 = a0 + a.byteLength, o0 = out.byteOffset, o1 = o0 + out.byteLength;
    if (a0 < o1 && o0 < a1)
      throw new SimdnetRangeError('SIMDNET_INVALID_ARGUMENT', `Expected ${outName} not to overlap ${name}`);
  }
}

export function maxPool(geometry: PoolGeometry, x: Float32Array, y: Float32Array): Float32Array {
  const { g, xs, ys } = checkGeometry(geometry);
  checkF32(x, 'x', xs);
  checkF32(y, 'y', ys);
  checkDisjoint(y, 'y', [x, 'x']);
  return useNative() ? nat.maxPool(g, x, y) : ref.maxPool(g, x, y);
}

export function maxPoolGrad(geometry: PoolGeometry, x: Float32Array, dy: Float32Array, dx: Float32Array): Float32Array {
  const { g, xs, ys } = checkGeometry(geometry);
  checkF32(x, 'x', xs);
  checkF32(dy, 'dy', ys);
  checkF32(dx, 'dx', xs);
  checkDisjoint(dx, 'dx', [x, 'x'], [dy, 'dy']);
  return useNative() ? nat.maxPoolGrad(g, x, dy, dx) : ref.maxPoolGrad(g, x, dy, dx);
}

export function avgPool(geometry: PoolGeometry, x: Float32Array, y: Float32Array): Float32Array {
  const { g, xs, ys } = checkGeometry(geometry);
  checkF32(x, 'x', xs);
  checkF32(y, 'y', ys);
  checkDisjoint(y, 'y', [x, 'x']);
  return useNative() ? nat.avgPool(g, x, y) : ref.avgPool(g, x, y);
}

export function avgPoolGrad(geometry: PoolGeometry, dy: Float32Array, dx: Float32Array): Float32Array {
  const { g, xs, ys } = checkGeometry(geometry);
  checkF32(dy, 'dy', ys);
  checkF32(dx, 'dx', xs);
  checkDisjoint(dx, 'dx', [dy, 'dy']);
  return useNative() ? nat.avgPoolGrad(g, dy, dx) : ref.avgPoolGrad(g, dy, dx);
}
