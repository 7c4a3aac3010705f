/** Thin typed wrappers over the addon's reductions (ops-reduce.cc). The addon checks its arguments. */
import { requireNative } from '../../native.js';

export function colSum(m: number, n: number, x: Float32Array, ldx: number, accumulate: boolean, out: Float32Array): Float32Array {
  return requireNative().colSum(m, n, x, ldx, accumulate, out) as Float32Array;
}
export function rowArgmax(m: number, n: number, x: Float32Array, ldx: number, out: Int32Array): Int32Array {
  return requireNative().rowArgmax(m, n, x, ldx, out) as Int32Array;
}
export function sum(n: number, x: Float32Array): number {
  return requireNative().sum(n, x) as number;
}
export function sumSquares(n: number, x: Float32Array): number {
  return requireNative().sumSquares(n, x) as number;
}
export function mean(n: number, x: Float32Array): number {
  return requireNative().mean(n, x) as number;
}
export function firstNonFinite(n: number, x: Float32Array, copy: Float32Array | null): number {
  return requireNative().firstNonFinite(n, x, copy) as number;
}
