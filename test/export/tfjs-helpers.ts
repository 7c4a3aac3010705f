// Helpers for the tfjs-format tests: tfjs's file IOHandlers written here (tfjs-node, which has them, cannot install
// offline), models with seeded non-trivial weights, and prediction comparison.
import * as tf from '@tensorflow/tfjs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Activation, BatchNormalization, Dense, Dropout, Sequential } from '../../lib/index.js';
import { lcgArray } from '../helpers/random.js';

/** What tfjs-node's file:// loader does: model.json, then every group's shards concatenated in manifest order. */
export function fileLoader(dir: string): tf.io.IOHandler {
  return {
    load: async () => {
      const j = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
      const parts: Buffer[] = [];
      for (const g of j.weightsManifest) for (const p of g.paths) parts.push(await readFile(join(dir, p)));
      const all = Buffer.concat(parts);
      return {
        modelTopology: j.modelTopology, format: j.format, generatedBy: j.generatedBy, convertedBy: j.convertedBy,
        weightSpecs: j.weightsManifest.flatMap((g) => g.weights),
        weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.length),
      };
    },
  };
}

/** What tfjs-node's file:// saver writes: model.json and group1-shard1of1.bin. */
export function fileSaver(dir: string): tf.io.IOHandler {
  return tf.io.withSaveHandler(async (a) => {
    await mkdir(dir, { recursive: true });
    const data = a.weightData as ArrayBuffer;
    await writeFile(join(dir, 'group1-shard1of1.bin'), Buffer.from(data));
    await writeFile(join(dir, 'model.json'), JSON.stringify({
      modelTopology: a.modelTopology, format: a.format, generatedBy: a.generatedBy, convertedBy: a.convertedBy,
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: a.weightSpecs }],
    }));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  });
}

export function tfPredict(m: tf.LayersModel, x: Float32Array, rows: number): Float32Array {
  return tf.tidy(() => (m.predict(tf.tensor2d(x, [rows, x.length / rows])) as tf.Tensor).dataSync() as Float32Array);
}

export function maxDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return Number.isNaN(m) ? Infinity : m;
}

export function f32(buf: Buffer): Float32Array {
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
}

export const IN = 10;

/**
 * Every layer and activation the tfjs format carries: Dense(relu) -> BN -> Dropout -> Dense(leakyRelu 0.17: a
 * LeakyReLU layer in tfjs) -> Activation(tanh) -> BN without center/scale -> Dense(sigmoid) -> Activation(leakyRelu
 * 0.05) -> Dense(linear) -> Dense(softmax, temperature 2.5: Rescaling + Softmax in tfjs). Seeded weights with BN
 * far from the identity (variances in [0.5, 2], means/betas in [-1, 1)).
 */
export function allLayersModel(backend: 'js' | 'native', seed: number, finalActivation: 'softmaxT' | 'softmax' = 'softmaxT'): Sequential {
  const m = new Sequential([
    new Dense({ units: 16, inputShape: [IN], activation: 'relu' }),
    new BatchNormalization({ epsilon: 0.01 }),
    new Dropout({ rate: 0.25 }),
    new Dense({ units: 12, activation: { name: 'leakyRelu', alpha: 0.17 } }),
    new Activation('tanh'),
    new BatchNormalization({ center: false, scale: false }),
    new Dense({ units: 9, activation: 'sigmoid' }),
    new Activation({ activation: { name: 'leakyRelu', alpha: 0.05 } }),
    new Dense({ units: 7, useBias: false }),
    new Dense({ units: 5, activation: finalActivation === 'softmaxT' ? { name: 'softmax', temperature: 2.5 } : 'softmax' }),
  ]);
  m.compile({ optimizer: 'sgd', loss: 'mse', backend, seed: 1 });
  setSeeded(m, seed);
  return m;
}

export function setSeeded(m: Sequential, seed: number): void {
  m.setWeights(m.engine.params().map((p, i) => {
    const n = p.shape.reduce((a, d) => a * d, 1);
    if (p.name.endsWith('moving_variance')) return lcgArray(n, seed + i, 0.5, 2);
    if (p.name.endsWith('gamma')) return lcgArray(n, seed + i, 0.5, 1.5);
    const lim = p.name.endsWith('kernel') ? Math.sqrt(6 / (p.shape[0] + p.shape[1])) : 1;
    return lcgArray(n, seed + i, -lim, lim);
  }));
}
