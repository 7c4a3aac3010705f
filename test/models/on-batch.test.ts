/**
 * trainOnBatch / testOnBatch / predictOnBatch (issue 12): synchronous, one batch. A sequence of trainOnBatch calls
 * must reach the weights fit() reaches on the same batches in the same order (shuffle off), bit for bit, on every
 * backend; testOnBatch and predictOnBatch equal evaluate/predict with the batch size set to the whole input.
 */
import { describe, expect, it } from 'vitest';
import { Sequential, Dense, optimizers, schedules } from '../../lib/index.js';
import { BACKENDS, codeOf } from './backends.js';
import { lcg } from '../helpers/random.js';

const N = 96;
const IN = 12;
const OUT = 4;

function data() {
  const rand = lcg(21);
  const x = Float32Array.from({ length: N * IN }, () => rand() * 2 - 1);
  const labels = Int32Array.from({ length: N }, () => Math.floor(rand() * OUT));
  return { x, labels };
}

function model(backend: 'js' | 'native', scheduled = false) {
  const m = new Sequential([new Dense({ units: 16, activation: 'tanh', inputShape: [IN] }), new Dense({ units: OUT, activation: 'softmax' })]);
  const learningRate = scheduled ? schedules.exponentialDecay({ initialLearningRate: 0.05, decaySteps: 1, decayRate: 0.8 }) : 0.05;
  m.compile({ optimizer: optimizers.adam({ learningRate }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'], backend, seed: 4 });
  return m;
}

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe.each(BACKENDS)('on-batch methods (%s)', (backend) => {
  it('trainOnBatch over the batches of an epoch equals fit() with shuffle off, schedule included', async () => {
    for (const scheduled of [false, true]) {
      const { x, labels } = data();
      const a = model(backend, scheduled);
      const b = model(backend, scheduled);
      await a.fit(x, labels, { epochs: 2, batchSize: 32, shuffle: false, verbose: 0 });
      for (let e = 0; e < 2; e++)
        for (let i = 0; i < N; i += 32) {
          const logs = b.trainOnBatch(x.subarray(i * IN, (i + 32) * IN), labels.subarray(i, i + 32));
          expect(Number.isFinite(logs.loss)).toBe(true);
          expect(logs.accuracy).toBeGreaterThanOrEqual(0);
        }
      expect(b.engine.step).toBe(6);
      const wa = a.getWeights();
      b.getWeights().forEach((w, i) => expect(bits(w.data())).toEqual(bits(wa[i].data())));
      a.dispose();
      b.dispose();
    }
  });

  it('testOnBatch and predictOnBatch equal evaluate and predict over the whole input', () => {
    const { x, labels } = data();
    const m = model(backend);
    const rows = Array.from({ length: N }, (_, i) => Array.from(x.subarray(i * IN, (i + 1) * IN)));
    expect(m.testOnBatch(rows, Array.from(labels))).toEqual(m.evaluate(x, labels, { batchSize: N }));
    expect(bits(m.predictOnBatch(rows).data())).toEqual(bits(m.predict(x, { batchSize: N }).data()));
    expect(m.predictOnBatch(x).shape).toEqual([N, OUT]);
    m.dispose();
  });

  it('a bad batch is refused with a coded error and changes nothing', () => {
    const { x, labels } = data();
    const m = model(backend);
    const before = m.getWeights().map((w) => bits(w.data()));
    const bad = labels.slice(0, 8);
    bad[5] = OUT;
    expect(codeOf(() => m.trainOnBatch(x.subarray(0, 8 * IN), bad))).toBe('SIMDNET_INVALID_ARGUMENT');
    const nan = x.slice(0, 8 * IN);
    nan[3] = NaN;
    expect(codeOf(() => m.trainOnBatch(nan, labels.subarray(0, 8)))).toBe('SIMDNET_NOT_FINITE');
    expect(codeOf(() => m.trainOnBatch(x.subarray(0, 8 * IN), labels.subarray(0, 7)))).toBe('SIMDNET_SHAPE_MISMATCH');
    expect(m.getWeights().map((w) => bits(w.data()))).toEqual(before);
    expect(m.engine.step).toBe(0);
    m.dispose();
  });

  it('trainOnBatch is refused while fit() runs', async () => {
    const { x, labels } = data();
    const m = model(backend);
    const p = m.fit(x, labels, { epochs: 1, verbose: 0 });
    expect(codeOf(() => m.trainOnBatch(x.subarray(0, IN), labels.subarray(0, 1)))).toBe('SIMDNET_BUSY');
    await p;
    m.dispose();
  });
});
