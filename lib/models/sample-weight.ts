/**
 * sampleWeight and classWeight of fit, evaluate and trainOnBatch/testOnBatch, as Keras 3.15 reads them
 * (keras/src/trainers/data_adapters): sampleWeight is one finite weight >= 0 per sample; classWeight maps a class
 * index to a weight, looked up per sample from its target (data_adapter_utils.class_weight_to_sample_weights: the
 * argmax of a target row with more than one column, else the single value rounded; classes not listed weigh 1). Both
 * at once is refused, as Keras refuses it. The engines then reduce the loss as sum_i w_i l_i / batch
 * (docs/engine.md "Sample weights").
 */
import type { LossName } from '../engine/engine.js';
import { SimdnetError, describe } from '../errors.js';
import { Tensor, type Matrix } from '../tensor.js';

/** Class index -> weight, e.g. { 0: 1, 1: 10 } (Keras class_weight). */
export type ClassWeight = Readonly<Record<number, number>>;
/** One weight per sample. */
export type SampleWeight = ArrayLike<number> | Tensor;

/** The classes a target can name: the output size, or {0, 1} for a single binary output. */
function classCount(loss: LossName, outputSize: number): number {
  return loss === 'sparseCategoricalCrossentropy' ? outputSize : Math.max(outputSize, 2);
}

function checkWeight(v: number, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
    throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected a finite number >= 0 for ${what} but received ${describe(v)}`);
  return v;
}

/** Validated classWeight as a dense table (classes not listed: 1). */
function classTable(cw: unknown, count: number): Float64Array {
  if (typeof cw !== 'object' || cw === null || Array.isArray(cw))
    throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected an object mapping class index to weight for classWeight but received ${describe(cw)}`);
  const table = new Float64Array(count).fill(1);
  for (const [k, v] of Object.entries(cw as Record<string, unknown>)) {
    const c = Number(k);
    if (!Number.isInteger(c) || c < 0 || c >= count || String(c) !== k)
      throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `classWeight key '${k}' is not a class index in [0, ${count})`);
    table[c] = checkWeight(v as number, `classWeight[${k}]`);
  }
  return table;
}

/** Keras's class of target row r: argmax over more than one column, else the value rounded. */
function classOf(y: Matrix, r: number): number {
  if (y.cols === 1) return Math.round(y.data[r]);
  let best = 0;
  for (let j = 1; j < y.cols; j++) if (y.data[r * y.cols + j] > y.data[r * y.cols + best]) best = j;
  return best;
}

/**
 * Per-sample weights for the prepared targets y (rows = samples), or undefined when neither option is given.
 * Errors: SIMDNET_INVALID_ARGUMENT (both given, a negative / non-finite weight, a bad classWeight key),
 * SIMDNET_SHAPE_MISMATCH (sampleWeight's length is not the sample count).
 */
export function resolveSampleWeights(y: Matrix, loss: LossName, outputSize: number, sampleWeight: unknown,
  classWeight: unknown): Float32Array | undefined {
  if (sampleWeight !== undefined && sampleWeight !== null && classWeight !== undefined && classWeight !== null)
    throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', 'Give classWeight or sampleWeight, not both (Keras refuses both at once)');
  if (sampleWeight !== undefined && sampleWeight !== null) {
    const src = sampleWeight instanceof Tensor ? sampleWeight.data() : sampleWeight;
    if (typeof src !== 'object' || typeof (src as ArrayLike<number>).length !== 'number')
      throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected an array of numbers for sampleWeight but received ${describe(sampleWeight)}`);
    const a = src as ArrayLike<number>;
    if (sampleWeight instanceof Tensor && sampleWeight.shape.length > 1 && sampleWeight.shape.slice(1).some((d) => d !== 1))
      throw new SimdnetError('SIMDNET_SHAPE_MISMATCH', `Expected one weight per sample but sampleWeight has shape [${sampleWeight.shape}]`);
    if (a.length !== y.rows)
      throw new SimdnetError('SIMDNET_SHAPE_MISMATCH', `sampleWeight has ${a.length} weights but there are ${y.rows} samples`);
    const w = new Float32Array(y.rows);
    for (let i = 0; i < y.rows; i++) w[i] = checkWeight(a[i], `sampleWeight[${i}]`);
    return w;
  }
  if (classWeight !== undefined && classWeight !== null) {
    const count = classCount(loss, outputSize);
    const table = classTable(classWeight, count);
    const w = new Float32Array(y.rows);
    for (let r = 0; r < y.rows; r++) {
      const c = classOf(y, r);
      w[r] = c >= 0 && c < count ? table[c] : 1; // Keras: class_weight.get(c, 1.0)
    }
    return w;
  }
  return undefined;
}
