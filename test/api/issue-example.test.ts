/** The example, end to end through the public entry point (lib/index.ts), on synthetic 784-feature data. */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as simdnet from '../../lib/index.js';
import { Sequential, Dense, Activation, Dropout, BatchNormalization, tensor, optimizers, callbacks, schedules, loadModel } from '../../lib/index.js';
import { BACKENDS } from '../models/backends.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** 10 classes, each a noisy prototype in 784-D. */
function dataset(n: number, seed: number) {
  let s = seed;
  const r = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const protos = Array.from({ length: 10 }, (_, c) => Float32Array.from({ length: 784 }, (_, j) => ((j * 7 + c * 131) % 97 < 12 ? 1 : 0)));
  const x = new Float32Array(n * 784);
  const y = new Float32Array(n * 10);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(r() * 10);
    for (let j = 0; j < 784; j++) x[i * 784 + j] = protos[c][j] + 0.3 * (r() - 0.5);
    y[i * 10 + c] = 1;
  }
  return { x: tensor(x, [n, 784]), y: tensor(y, [n, 10]) };
}

describe('public API', () => {
  it('exports what the issue uses (and the kernels namespace)', () => {
    expect(typeof simdnet.kernels.gemm).toBe('function');
    for (const k of ['Sequential', 'Dense', 'Activation', 'Dropout', 'BatchNormalization', 'tensor', 'loadModel', 'Tensor', 'SimdnetError'])
      expect(typeof (simdnet as Record<string, unknown>)[k]).toBe('function');
    for (const f of ['sgd', 'momentum', 'adagrad', 'rmsprop', 'adam', 'adamw']) expect(typeof (optimizers as Record<string, unknown>)[f]).toBe('function');
    for (const f of ['earlyStopping', 'terminateOnNaN', 'reduceLROnPlateau', 'learningRateScheduler', 'modelCheckpoint', 'progressBar'])
      expect(typeof (callbacks as Record<string, unknown>)[f]).toBe('function');
    for (const f of ['stepDecay', 'exponentialDecay', 'cosineDecay', 'linearDecay']) expect(typeof (schedules as Record<string, unknown>)[f]).toBe('function');
    expect(typeof Activation).toBe('function');
  });

  it.each(BACKENDS)("runs the issue's example (%s)", async (backend) => {
    const { x, y } = dataset(600, 1);
    const test = dataset(100, 2);
    const model = new Sequential([
      new Dense({ units: 128, activation: 'relu', inputShape: [784], kernelInitializer: 'heNormal', kernelRegularizer: { l2: 1e-4 } }),
      new Dropout({ rate: 0.3 }),
      new BatchNormalization(),
      new Dense({ units: 10, activation: 'softmax' }),
    ]);
    model.compile({ optimizer: optimizers.adam({ learningRate: 1e-3 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'], backend, seed: 123 });
    const table = model.summary({ print: false });
    expect(table).toContain('Total params: 102,282');
    const dir = await mkdtemp(join(tmpdir(), 'simdnet-api-'));
    dirs.push(dir);
    const ckpt = callbacks.modelCheckpoint({ filepath: join(dir, 'best'), monitor: 'val_accuracy' });
    const history = await model.fit(x, y, {
      epochs: 4, batchSize: 128, validationSplit: 0.1, verbose: 0,
      callbacks: [callbacks.earlyStopping({ monitor: 'val_loss', patience: 3, restoreBestWeights: true }), ckpt],
    });
    expect(history.history.val_loss.length).toBeGreaterThan(0);
    expect(history.history.accuracy.at(-1)!).toBeGreaterThan(0.8);
    const probs = model.predict(test.x);
    expect(probs.shape).toEqual([100, 10]);
    const p = probs.data();
    for (let i = 0; i < 100; i++) {
      let s = 0;
      for (let j = 0; j < 10; j++) s += p[i * 10 + j];
      expect(s).toBeCloseTo(1, 5);
    }
    expect(model.evaluate(test.x, test.y).accuracy).toBeGreaterThan(0.8);
    expect(ckpt.saved.length).toBeGreaterThan(0);
    await model.save(join(dir, 'fashion'));
    const again = await loadModel(join(dir, 'fashion'), { backend });
    expect(Array.from(again.predict(test.x).data())).toEqual(Array.from(p));
    // nested arrays work directly
    const nested = Array.from({ length: 3 }, (_, i) => Array.from(test.x.data().subarray(i * 784, (i + 1) * 784)));
    expect(Array.from(model.predict(nested).data())).toEqual(Array.from(p.subarray(0, 30)));
    again.dispose();
    model.dispose();
  }, 120_000);
});
