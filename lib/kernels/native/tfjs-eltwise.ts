/**
 * Thin typed wrappers over the tfjs backend's native kernels (addon/ops-tfjs.cc; twins: ../reference/tfjs-eltwise.ts).
 * The addon checks its arguments (codes, lengths, float32 ranges) and throws coded errors.
 */
import { requireNative } from '../../native.js';

export function elementwiseBinary(op: number, m: number, n: number, a: Float32Array, aMode: number, b: Float32Array,
                                  bMode: number, y: Float32Array): Float32Array {
  return requireNative().elementwiseBinary(op, m, n, a, aMode, b, bMode, y) as Float32Array;
}
export function affineRows(m: number, n: number, x: Float32Array, mean: Float32Array, scale: Float32Array,
                           offset: Float32Array, y: Float32Array): Float32Array {
  return requireNative().affineRows(m, n, x, mean, scale, offset, y) as Float32Array;
}
export function unaryMap(op: number, p0: number, p1: number, n: number, x: Float32Array, y: Float32Array): Float32Array {
  return requireNative().unaryMap(op, p0, p1, n, x, y) as Float32Array;
}
export function argReduce(alongRows: boolean, extreme: number, m: number, n: number, x: Float32Array,
                          vals: Float32Array | null, idx: Int32Array | null): void {
  requireNative().argReduce(alongRows, extreme, m, n, x, vals, idx);
}
export function tfjsAdagrad(n: number, lr: number, eps: number, w: Float32Array, g: Float32Array, acc: Float32Array,
                            wOut: Float32Array, accOut: Float32Array): void {
  requireNative().tfjsAdagrad(n, lr, eps, w, g, acc, wOut, accOut);
}
export function tfjsRmsprop(n: number, lr: number, decay: number, omd: number, momentum: number, eps: number,
                            centered: boolean, w: Float32Array, g: Float32Array, ms: Float32Array,
                            mg: Float32Array | null, mom: Float32Array, wOut: Float32Array, msOut: Float32Array,
                            mgOut: Float32Array | null, momOut: Float32Array): void {
  requireNative().tfjsRmsprop(n, lr, decay, omd, momentum, eps, centered, w, g, ms, mg, mom, wOut, msOut, mgOut, momOut);
}
