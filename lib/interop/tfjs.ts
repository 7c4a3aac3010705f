/**
 * TensorFlow.js model objects in and out (issue 14), for a tfjs user who wants to train at native speed and keep
 * serving with tfjs:
 *   fromTfjs(tfModel)             a simdnet Sequential with the tfjs LayersModel's architecture and weights
 *   model.copyWeightsTo(tfModel)  simdnet's weights written back into the tfjs model (by layer/weight name)
 *   toTfjs(model, tf)             a new tfjs LayersModel from a simdnet one
 * The topology goes through the same translation as the tfjs file format (lib/io/tfjs: to-layers.ts,
 * from-layers.ts), so the layers and refusals are the same. simdnet never imports tfjs: tfjs objects are typed
 * structurally here, and toTfjs takes the caller's tfjs namespace, so tfjs stays optional and the caller's copy of
 * tfjs-core (its engine and backend) is the one used.
 */
import { SimdnetError, describe } from '../errors.js';
import type { Sequential } from '../models/sequential.js';
import { sequentialFrom } from '../io/tfjs/from-layers.js';
import { matchWeights } from '../io/tfjs/match-weights.js';
import { toLayersModel } from '../io/tfjs/to-layers.js';

/** What simdnet uses of a tfjs LayerVariable. */
export interface TfjsWeightLike {
  readonly name: string;
  /** The name tfjs saves and loads by (`<layer>/<weight>`); `name` may carry a suffix when names repeat. */
  readonly originalName?: string;
  readonly shape: readonly (number | null)[];
  read(): { dataSync(): ArrayLike<number> };
}

/** What simdnet uses of a tfjs LayersModel (tf.sequential() or tf.loadLayersModel's result). */
export interface TfjsLayersModelLike {
  toJSON(unused?: unknown, returnString?: boolean): unknown;
  readonly weights: readonly TfjsWeightLike[];
  setWeights(weights: unknown[]): void;
}

/**
 * What simdnet uses of the tfjs namespace (`import * as tf from '@tensorflow/tfjs'`); M is what its
 * loadLayersModel returns (tf.LayersModel), so toTfjs's result has tfjs's own type.
 */
export interface TfjsNamespaceLike<M = unknown> {
  tensor?(values: Float32Array, shape: number[], dtype?: 'float32'): unknown;
  loadLayersModel?(handler: unknown): Promise<M>;
  io?: { fromMemory(artifacts: unknown): unknown };
}

function checkTfModel(m: unknown, what: string): asserts m is TfjsLayersModelLike {
  const o = m as Partial<TfjsLayersModelLike> | null;
  if (o === null || typeof o !== 'object' || typeof o.toJSON !== 'function' || !Array.isArray(o.weights) || typeof o.setWeights !== 'function')
    throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected a tfjs LayersModel for ${what} but received ${describe(m)}`);
}

function weightRefs(tfModel: TfjsLayersModelLike): { name: string; shape: number[] }[] {
  return tfModel.weights.map((w) => ({ name: w.originalName ?? w.name, shape: w.shape.map((d) => (d === null ? -1 : d)) }));
}

/** A simdnet Sequential (built, not compiled) with `tfModel`'s layers and a copy of its weights. */
export function fromTfjs(tfModel: TfjsLayersModelLike): Sequential {
  checkTfModel(tfModel, 'fromTfjs()');
  const json = tfModel.toJSON(null, false);
  const topology = typeof json === 'string' ? (JSON.parse(json) as unknown) : json;
  const where = 'fromTfjs()';
  const { model, params } = sequentialFrom(topology, where);
  const index = matchWeights(params, weightRefs(tfModel), where, 'SIMDNET_SHAPE_MISMATCH');
  model.setWeights(index.map((j) => Float32Array.from(tfModel.weights[j].read().dataSync())));
  return model;
}

type MakeTensor = (values: Float32Array, shape: number[]) => unknown;

/** tf.tensor when given; else tfjs-core's global engine (one per process, shared by every copy of tfjs-core). */
function tensorMaker(tf: TfjsNamespaceLike | undefined): MakeTensor {
  if (tf !== undefined) {
    if (typeof tf?.tensor !== 'function') throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected the tfjs namespace (with tensor()) but received ${describe(tf)}`);
    return (v, s) => tf.tensor!(v, s, 'float32');
  }
  const engine = (globalThis as { _tfengine?: { makeTensor?: (v: Float32Array, s: number[], d: string) => unknown } })._tfengine;
  if (typeof engine?.makeTensor !== 'function')
    throw new SimdnetError('SIMDNET_MISSING_DEPENDENCY', 'copyWeightsTo() found no tfjs engine in this process; pass your tfjs namespace: model.copyWeightsTo(tfModel, tf)');
  return (v, s) => engine.makeTensor!(v, s, 'float32');
}

/** model's weights into tfModel (same architecture), matched by `<layer>/<weight>` name and shape. */
export function copyWeightsTo(model: Sequential, tfModel: TfjsLayersModelLike, tf?: TfjsNamespaceLike): void {
  checkTfModel(tfModel, 'copyWeightsTo()');
  const make = tensorMaker(tf);
  const engine = model.engine;
  const { infos, values } = engine.consistentRead(() => ({ infos: engine.params(), values: engine.getParams() }));
  const refs = weightRefs(tfModel);
  // Every simdnet parameter is found among the tfjs weights and every tfjs weight is used: the same architecture.
  const index = matchWeights(infos.map((p) => ({ name: p.name, shape: [...p.shape] })), refs, 'copyWeightsTo()', 'SIMDNET_SHAPE_MISMATCH');
  const forWeight = new Array<number>(refs.length);
  index.forEach((j, i) => (forWeight[j] = i));
  const tensors = forWeight.map((i) => make(values[i], [...infos[i].shape]));
  try {
    tfModel.setWeights(tensors);
  } finally {
    // setWeights assigns (the variables hold their own reference); ours can go.
    for (const t of tensors) (t as { dispose?: () => void }).dispose?.();
  }
}

/** A tfjs LayersModel with `model`'s architecture and weights, built by the caller's tfjs (`tf`). */
export async function toTfjs<M = TfjsLayersModelLike>(model: Sequential, tf: TfjsNamespaceLike<M>): Promise<M> {
  if (tf === null || typeof tf !== 'object' || typeof tf.loadLayersModel !== 'function' || typeof tf.io?.fromMemory !== 'function')
    throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected the tfjs namespace (with loadLayersModel and io.fromMemory) for toTfjs() but received ${describe(tf)}`);
  const engine = model.engine;
  const { topology, weights } = engine.consistentRead(() => toLayersModel(model, 'simdnet'));
  const total = weights.reduce((a, w) => a + w.values.length, 0);
  const data = new Float32Array(total);
  let at = 0;
  for (const w of weights) {
    data.set(w.values, at);
    at += w.values.length;
  }
  const handler = tf.io.fromMemory({
    modelTopology: topology, format: 'layers-model', generatedBy: 'simdnet',
    weightSpecs: weights.map((w) => ({ name: w.name, shape: w.shape, dtype: 'float32' })), weightData: data.buffer,
  });
  return tf.loadLayersModel(handler);
}
