/** Argument checks of JsEngine's batch entry points; each throws a coded SimdnetError. */
import type { TrainBatchesArgs } from '../engine.js';
import { SimdnetError, SimdnetTypeError } from '../../errors.js';
import { isDetached } from '../../validate.js';

/** n samples, x holding n * inputSize floats and y (unless null) n * ySize. */
export function checkBatchArrays(x: Float32Array, y: Float32Array | null, n: number, inputSize: number, ySize: number): void {
  if (!Number.isInteger(n) || n < 1) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected positive integer for the sample count but received ${n}`);
  for (const [v, name] of [[x, 'x'], [y, 'y']] as const)
    if (v instanceof Float32Array && isDetached(v.buffer))
      throw new SimdnetTypeError('SIMDNET_DETACHED_BUFFER', `${name} is backed by a detached ArrayBuffer`);
  if (!(x instanceof Float32Array) || x.length < n * inputSize)
    throw new SimdnetError('SIMDNET_BUFFER_TOO_SMALL', `x must be a Float32Array of at least ${n * inputSize} elements`);
  if (y !== null && (!(y instanceof Float32Array) || y.length < n * ySize))
    throw new SimdnetError('SIMDNET_BUFFER_TOO_SMALL', `y must be a Float32Array of at least ${n * ySize} elements`);
}

export function checkBatchSize(b: number): void {
  if (!Number.isInteger(b) || b < 1) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected positive integer for batchSize but received ${b}`);
}

/** The order, batch range and per-step learning rates of trainBatches (the arrays are checked before). */
export function checkTrainBatchesArgs(args: TrainBatchesArgs): void {
  const { n, order, batchSize, firstBatch, batchCount, lrPerStep } = args;
  if (!(order instanceof Uint32Array) || order.length < n) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `order must be a Uint32Array of length ${n}`);
  for (let i = 0; i < n; i++) if (order[i] >= n) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `order[${i}] = ${order[i]} is not a sample index below ${n}`);
  if (!Number.isInteger(batchSize) || batchSize < 1 || !Number.isInteger(firstBatch) || firstBatch < 0 || !Number.isInteger(batchCount) || batchCount < 0)
    throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected positive batchSize and non-negative integer firstBatch/batchCount but received ${batchSize}, ${firstBatch}, ${batchCount}`);
  if (lrPerStep && lrPerStep.length < batchCount) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `lrPerStep must have ${batchCount} entries`);
}

/** Per-sample weights: a Float32Array of at least n finite values >= 0 (the native bindings check the same). */
export function checkSampleWeight(w: Float32Array, n: number): Float32Array {
  if (!(w instanceof Float32Array) || w.length < n)
    throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `sampleWeight must be a Float32Array of at least ${n} elements`);
  if (isDetached(w.buffer)) throw new SimdnetTypeError('SIMDNET_DETACHED_BUFFER', 'sampleWeight is backed by a detached ArrayBuffer');
  for (let i = 0; i < n; i++)
    if (!(w[i] >= 0) || !Number.isFinite(w[i]))
      throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `sampleWeight[${i}] is not a finite number >= 0 (received ${w[i]})`);
  return w;
}
