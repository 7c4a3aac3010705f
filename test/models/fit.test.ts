import { describe, expect, it } from 'vitest';
import { BatchNormalization, Dense, Dropout, Sequential, callbacks, optimizers, schedules, tensor } from '../../lib/index.js';
import { BACKENDS, asyncCodeOf, codeOf } from './backends.js';

function blobs(n: number, seed = 1) {
  // two gaussian-ish blobs in 4-D, one-hot labels over 3 classes (third class = sign of a product)
  let s = seed;
  const r = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const x = new Float32Array(n * 4);
  const y = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    for (let j = 0; j < 4; j++) x[i * 4 + j] = (r() - 0.5) + (j === c ? 1.5 : 0);
    y[i * 3 + c] = 1;
  }
  return { x: tensor(x, [n, 4]), y: tensor(y, [n, 3]) };
}

function model(backend: 'js' | 'native', seed = 42, opt = optimizers.adam({ learningRate: 0.01 })) {
  const m = new Sequential([
    new Dense({ units: 8, activation: 'relu', inputShape: [4], kernelRegularizer: { l2: 1e-4 } }),
    new Dropout({ rate: 0.2 }),
    new BatchNormalization(),
    new Dense({ units: 3, activation: 'softmax' }),
  ]);
  m.compile({ optimizer: opt, loss: 'categoricalCrossentropy', metrics: ['accuracy', 'mae'], backend, seed });
  return m;
}

const same = (a: Float32Array[], b: Float32Array[]) => a.length === b.length && a.every((v, i) => v.length === b[i].length && v.every((e, j) => Object.is(e, b[i][j])));

