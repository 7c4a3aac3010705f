/** JS metrics in compile/evaluate/fit: names as Keras logs them, val_ twins, values from the model's predictions. */
import { describe, expect, it } from 'vitest';
import { Dense, Sequential, callbacks, metrics, tensor } from '../../lib/index.js';
import { BACKENDS } from '../models/backends.js';

function data(n: number, seed: number) {
  let s = seed;
  const r = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const x = new Float32Array(n * 3);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 3; j++) x[i * 3 + j] = r() * 2 - 1;
    y[i] = x[i * 3] + 0.5 * x[i * 3 + 1] + 0.3 * (r() - 0.5) > 0 ? 1 : 0;
  }
  return { x: tensor(x, [n, 3]), y: tensor(y, [n, 1]) };
}

for (const backend of BACKENDS) {
  describe(`JS metrics in a compiled model (${backend})`, () => {
    const make = () => {
      const m = new Sequential([new Dense({ units: 4, activation: 'tanh', inputShape: [3] }), new Dense({ units: 1, activation: 'sigmoid' })]);
      m.compile({
        optimizer: 'adam', loss: 'binaryCrossentropy', backend, seed: 5,
        metrics: ['accuracy', 'precision', 'auc', metrics.recall({ threshold: 0.3, name: 'recall_at_0.3' }), metrics.auc({ curve: 'PR', name: 'pr_auc' })],
      });
      return m;
    };

    it('evaluate returns every metric by name, equal to the metric over predict()', async () => {
      const m = make();
      const { x, y } = data(200, 1);
      const logs = m.evaluate(x, y, { batchSize: 16 });
      expect(Object.keys(logs).sort()).toEqual(['accuracy', 'auc', 'loss', 'pr_auc', 'precision', 'recall_at_0.3'].sort());
      const p = m.predict(x);
      for (const [name, metric] of [['precision', metrics.precision()], ['auc', metrics.auc()], ['recall_at_0.3', metrics.recall({ threshold: 0.3 })],
        ['pr_auc', metrics.auc({ curve: 'PR' })]] as const) {
        metric.updateState(y, p);
        expect(logs[name], name).toBeCloseTo(metric.result(), 6);
      }
      const asyncLogs = await m.evaluateAsync(x, y, { batchSize: 16 });
      for (const k of Object.keys(logs)) expect(asyncLogs[k]).toBeCloseTo(logs[k], 6);
      expect(m.metrics).toEqual(['accuracy', 'precision', 'auc', 'recall_at_0.3', 'pr_auc']);
      m.dispose();
    });

    it('fit logs the JS metrics and their val_ twins before the user\'s callbacks run', async () => {
      const m = make();
      const { x, y } = data(240, 2);
      const seen: string[][] = [];
      const h = await m.fit(x, y, {
        epochs: 3, batchSize: 32, verbose: 0, validationSplit: 0.25,
        callbacks: [{ onEpochEnd: (_e, logs) => void seen.push(Object.keys(logs)) }, callbacks.earlyStopping({ monitor: 'val_auc', patience: 5 })],
      });
      for (const k of ['precision', 'auc', 'pr_auc', 'val_precision', 'val_auc', 'val_pr_auc', 'recall_at_0.3', 'val_recall_at_0.3']) {
        expect(seen[0], k).toContain(k);
        expect(h.history[k]).toHaveLength(3);
      }
      // val_ values are the metric over the held-out tail with the epoch's final weights, as Keras computes them.
      const xv = tensor(x.data().slice(180 * 3), [60, 3]);
      const yv = tensor(y.data().slice(180), [60, 1]);
      const a = metrics.auc();
      a.updateState(yv, m.predict(xv));
      expect(h.history.val_auc[2]).toBeCloseTo(a.result(), 6);
      m.dispose();
    });

    it('refuses unknown names and two metrics with one name', () => {
      const m = new Sequential([new Dense({ units: 1, inputShape: [3] })]);
      expect(() => m.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['f1'] as never })).toThrow(expect.objectContaining({ code: 'SIMDNET_INVALID_ARGUMENT' }));
      expect(() => m.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['auc', metrics.auc()] })).toThrow(expect.objectContaining({ code: 'SIMDNET_INVALID_ARGUMENT' }));
      m.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['acc', 'accuracy', 'rmse'], backend });
      expect(m.metrics).toEqual(['accuracy', 'root_mean_squared_error']);
      m.dispose();
    });
  });
}

describe('saving a model with JS metrics', () => {
  it('keeps the metrics loadModel can rebuild by name', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { loadModel } = await import('../../lib/index.js');
    const dir = await mkdtemp(join(tmpdir(), 'simdnet-metrics-'));
    try {
      const m = new Sequential([new Dense({ units: 1, activation: 'sigmoid', inputShape: [3] })]);
      m.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', backend: 'js', metrics: ['accuracy', 'auc', metrics.precision({ threshold: 0.3, name: 'p03' })] });
      await m.save(dir);
      const loaded = await loadModel(dir);
      expect(loaded.metrics).toEqual(['accuracy', 'auc']);
      const { x, y } = data(50, 3);
      expect(loaded.evaluate(x, y).auc).toBeCloseTo(m.evaluate(x, y).auc, 6);
      loaded.dispose();
      m.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('monitoring JS metrics in auto mode', () => {
  it('maximises AUC, precision and F1 and minimises rmse, as Keras asks the metric', async () => {
    const { resolveMode } = await import('../../lib/callbacks/callback.js');
    for (const k of ['val_auc', 'precision', 'val_f1_score', 'recall', 'top_k_categorical_accuracy', 'val_accuracy']) expect(resolveMode(k, 'auto'), k).toBe('max');
    for (const k of ['val_loss', 'root_mean_squared_error', 'val_mse', 'mean_absolute_error']) expect(resolveMode(k, 'auto'), k).toBe('min');
  });
});

describe('a metric that cannot read the targets', () => {
  it('fails fit before any step, with a coded error', async () => {
    const m = new Sequential([new Dense({ units: 3, activation: 'softmax', inputShape: [2] })]);
    m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', metrics: ['auc'], backend: 'js', seed: 1 });
    const before = m.getWeights()[0].data();
    await expect(m.fit([[1, 2], [3, 4]], [0, 2], { verbose: 0 })).rejects.toMatchObject({ code: 'SIMDNET_SHAPE_MISMATCH' });
    expect(m.getWeights()[0].data()).toEqual(before);
    expect(m.isTraining).toBe(false);
    m.dispose();
  });
});
