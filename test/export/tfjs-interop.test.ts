// tfjs model objects in and out (issue 14), tfjs 4.22 as the oracle: fromTfjs reads a tfjs Sequential with every
// supported layer (same predictions), simdnet trains it, copyWeightsTo writes the trained weights back and the tfjs
// model then predicts what simdnet does; toTfjs builds a tfjs model with simdnet's predictions; models simdnet
// cannot represent and mismatched architectures get coded errors.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Dense, Sequential, fromTfjs, toTfjs } from '../../lib/index.js';
import { BACKENDS, codeOf } from '../models/backends.js';
import { lcgArray } from '../helpers/random.js';
import { IN, allLayersModel, maxDiff, tfPredict } from './tfjs-helpers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A tfjs MLP with every layer fromTfjs takes, inputShape on the first Dense (no InputLayer), BN moved off the identity. */
function tfjsMlp(): tf.Sequential {
  const t = tf.sequential({
    layers: [
      tf.layers.dense({ units: 16, inputShape: [IN], activation: 'relu' }),
      tf.layers.batchNormalization(),
      tf.layers.dropout({ rate: 0.2 }),
      tf.layers.dense({ units: 8 }),
      tf.layers.leakyReLU({ alpha: 0.1 }),
      tf.layers.activation({ activation: 'tanh' }),
      tf.layers.dense({ units: 3 }),
      tf.layers.rescaling({ scale: 0.5 }),
      tf.layers.softmax(),
    ],
  });
  t.setWeights(t.weights.map((w, i) => {
    const size = w.shape.reduce((a, d) => a * (d as number), 1);
    const [lo, hi] = /moving_variance|gamma/.test(w.originalName) ? [0.5, 2] : [-0.8, 0.8];
    return tf.tensor(lcgArray(size, 300 + i, lo, hi), w.shape as number[]);
  }));
  return t;
}

describe.each(BACKENDS)('fromTfjs -> fit -> copyWeightsTo (%s)', (backend) => {
  it('reads the same model, trains it natively, and the tfjs model then predicts what simdnet does', async () => {
    const t = tfjsMlp();
    const m = fromTfjs(t);
    const x = lcgArray(64 * IN, 8, -2, 2);
    const before = tfPredict(t, x, 64);
    expect(maxDiff(m.predict(x).data(), before)).toBeLessThan(1e-5);

    // Train: 3 classes from the sign pattern of two features.
    const y = new Float32Array(64 * 3);
    for (let r = 0; r < 64; r++) y[r * 3 + (x[r * IN] > 0 ? (x[r * IN + 1] > 0 ? 0 : 1) : 2)] = 1;
    m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', backend, seed: 5 });
    await m.fit(x, y, { epochs: 5, batchSize: 16, verbose: 0 });
    const trained = m.predict(x).data();
    expect(maxDiff(trained, before)).toBeGreaterThan(1e-3); // training moved the weights (BN statistics too)

    m.copyWeightsTo(t);
    expect(maxDiff(tfPredict(t, x, 64), trained)).toBeLessThan(1e-5);
    for (const rows of [1, 7]) expect(maxDiff(tfPredict(t, x.subarray(0, rows * IN), rows), trained.subarray(0, rows * 3))).toBeLessThan(1e-5);

    // With the namespace passed explicitly too.
    m.copyWeightsTo(t, tf);
    expect(maxDiff(tfPredict(t, x, 64), trained)).toBeLessThan(1e-5);
    t.dispose();
  });
});

describe.each(BACKENDS)('toTfjs (%s)', (backend) => {
  it('builds a tfjs model that predicts what simdnet does within 1e-5 at batch 1, 7, 64', async () => {
    const m = allLayersModel(backend, 21);
    const t = (await toTfjs(m, tf)) as unknown as tf.LayersModel;
    for (const rows of [1, 7, 64]) {
      const x = lcgArray(rows * IN, 900 + rows, -2, 2);
      expect(maxDiff(tfPredict(t, x, rows), m.predict(x).data())).toBeLessThan(1e-5);
    }
    // And fromTfjs of it comes back to the same predictions.
    const back = fromTfjs(t as never);
    const x = lcgArray(7 * IN, 4, -2, 2);
    expect(maxDiff(back.predict(x).data(), m.predict(x).data())).toBeLessThan(1e-5);
    t.dispose();
  });
});

describe('refusals', () => {
  it('a functional model, a layer simdnet lacks, an activation simdnet lacks', () => {
    const input = tf.input({ shape: [4] });
    const functional = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2 }).apply(input) as tf.SymbolicTensor });
    expect(codeOf(() => fromTfjs(functional))).toBe('SIMDNET_UNSUPPORTED_FORMAT');
    const conv = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [4] }), tf.layers.layerNormalization()] });
    expect(codeOf(() => fromTfjs(conv))).toBe('SIMDNET_UNSUPPORTED_FORMAT');
    const elu = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [4], activation: 'elu' })] });
    expect(() => fromTfjs(elu)).toThrow(/uses activation 'elu'/);
  });

  it('copyWeightsTo a tfjs model of another architecture, or something that is not a tfjs model', () => {
    const m = new Sequential([new Dense({ units: 3, inputShape: [4] })]);
    const other = tf.sequential({ layers: [tf.layers.dense({ units: 5, inputShape: [4] })] });
    expect(codeOf(() => m.copyWeightsTo(other))).toBe('SIMDNET_SHAPE_MISMATCH');
    expect(codeOf(() => m.copyWeightsTo({} as never))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(codeOf(() => fromTfjs(null as never))).toBe('SIMDNET_INVALID_ARGUMENT');
  });

  it('toTfjs without a tfjs namespace', async () => {
    const m = new Sequential([new Dense({ units: 3, inputShape: [4] })]);
    await expect(toTfjs(m, {} as never)).rejects.toMatchObject({ code: 'SIMDNET_INVALID_ARGUMENT' });
  });
});