describe.each(BACKENDS)('fit (%s)', (backend) => {
  it('returns a History with per-epoch loss, metrics and val_ twins; learns the blobs', async () => {
    const { x, y } = blobs(300);
    const m = model(backend);
    const h = await m.fit(x, y, { epochs: 8, batchSize: 16, validationSplit: 0.2, verbose: 0 });
    expect(h.epoch).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(Object.keys(h.history).sort()).toEqual(['accuracy', 'loss', 'mae', 'val_accuracy', 'val_loss', 'val_mae']);
    expect(h.history.loss.at(-1)!).toBeLessThan(h.history.loss[0]);
    expect(h.history.val_accuracy.at(-1)!).toBeGreaterThan(0.9);
    // validationSplit takes the LAST 20% (before shuffling): val_loss equals evaluate on the tail
    const tail = tensor(x.data().slice(240 * 4), [60, 4]);
    const ytail = tensor(y.data().slice(240 * 3), [60, 3]);
    expect(m.evaluate(tail, ytail, { batchSize: 16 }).loss).toBeCloseTo(h.history.val_loss.at(-1)!, 5);
  });

  it('validationData is evaluated after every epoch; disposing mid-fit rejects with SIMDNET_DISPOSED', async () => {
    const { x, y } = blobs(60);
    const v = blobs(21, 7);
    const m = model(backend);
    const h = await m.fit(x, y, { epochs: 2, verbose: 0, validationData: [v.x, v.y] });
    expect(h.history.val_loss).toHaveLength(2);
    expect(h.history.val_loss[1]).toBeCloseTo(m.evaluate(v.x, v.y).loss, 5);
    const big = blobs(4000);
    const d = model(backend);
    const p = d.fit(big.x, big.y, { epochs: 20, batchSize: 2, verbose: 0 });
    setTimeout(() => d.dispose(), 20);
    expect(await asyncCodeOf(p)).toBe('SIMDNET_DISPOSED');
  });

  it('is reproducible bit for bit with the same seeds (dropout, shuffling, init)', async () => {
    const { x, y } = blobs(100);
    const a = model(backend, 9);
    const b = model(backend, 9);
    const ha = await a.fit(x, y, { epochs: 3, batchSize: 10, verbose: 0 });
    const hb = await b.fit(x, y, { epochs: 3, batchSize: 10, verbose: 0 });
    expect(ha.history.loss).toEqual(hb.history.loss);
    expect(same(a.getWeights().map((t) => t.data()), b.getWeights().map((t) => t.data()))).toBe(true);
    const c = model(backend, 10);
    await c.fit(x, y, { epochs: 3, batchSize: 10, verbose: 0 });
    expect(same(a.getWeights().map((t) => t.data()), c.getWeights().map((t) => t.data()))).toBe(false);
    const d = model(backend, 9);
    await d.fit(x, y, { epochs: 3, batchSize: 10, verbose: 0, shuffle: false });
    expect(same(a.getWeights().map((t) => t.data()), d.getWeights().map((t) => t.data()))).toBe(false);
  });

  it('batch hooks split epochs into per-batch engine calls without changing the result', async () => {
    const { x, y } = blobs(50);
    const a = model(backend, 3);
    const b = model(backend, 3);
    const batches: number[] = [];
    await a.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0, callbacks: [{ onBatchEnd: (i) => void batches.push(i) }] });
    await b.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 });
    expect(batches).toEqual([0, 1, 2, 3, 4, 5, 6, 0, 1, 2, 3, 4, 5, 6]);
    expect(same(a.getWeights().map((t) => t.data()), b.getWeights().map((t) => t.data()))).toBe(true);
  });

  it('feeds the schedule to the engine per step', async () => {
    const { x, y } = blobs(40);
    const s = schedules.linearDecay({ initialLearningRate: 0.1, finalLearningRate: 0.01, decaySteps: 6 });
    const m = model(backend, 1, optimizers.sgd({ learningRate: s }));
    await m.fit(x, y, { epochs: 1, batchSize: 10, verbose: 0 }); // 4 steps: k = 0..3
    expect(m.engine.step).toBe(4);
    expect(m.learningRate).toBeCloseTo(s.valueAt(3), 6);
    expect(codeOf(() => (m.learningRate = 0.5))).toBe('SIMDNET_INVALID_ARGUMENT');
  });

  it('learningRateScheduler sets the rate per epoch; plateau/scheduler callbacks refuse a scheduled optimizer', async () => {
    const { x, y } = blobs(30);
    const m = model(backend, 2, optimizers.sgd({ learningRate: 0.1 }));
    const seen: number[] = [];
    await m.fit(x, y, { epochs: 3, verbose: 0, callbacks: [callbacks.learningRateScheduler((e) => 0.1 / (e + 1)), { onEpochEnd: () => void seen.push(m.learningRate) }] });
    expect(seen.map((v) => +v.toFixed(6))).toEqual([0.1, 0.05, 0.033333]);
    const s = model(backend, 2, optimizers.sgd({ learningRate: schedules.stepDecay({ initialLearningRate: 0.1, stepSize: 5 }) }));
    expect(await asyncCodeOf(s.fit(x, y, { verbose: 0, callbacks: [callbacks.reduceLROnPlateau()] }))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(s.isTraining).toBe(false);
  });

  it('layer.getWeights reads that layer from the compiled model', () => {
    const m = model(backend);
    const [d, , bn] = m.layers;
    const all = m.getWeights().map((t) => t.data());
    expect(d.getWeights().map((w) => w.length)).toEqual([4 * 8, 8]);
    expect(same(d.getWeights(), all.slice(0, 2))).toBe(true);
    expect(bn.getWeights().map((w) => Array.from(w.slice(0, 2)))).toEqual([[1, 1], [0, 0], [0, 0], [1, 1]]);
  });

  it('early stopping inside fit restores the best weights', async () => {
    const { x, y } = blobs(60);
    const m = model(backend, 5, optimizers.sgd({ learningRate: 0.05 }));
    const seen: Float32Array[][] = [];
    const es = callbacks.earlyStopping({ monitor: 'loss', patience: 100, restoreBestWeights: true });
    const h = await m.fit(x, y, { epochs: 4, batchSize: 10, verbose: 0, callbacks: [{ onEpochEnd: () => void seen.push(m.getWeights().map((t) => t.data())) }, es] });
    const best = h.history.loss.indexOf(Math.min(...h.history.loss));
    expect(es.bestEpoch).toBe(best);
    expect(same(m.getWeights().map((t) => t.data()), seen[best])).toBe(true);
  });

  it('reports diagnostics per layer when asked', async () => {
    const { x, y } = blobs(40);
    const m = model(backend);
    const h = await m.fit(x, y, { epochs: 1, batchSize: 10, verbose: 0, diagnostics: true });
    const dense = m.layers[0].name;
    for (const k of ['gradNorm', 'weightNorm', 'updateRatio', 'deadFraction', 'activationMean', 'activationStd'])
      expect(Number.isFinite(h.history[`${dense}/${k}`][0])).toBe(true);
    expect(h.history[`${dense}/gradNorm`][0]).toBeGreaterThan(0);
    expect(h.history[`${dense}/deadFraction`][0]).toBeGreaterThanOrEqual(0);
  });

  it('AbortSignal stops training between steps; fit resolves with the history so far', async () => {
    const { x, y } = blobs(3000);
    const m = model(backend);
    const ac = new AbortController();
    const h = await m.fit(x, y, {
      epochs: 50, batchSize: 4, verbose: 0, signal: ac.signal,
      callbacks: [{ onEpochEnd: (e) => { if (e === 1) setTimeout(() => ac.abort(), 5); } }],
    });
    expect(h.stoppedBy).toBe('abort');
    expect(h.epoch.length).toBeGreaterThanOrEqual(2);
    expect(h.epoch.length).toBeLessThan(50);
    expect(m.isTraining).toBe(false);
    // a pre-aborted signal runs nothing
    const before = m.engine.step;
    const h2 = await m.fit(x, y, { epochs: 3, verbose: 0, signal: AbortSignal.abort() });
    expect(h2.epoch).toEqual([]);
    expect(m.engine.step).toBe(before);
  });

  it('a second fit of a training model rejects with SIMDNET_BUSY; two models train concurrently', async () => {
    const { x, y } = blobs(200);
    const a = model(backend, 4);
    const b = model(backend, 4);
    const pa = a.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0 });
    expect(await asyncCodeOf(a.fit(x, y, { epochs: 1, verbose: 0 }))).toBe('SIMDNET_BUSY');
    const pb = b.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0 });
    const [ha, hb] = await Promise.all([pa, pb]);
    expect(ha.history.loss).toEqual(hb.history.loss);
    expect(same(a.getWeights().map((t) => t.data()), b.getWeights().map((t) => t.data()))).toBe(true);
  });

  it('rejects bad input with coded errors', async () => {
    const { x, y } = blobs(10);
    const m = model(backend);
    const nanX = x.data();
    nanX[7] = NaN;
    expect(await asyncCodeOf(m.fit(tensor(nanX, [10, 4]), y, { verbose: 0 }))).toBe('SIMDNET_NOT_FINITE');
    const infY = y.data();
    infY[2] = Infinity;
    expect(await asyncCodeOf(m.fit(x, tensor(infY, [10, 3]), { verbose: 0 }))).toBe('SIMDNET_NOT_FINITE');
    expect(await asyncCodeOf(m.fit(x, tensor(new Float32Array(27), [9, 3]), { verbose: 0 }))).toBe('SIMDNET_SHAPE_MISMATCH');
    expect(await asyncCodeOf(m.fit(tensor(new Float32Array(30), [10, 3]), y, { verbose: 0 }))).toBe('SIMDNET_SHAPE_MISMATCH');
    expect(await asyncCodeOf(m.fit(x, y, { epochs: 0, verbose: 0 }))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(await asyncCodeOf(m.fit(x, y, { batchSize: -1, verbose: 0 }))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(await asyncCodeOf(m.fit(x, y, { validationSplit: 1, verbose: 0 }))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(await asyncCodeOf(m.fit(x, y, { epochz: 3 } as never))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(await asyncCodeOf(m.fit('x' as never, y, { verbose: 0 }))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(codeOf(() => m.predict([[1, 2]]))).toBe('SIMDNET_SHAPE_MISMATCH');

    const sparse = new Sequential([new Dense({ units: 3, activation: 'softmax', inputShape: [4] })]);
    sparse.compile({ optimizer: 'adam', loss: 'sparse_categorical_crossentropy', backend });
    expect(await asyncCodeOf(sparse.fit(x, [0, 1, 2, 3, 0, 1, 2, 0, 1, 2], { verbose: 0 }))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(await asyncCodeOf(sparse.fit(x, [0, 1, 2, 0.5, 0, 1, 2, 0, 1, 2], { verbose: 0 }))).toBe('SIMDNET_INVALID_ARGUMENT');
    const ok = await sparse.fit(x, [0, 1, 2, 0, 0, 1, 2, 0, 1, 2], { verbose: 0 });
    expect(ok.history.loss).toHaveLength(1);
  });

  it('NOT_COMPILED before compile, DISPOSED after dispose', async () => {
    const m = new Sequential([new Dense({ units: 2, inputShape: [2] })]);
    expect(await asyncCodeOf(m.fit([[1, 2]], [[1, 2]]))).toBe('SIMDNET_NOT_COMPILED');
    // predict and getWeights work before compile (issue 15, test/models/uncompiled.test.ts); evaluate does not.
    expect(codeOf(() => m.evaluate([[1, 2]], [[1, 2]]))).toBe('SIMDNET_NOT_COMPILED');
    expect(codeOf(() => m.compile({ optimizer: 'adam', loss: 'cosineSimilarity' }))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(codeOf(() => m.compile({ optimizer: 'adamax', loss: 'mse' }))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(codeOf(() => m.compile({ optimizer: 'adam', loss: 'mse', metrics: ['f1'] }))).toBe('SIMDNET_INVALID_ARGUMENT');
    m.compile({ optimizer: 'adam', loss: 'mse', backend });
    m.dispose();
    expect(await asyncCodeOf(m.fit([[1, 2]], [[1, 2]]))).toBe('SIMDNET_DISPOSED');
    expect(codeOf(() => m.predict([[1, 2]]))).toBe('SIMDNET_DISPOSED');
    expect(codeOf(() => m.summary({ print: false }))).toBe('SIMDNET_DISPOSED');
  });

  it('predict/predictAsync/evaluate agree; getWeights returns copies; recompile keeps weights', async () => {
    const { x, y } = blobs(37);
    const m = model(backend);
    await m.fit(x, y, { epochs: 1, verbose: 0 });
    const p1 = m.predict(x, { batchSize: 5 }).data();
    const p2 = (await m.predictAsync(x, { batchSize: 64 })).data();
    expect(p2.length).toBe(37 * 3);
    expect(Math.max(...p1.map((v, i) => Math.abs(v - p2[i])))).toBeLessThan(1e-6);
    const e1 = m.evaluate(x, y);
    const e2 = await m.evaluateAsync(x, y, { batchSize: 7 });
    expect(e2.loss).toBeCloseTo(e1.loss, 5);
    const w = m.getWeights();
    w[0].view()[0] = 1234;
    expect(m.getWeights()[0].data()[0]).not.toBe(1234);
    const before = m.getWeights().map((t) => t.data());
    m.compile({ optimizer: optimizers.sgd(), loss: 'cce', metrics: ['acc'], backend });
    expect(same(m.getWeights().map((t) => t.data()), before)).toBe(true);
    expect(codeOf(() => m.setWeights([new Float32Array(3)]))).toBe('SIMDNET_SHAPE_MISMATCH');
  });
});

describe('summary()', () => {
  it("prints the Keras table with Keras's numbers for the issue's model", () => {
    const m = new Sequential([
      new Dense({ units: 128, activation: 'relu', inputShape: [784], kernelInitializer: 'heNormal', kernelRegularizer: { l2: 1e-4 } }),
      new Dropout({ rate: 0.3 }),
      new BatchNormalization(),
      new Dense({ units: 10, activation: 'softmax' }),
    ], { name: 'issue_model' });
    let printed = '';
    const s = m.summary({ print: (t) => (printed = t) });
    expect(printed).toBe(s);
    const [d1, dr, bn, d2] = m.layers;
    expect(s).toContain('Model: "issue_model"');
    expect(s).toMatch(new RegExp(`${d1.name} \\(Dense\\)\\s+\\(None, 128\\)\\s+100480`));
    expect(s).toMatch(new RegExp(`${dr.name} \\(Dropout\\)\\s+\\(None, 128\\)\\s+0`));
    expect(s).toMatch(new RegExp(`${bn.name} \\(BatchNormalization\\)\\s+\\(None, 128\\)\\s+512`));
    expect(s).toMatch(new RegExp(`${d2.name} \\(Dense\\)\\s+\\(None, 10\\)\\s+1290`));
    expect(s).toContain('Total params: 102,282');
    expect(s).toContain('Trainable params: 102,026');
    expect(s).toContain('Non-trainable params: 256');
    expect(m.countParams()).toBe(102282);
  });
});
