/**
 * Thin typed wrappers over the addon's 2-D pooling (addon/ops-pool.cc; twins: ../reference/pool.ts). The geometry
 * object is passed on as the 12 positional sizes the binding reads; the addon checks every one of them and the
 * buffers, and throws coded errors (a missing object or field reaches it as undefined and is rejected there).
 */
import { requireNative } from '../../native.js';
import type { PoolGeometry } from '../reference/pool.js';

export type { PoolGeometry } from '../reference/pool.js';

/** The binding's 12 geometry arguments, in its order. */
export function geometryArgs(g: PoolGeometry): unknown[] {
  const o = (typeof g === 'object' && g !== null ? g : {}) as Partial<PoolGeometry>;
  return [o.batch, o.inHeight, o.inWidth, o.channels, o.outHeight, o.outWidth, o.filterHeight, o.filterWidth,
    o.strideHeight, o.strideWidth, o.padTop, o.padLeft];
}

export function maxPool(g: PoolGeometry, x: Float32Array, y: Float32Array): Float32Array {
  return requireNative().maxPool(...geometryArgs(g), x, y) as Float32Array;
}
export function maxPoolGrad(g: PoolGeometry, x: Float32Array, dy: Float32Array, dx: Float32Array): Float32Array {
  return requireNative().maxPoolGrad(...geometryArgs(g), x, dy, dx) as Float32Array;
}
export function avgPool(g: PoolGeometry, x: Float32Array, y: Float32Array): Float32Array {
  return requireNative().avgPool(...geometryArgs(g), x, y) as Float32Array;
}
export function avgPoolGrad(g: PoolGeometry, dy: Float32Array, dx: Float32Array): Float32Array {
  return requireNative().avgPoolGrad(...geometryArgs(g), dy, dx) as Float32Array;
}
