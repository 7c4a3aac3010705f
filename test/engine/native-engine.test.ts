import { afterAll, describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { native, nativePath } from '../../lib/native.js';
import { NativeEngine } from '../../lib/engine/native-engine.js';
import { JsEngine } from '../../lib/engine/js-engine.js';
import type { ActivationKind, LayerSpec, LossName, OptimizerSpec, PlanSpec } from '../../lib/engine/engine.js';
import { mulberryArray } from '../helpers/random.js';

// ---- plan builders --------------------------------------------------------------------------------------------
function dense(name: string, inputSize: number, units: number, kind: ActivationKind, alpha?: number): LayerSpec {
  return {
    name, type: 'dense', inputSize, units, useBias: true, activation: { kind, alpha },
    kernelInitializer: { kind: 'glorotUniform' }, biasInitializer: { kind: 'randomUniform', minval: -0.5, maxval: 0.5 },
    kernelRegularizer: null, biasRegularizer: null,
  };
}
const activation = (name: string, size: number, kind: ActivationKind, temperature?: number): LayerSpec =>
  ({ name, type: 'activation', size, activation: { kind, temperature } });
const dropout = (name: string, size: number, rate: number): LayerSpec => ({ name, type: 'dropout', size, rate, seed: null });
const batchNorm = (name: string, size: number): LayerSpec =>
  ({ name, type: 'batchNormalization', size, momentum: 0.9, epsilon: 1e-3, center: true, scale: true });

function plan(inputSize: number, layers: LayerSpec[], loss: LossName, optimizer: Partial<OptimizerSpec> = {}, metrics: PlanSpec['metrics'] = []): PlanSpec {
  return { inputSize, layers, loss, metrics, optimizer: { kind: 'sgd', learningRate: 0.1, ...optimizer }, seed: 1234 };
}

/** Deterministic uniform data (mulberry32). */
const data = mulberryArray;

function targets(loss: LossName, b: number, n: number, seed: number): Float32Array {
  if (loss === 'meanSquaredError') return data(b * n, seed);
  if (loss === 'binaryCrossentropy') return data(b * n, seed, 0, 1);
  const labels = data(b, seed, 0, n).map(Math.floor);
  if (loss === 'sparseCategoricalCrossentropy') return labels;
  const y = new Float32Array(b * n);
  labels.forEach((l, r) => (y[r * n + l] = 1));
  return y;
}

const engines: NativeEngine[] = [];
function make(p: PlanSpec): NativeEngine {
  const e = new NativeEngine(p);
  engines.push(e);
  return e;
}
afterAll(() => engines.forEach((e) => e.busy || e.dispose()));

const codeOf = (code: string) => expect.objectContaining({ code });

describe.runIf(native)('NativeEngine', () => {
  it('reproduces the hand-worked forward pass of the issue', () => {
    // hidden_j = sigmoid(sum_i W1[j][i] x_i + b1[j]), W1 = [[0.2, 0.4], [0.3, 0.1]] (rows = units): the kernel is
    // [in][out], so kernel[i][j] = W1[j][i].
    const e = make(plan(2, [dense('d1', 2, 2, 'sigmoid'), dense('d2', 2, 1, 'sigmoid')], 'meanSquaredError'));
    e.setParams([new Float32Array([0.2, 0.3, 0.4, 0.1]), new Float32Array([0.1, 0.2]), new Float32Array([0.6, 0.5]), new Float32Array([0.3])]);
    const out = e.predict(new Float32Array([0.5, 0.8]), 1, 1);
    expect(out[0]).toBeCloseTo(0.727, 3);
    const hidden = make(plan(2, [dense('d1', 2, 2, 'sigmoid')], 'meanSquaredError'));
    hidden.setParams([new Float32Array([0.2, 0.3, 0.4, 0.1]), new Float32Array([0.1, 0.2])]);
    const h = hidden.predict(new Float32Array([0.5, 0.8]), 1, 1);
    expect(h[0]).toBeCloseTo(0.627, 3);
    expect(h[1]).toBeCloseTo(0.606, 3);
  });

  // Black-box gradient check through the public interface: with SGD at lr 1 the update is exactly -gradient, and
  // resetOptimizer() puts the step counter back to 0, so every trainStep (lr 0 for the loss probes) sees the same
  // dropout mask; batch norm in training mode ignores its moving statistics, which setParams restores anyway.
  function gradientCheck(p: PlanSpec, what: string): void {
    const e = make({ ...p, optimizer: { kind: 'sgd', learningRate: 1 } });
    const b = 6;
    const x = data(b * p.inputSize, 1, -1.5, 1.5);
    const y = targets(p.loss, b, e.outputSize, 2);
    const w0 = e.getParams();
    const lossAt = (w: Float32Array[]) => {
      e.setParams(w);
      e.resetOptimizer();
      e.setLearningRate(0);
      return e.trainStep(x, y, b).loss;
    };
    e.setParams(w0);
    e.resetOptimizer();
    e.setLearningRate(1);
    e.trainStep(x, y, b);
    const w1 = e.getParams();
    const info = e.params();
    let checked = 0;
    const bad: string[] = [];
    info.forEach((pi, k) => {
      if (!pi.trainable) return;
      for (let i = 0; i < Math.min(w0[k].length, 16); i++) {
        const grad = w0[k][i] - w1[k][i];
        const fd = (eps: number) => {
          const wp = w0.map((a) => a.slice());
          wp[k][i] = w0[k][i] + eps;
          const lp = lossAt(wp);
          wp[k][i] = w0[k][i] - eps;
          const lm = lossAt(wp);
          return (lp - lm) / (Math.fround(w0[k][i] + eps) - Math.fround(w0[k][i] - eps));
        };
        const d1 = fd(2e-3);
        const d2 = fd(1e-3);
        if (Math.abs(d1 - d2) > 2e-3 + 0.05 * Math.abs(d1)) continue; // kink
        checked++;
        if (Math.abs(grad - d1) > 2e-3 + 2e-2 * Math.abs(d1)) bad.push(`${what} ${pi.name}[${i}] backward ${grad} fd ${d1}`);
      }
    });
    expect(bad).toEqual([]);
    expect(checked).toBeGreaterThan(10);
  }

  it('back-propagates correctly through every layer type and activation (finite differences)', () => {
    const kinds: ActivationKind[] = ['linear', 'sigmoid', 'tanh', 'relu', 'leakyRelu', 'softmax'];
    for (const a of kinds) {
      const p = plan(4, [dense('d1', 4, 5, a, 0.2), activation('a1', 5, a === 'softmax' ? 'tanh' : 'softmax', 1.5), dropout('drop', 5, 0.3), batchNorm('bn', 5), dense('d2', 5, 3, 'linear')], 'meanSquaredError');
      (p.layers[0] as { kernelRegularizer: unknown }).kernelRegularizer = { l1: 0.01, l2: 0.02 };
      gradientCheck(p, `dense ${a}`);
    }
  });

  it('back-propagates correctly through every loss path (finite differences)', () => {
    const cases: [string, LossName, LayerSpec[]][] = [
      ['mse', 'meanSquaredError', [dense('d2', 5, 3, 'sigmoid')]],
      ['bce logits', 'binaryCrossentropy', [dense('d2', 5, 3, 'sigmoid')]],
      ['bce probabilities', 'binaryCrossentropy', [dense('d2', 5, 3, 'sigmoid'), dropout('p', 3, 0)]],
      ['softmax cce', 'categoricalCrossentropy', [dense('d2', 5, 4, 'linear'), activation('a', 4, 'softmax', 2)]],
      ['cce probabilities', 'categoricalCrossentropy', [dense('d2', 5, 4, 'softmax'), dropout('p', 4, 0)]],
      ['sparse softmax cce', 'sparseCategoricalCrossentropy', [dense('d2', 5, 4, 'softmax')]],
      ['sparse cce probabilities', 'sparseCategoricalCrossentropy', [dense('d2', 5, 4, 'softmax'), dropout('p', 4, 0)]],
    ];
    for (const [what, loss, tail] of cases) gradientCheck(plan(3, [dense('d1', 3, 5, 'tanh'), ...tail], loss), what);
  });

  it('learns XOR with trainBatches', async () => {
    const e = make(plan(2, [dense('h', 2, 8, 'tanh'), dense('o', 8, 1, 'sigmoid')], 'binaryCrossentropy', { kind: 'adam', learningRate: 0.05 }, ['accuracy']));
    const x = new Float32Array([0, 0, 0, 1, 1, 0, 1, 1]);
    const y = new Float32Array([0, 1, 1, 0]);
    const order = new Uint32Array([0, 1, 2, 3]);
    let last = { loss: NaN, accuracy: 0 } as Record<string, number>;
    for (let epoch = 0; epoch < 200; epoch++) {
      const r = await e.trainBatches({ x, y, n: 4, order, batchSize: 2, firstBatch: 0, batchCount: 2 });
      expect(r.steps).toBe(2);
      last = r.logs;
    }
    expect(e.step).toBe(400);
    expect(last.accuracy).toBe(1);
    const out = e.predict(x, 4, 4);
    expect([...out].map((v) => (v > 0.5 ? 1 : 0))).toEqual([0, 1, 1, 0]);
    const ev = await e.evaluateAsync(x, y, 4, 3);
    expect(ev.accuracy).toBe(1);
    expect(ev.loss).toBeCloseTo(e.evaluate(x, y, 4, 4).loss, 6);
    expect([...(await e.predictAsync(x, 4, 3))]).toEqual([...out]);
  });

  // A 784-128-64-10 network on random data: big enough that a chunk of batches takes a while.
  function mnistShaped(seed = 1234) {
    const p = plan(784, [dense('d1', 784, 128, 'relu'), dense('d2', 128, 64, 'relu'), dense('d3', 64, 10, 'softmax')],
      'sparseCategoricalCrossentropy', { kind: 'adam', learningRate: 1e-3 }, ['accuracy']);
    p.seed = seed;
    return p;
  }
  const N = 2048;
  const bigX = data(N * 784, 7, 0, 1);
  const bigY = data(N, 8, 0, 10).map(Math.floor);
  const bigOrder = new Uint32Array(N).map((_, i) => (i * 7919) % N);

  it('keeps the event loop running during trainBatches', async () => {
    const e = make(mnistShaped());
    let worst = 0;
    let ticks = 0;
    let prev = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      worst = Math.max(worst, now - prev - 10);
      prev = now;
      ticks++;
    }, 10);
    const t0 = performance.now();
    let steps = 0;
    for (let epoch = 0; epoch < 10; epoch++) {
      const r = await e.trainBatches({ x: bigX, y: bigY, n: N, order: bigOrder, batchSize: 128, firstBatch: 0, batchCount: 16, diagnostics: epoch === 9 });
      steps += r.steps;
      if (epoch === 9) {
        expect(r.diagnostics).toHaveLength(3);
        expect(r.diagnostics![0].gradNorm).toBeGreaterThan(0);
        expect(r.diagnostics![0].deadFraction).toBeGreaterThanOrEqual(0);
      }
    }
    const ms = performance.now() - t0;
    clearInterval(timer);
    console.log(`trainBatches 784-128-64-10 batch 128: ${((steps * 128) / (ms / 1000)).toFixed(0)} samples/s; ` +
      `setInterval(10 ms) fired ${ticks} times, worst lag ${worst.toFixed(1)} ms`);
    expect(ticks).toBeGreaterThan(ms / 10 / 3);
    expect(worst).toBeLessThan(100);
  });

  it('stops after cancel() and reports the steps it ran', async () => {
    const e = make(mnistShaped());
    const p = e.trainBatches({ x: bigX, y: bigY, n: N, order: bigOrder, batchSize: 1, firstBatch: 0, batchCount: N });
    expect(e.busy).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    e.cancel();
    const r = await p;
    expect(r.steps).toBeLessThan(N);
    expect(e.step).toBe(r.steps);
    expect(e.busy).toBe(false);
  });

  it('rejects concurrent calls with SIMDNET_BUSY and refuses to dispose while busy', async () => {
    const e = make(mnistShaped());
    const args = { x: bigX, y: bigY, n: N, order: bigOrder, batchSize: 64, firstBatch: 0, batchCount: 8 };
    const p = e.trainBatches(args);
    await expect(e.trainBatches(args)).rejects.toMatchObject({ code: 'SIMDNET_BUSY' });
    // Reads are served from the published snapshot while training runs (issue 12); writes stay refused.
    expect(e.getParams().length).toBe(e.params().length);
    expect(() => e.trainStep(bigX, bigY, 4)).toThrow(codeOf('SIMDNET_BUSY'));
    expect(() => e.setParams(e.getParams())).toThrow(codeOf('SIMDNET_BUSY'));
    const reads = [e.evaluateAsync(bigX, bigY, N, 128), e.predictAsync(bigX, 10, 10)] as const;
    expect(() => e.dispose()).toThrow(codeOf('SIMDNET_BUSY'));
    expect(e.disposed).toBe(false);
    expect((await p).steps).toBe(8);
    expect(Number.isFinite((await reads[0]).loss)).toBe(true);
    expect((await reads[1]).length).toBe(10 * e.outputSize);
    expect(e.busy).toBe(false);
    e.trainStep(bigX, bigY, 4);
  });

  it('gives rejections the caller stack', async () => {
    const e = make(mnistShaped());
    const args = { x: bigX, y: bigY, n: N, order: bigOrder, batchSize: 64, firstBatch: 0, batchCount: 2 };
    const p = e.trainBatches(args);
    const err = await e.trainBatches(args).catch((x: Error) => x);
    await p;
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).stack).toContain('native-engine.test.ts');
  });

  it('is reproducible: same seed, same weights bit for bit', async () => {
    const run = async () => {
      const e = make(mnistShaped(99));
      await e.trainBatches({ x: bigX, y: bigY, n: 512, order: bigOrder.map((v) => v % 512).subarray(0, 512), batchSize: 32, firstBatch: 0, batchCount: 16 });
      return e.getParams();
    };
    const a = await run();
    const b = await run();
    a.forEach((w, i) => expect(Buffer.from(w.buffer).equals(Buffer.from(b[i].buffer))).toBe(true));
  });

  it('trains two engines at once on the thread pool with the same results as one at a time', async () => {
    const args = { x: bigX, y: bigY, n: 512, order: bigOrder.map((v) => v % 512).subarray(0, 512), batchSize: 32, firstBatch: 0, batchCount: 16 };
    const alone = make(mnistShaped(5));
    await alone.trainBatches(args);
    const [a, b] = [make(mnistShaped(5)), make(mnistShaped(5))];
    const [ra, rb] = await Promise.all([a.trainBatches(args), b.trainBatches(args)]);
    expect(ra.logs).toEqual(rb.logs);
    const want = alone.getParams();
    for (const e of [a, b]) e.getParams().forEach((w, i) => expect(Buffer.from(w.buffer).equals(Buffer.from(want[i].buffer))).toBe(true));
  });

  it('disposes: frees memory, later calls throw SIMDNET_DISPOSED, dispose twice is fine', async () => {
    const e = new NativeEngine(mnistShaped());
    e.trainStep(bigX, bigY, 128);
    expect(e.memoryBytes()).toBeGreaterThan(4 * (784 * 128 * 3));
    e.dispose();
    e.dispose();
    expect(e.disposed).toBe(true);
    expect(e.memoryBytes()).toBe(0);
    expect(() => e.trainStep(bigX, bigY, 1)).toThrow(codeOf('SIMDNET_DISPOSED'));
    expect(() => e.predict(bigX, 1, 1)).toThrow(codeOf('SIMDNET_DISPOSED'));
    expect(() => e.getParams()).toThrow(codeOf('SIMDNET_DISPOSED'));
    await expect(e.trainBatches({ x: bigX, y: bigY, n: 4, order: bigOrder, batchSize: 2, firstBatch: 0, batchCount: 1 })).rejects.toMatchObject({ code: 'SIMDNET_DISPOSED' });
    await expect(e.evaluateAsync(bigX, bigY, 4, 2)).rejects.toMatchObject({ code: 'SIMDNET_DISPOSED' });
  });

  it('survives a worker thread terminated in the middle of trainBatches', async () => {
    // The addon's Engine in a worker_threads Worker: its environment is torn down while the job runs on libuv's pool.
    const code = `
      const { parentPort, workerData } = require('node:worker_threads');
      const { Engine } = require(workerData.addon);
      const e = new Engine(workerData.plan);
      const n = 512, x = new Float32Array(n * 784).fill(0.5), y = new Float32Array(n).fill(3);
      const order = new Uint32Array(n).map((_, i) => i);
      e.trainBatches(x, y, n, order, 1, 0, n, null, false);
      parentPort.postMessage(e.isBusy());`;
    const w = new Worker(code, { eval: true, workerData: { addon: nativePath, plan: mnistShaped() } });
    const busy = await new Promise((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
    expect(busy).toBe(true);
    const exitCode = await w.terminate();
    expect(exitCode).toBe(1); // terminated, not crashed (an abort would kill this test process)
  });

  it('rejects bad plans with coded errors', () => {
    const good = plan(3, [dense('a', 3, 4, 'relu'), dense('b', 4, 2, 'linear')], 'meanSquaredError');
    const bad = (mutate: (p: PlanSpec) => void, code = 'SIMDNET_INVALID_ARGUMENT') => {
      const p = structuredClone(good);
      mutate(p);
      expect(() => new NativeEngine(p)).toThrow(codeOf(code));
    };
    expect(() => new NativeEngine(null as unknown as PlanSpec)).toThrow(TypeError);
    bad((p) => ((p.layers[1] as { inputSize: number }).inputSize = 5), 'SIMDNET_SHAPE_MISMATCH');
    bad((p) => (p.layers[1].name = 'a'));
    bad((p) => ((p.layers[0] as { type: string }).type = 'conv2d'));
    bad((p) => ((p.layers[0] as { activation: { kind: string } }).activation.kind = 'swish'));
    bad((p) => ((p.layers[0] as { units: number }).units = -1));
    bad((p) => ((p.layers[0] as { units: number }).units = 1.5));
    bad((p) => ((p.layers[0] as { units: unknown }).units = '4'));
    bad((p) => (p.layers = []));
    bad((p) => ((p as { loss: string }).loss = 'cosineSimilarity'));
    bad((p) => (p.optimizer.learningRate = NaN));
    bad((p) => ((p.optimizer as { kind: string }).kind = 'lbfgs'));
    bad((p) => (p.optimizer.clipNorm = -1));
    bad((p) => (p.metrics = ['accuracy', 'accuracy']));
    bad((p) => (p.seed = -1));
    bad((p) => p.layers.push(dropout('d', 2, 1)));
    try {
      new NativeEngine({ ...good, layers: [good.layers[0], { ...good.layers[1], activation: { kind: 'nope' } } as LayerSpec] });
    } catch (err) {
      expect((err as Error).message).toContain('layers[1].activation.kind');
    }
  });

  it('rejects bad arguments with coded errors and survives NaN inputs', async () => {
    const e = make(plan(3, [dense('a', 3, 4, 'relu'), dense('b', 4, 3, 'softmax')], 'sparseCategoricalCrossentropy', {}, ['accuracy', 'mae']));
    const x = data(12, 3);
    expect(() => e.trainStep(new Float64Array(12) as unknown as Float32Array, new Float32Array(4), 4)).toThrow(codeOf('SIMDNET_INVALID_ARGUMENT'));
    expect(() => e.trainStep(x, new Float32Array(4), 5)).toThrow(codeOf('SIMDNET_BUFFER_TOO_SMALL'));
    expect(() => e.trainStep(x, new Float32Array(4), 0)).toThrow(RangeError);
    expect(() => e.trainStep(x, new Float32Array(4), 1.5)).toThrow(codeOf('SIMDNET_INVALID_ARGUMENT'));
    expect(() => e.trainStep(x, new Float32Array([0, 1, 3, 2]), 4)).toThrow(RangeError); // label 3 of 3 classes
    expect(() => e.trainStep(x, new Float32Array([0, 1, 0.5, 2]), 4)).toThrow(codeOf('SIMDNET_INVALID_ARGUMENT'));
    const gone = data(12, 4);
    structuredClone(gone.buffer, { transfer: [gone.buffer] });
    expect(() => e.trainStep(gone, new Float32Array(4), 4)).toThrow(codeOf('SIMDNET_DETACHED_BUFFER'));
    expect(() => e.predict(gone, 1, 1)).toThrow(codeOf('SIMDNET_DETACHED_BUFFER'));
    expect(e.step).toBe(0); // nothing ran
    await expect(e.trainBatches({ x, y: new Float32Array([0, 1, 2, -1]), n: 4, order: new Uint32Array([0, 1, 2, 3]), batchSize: 2, firstBatch: 0, batchCount: 2 }))
      .rejects.toBeInstanceOf(RangeError);
    await expect(e.trainBatches({ x, y: new Float32Array(4), n: 4, order: new Uint32Array([0, 1, 2, 4]), batchSize: 2, firstBatch: 0, batchCount: 2 }))
      .rejects.toMatchObject({ code: 'SIMDNET_INVALID_ARGUMENT' });
    await expect(e.trainBatches({ x, y: new Float32Array(4), n: 4, order: new Uint32Array(4), batchSize: 2, firstBatch: 1, batchCount: 2 }))
      .rejects.toMatchObject({ code: 'SIMDNET_INVALID_ARGUMENT' });
    await expect(e.trainBatches({ x, y: new Float32Array(4), n: 4, order: new Int32Array(4) as unknown as Uint32Array, batchSize: 2, firstBatch: 0, batchCount: 2 }))
      .rejects.toBeInstanceOf(TypeError);
    expect(() => e.setParams([new Float32Array(1)])).toThrow(codeOf('SIMDNET_SHAPE_MISMATCH'));
    expect(() => e.setLearningRate(-1)).toThrow(RangeError);
    const nanX = x.slice();
    nanX[0] = NaN;
    const logs = e.trainStep(nanX, new Float32Array([0, 1, 2, 0]), 4);
    expect(Number.isNaN(logs.loss)).toBe(true);
    expect(e.step).toBe(1);
    // views at an offset are read from their offset
    const padded = new Float32Array(13);
    padded.set(x, 1);
    const e2 = make(plan(3, [dense('a', 3, 2, 'linear')], 'meanSquaredError'));
    expect([...e2.predict(padded.subarray(1), 4, 4)]).toEqual([...e2.predict(x, 4, 4)]);
  });

  it('survives a detached logs buffer on the raw addon object', () => {
    const h = new native!.Engine(plan(3, [dense('a', 3, 2, 'linear')], 'meanSquaredError'));
    const logs: Float64Array = h.logsBuffer();
    structuredClone(logs.buffer, { transfer: [logs.buffer] });
    expect(logs.length).toBe(0);
    h.trainStep(data(6, 1), data(4, 2), 2); // writes nothing instead of into freed memory
    expect(h.getStep()).toBe(1);
    h.dispose();
  });

  it('checks optimizer state on the raw addon object too (the binding is the safety net under the TS checks)', () => {
    const h = new native!.Engine(plan(3, [dense('a', 3, 2, 'linear')], 'meanSquaredError', { kind: 'rmsprop', centered: true, momentum: 0.5 }));
    const s: Float32Array[] = h.getOptimizerState();
    expect(s.map((a) => a.length)).toEqual([6, 6, 6, 2, 2, 2]); // kernel: sqAvg, gradAvg, buf; bias: the same
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return (e as { code?: string }).code;
      }
      return undefined;
    };
    expect(code(() => h.setOptimizerState())).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(code(() => h.setOptimizerState(s, -1))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(code(() => h.setOptimizerState(s, NaN))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(code(() => h.setOptimizerState(s.slice(1), 1))).toBe('SIMDNET_SHAPE_MISMATCH');
    expect(code(() => h.setOptimizerState([...s.slice(0, 5), new Float32Array(3)], 1))).toBe('SIMDNET_SHAPE_MISMATCH');
    expect(code(() => h.setOptimizerState([...s.slice(0, 5), [1, 2]], 1))).toBe('SIMDNET_INVALID_ARGUMENT');
    const gone = s.map((a) => a.slice());
    structuredClone(gone[5].buffer, { transfer: [gone[5].buffer] });
    expect(code(() => h.setOptimizerState(gone, 1))).toBe('SIMDNET_DETACHED_BUFFER');
    expect(h.getStep()).toBe(0);
    const v = s.map((a, i) => a.map((_, k) => i + k / 10));
    h.setOptimizerState(v, 9);
    expect(h.getOptimizerState()).toEqual(v);
    expect(h.getStep()).toBe(9);
    h.resetOptimizer();
    expect(h.getStep()).toBe(0);
    expect(h.getOptimizerState().every((a: Float32Array) => a.every((x) => x === 0))).toBe(true);
    h.dispose();
    expect(code(() => h.getOptimizerState())).toBe('SIMDNET_DISPOSED');
  });

  it('reports every parameter in the documented order with copies', () => {
    const e = make(plan(3, [dense('d1', 3, 4, 'relu'), batchNorm('bn', 4), dense('d2', 4, 2, 'linear')], 'meanSquaredError'));
    expect(e.params().map((p) => p.name)).toEqual(['d1/kernel', 'd1/bias', 'bn/gamma', 'bn/beta', 'bn/moving_mean', 'bn/moving_variance', 'd2/kernel', 'd2/bias']);
    expect(e.params()[0].shape).toEqual([3, 4]);
    expect(e.params()[4].trainable).toBe(false);
    const w = e.getParams();
    w[0].fill(0);
    expect(e.getParams()[0].some((v) => v !== 0)).toBe(true);
    expect([...e.getParams()[5]]).toEqual([1, 1, 1, 1]);
    expect(e.getLearningRate()).toBeCloseTo(0.1, 7);
    e.setLearningRate(0.5);
    expect(e.getLearningRate()).toBe(0.5);
  });
});

// ---- NativeEngine vs JsEngine (the pure-TS twin built on lib/kernels/reference) -----------------------------------
describe.runIf(native)('NativeEngine agrees with JsEngine', () => {
  const optimizers: [string, Partial<OptimizerSpec>][] = [
    ['sgd', { kind: 'sgd', learningRate: 0.1, weightDecay: 0.01 }],
    ['momentum', { kind: 'momentum', learningRate: 0.05, momentum: 0.9, dampening: 0.1 }],
    ['nesterov', { kind: 'momentum', learningRate: 0.05, momentum: 0.9, nesterov: true }],
    ['adagrad', { kind: 'adagrad', learningRate: 0.05, initialAccumulatorValue: 0.1 }],
    ['rmsprop', { kind: 'rmsprop', learningRate: 0.005 }],
    ['rmsprop centered momentum', { kind: 'rmsprop', learningRate: 0.005, centered: true, momentum: 0.5 }],
    ['adam', { kind: 'adam', learningRate: 0.01 }],
    ['amsgrad', { kind: 'adam', learningRate: 0.01, amsgrad: true, weightDecay: 0.01 }],
    ['adamw', { kind: 'adamw', learningRate: 0.01 }],
    ['adam + clipNorm + clipValue', { kind: 'adam', learningRate: 0.01, clipNorm: 0.5, clipValue: 0.05 }],
  ];
  const models: [string, LossName, LayerSpec[]][] = [
    ['relu/softmax sparse', 'sparseCategoricalCrossentropy', [dense('d1', 6, 16, 'relu'), dropout('drop', 16, 0.2), dense('d2', 16, 4, 'softmax')]],
    ['tanh/batchnorm/sigmoid bce', 'binaryCrossentropy', [dense('d1', 6, 12, 'tanh'), batchNorm('bn', 12), dense('d2', 12, 3, 'sigmoid')]],
    ['leaky/linear mse', 'meanSquaredError', [dense('d1', 6, 10, 'leakyRelu', 0.1), activation('a', 10, 'sigmoid'), dense('d2', 10, 2, 'linear')]],
    ['softmax activation cce', 'categoricalCrossentropy', [dense('d1', 6, 8, 'sigmoid'), dense('d2', 8, 5, 'linear'), activation('a', 5, 'softmax', 2)]],
  ];
  const steps = 12;
  const batch = 16;

  function maxRelDiff(a: Float32Array, b: Float32Array): number {
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (1e-3 + Math.abs(b[i])));
    return worst;
  }

  for (const [mName, loss, layers] of models) {
    it(`gives the same weights after ${steps} steps of every optimizer: ${mName}`, () => {
      const rows: string[] = [];
      for (const [oName, opt] of optimizers) {
        const p = plan(6, layers, loss, opt, ['accuracy', 'mse']);
        (p.layers[0] as { kernelRegularizer: unknown }).kernelRegularizer = { l1: 1e-3, l2: 1e-3 };
        const a = make(p);
        const b = new JsEngine(p);
        a.getParams().forEach((w, i) => expect(Buffer.from(w.buffer).equals(Buffer.from(b.getParams()[i].buffer))).toBe(true));
        const x = data(batch * steps * 6, 21);
        const y = targets(loss, batch * steps, a.outputSize, 22);
        const yw = loss === 'sparseCategoricalCrossentropy' ? 1 : a.outputSize;
        let worstLoss = 0;
        for (let s = 0; s < steps; s++) {
          const xs = x.subarray(s * batch * 6), ys = y.subarray(s * batch * yw);
          const la = a.trainStep(xs, ys, batch);
          const lb = b.trainStep(xs, ys, batch);
          for (const k of ['loss', 'accuracy', 'mse']) worstLoss = Math.max(worstLoss, Math.abs(la[k] - lb[k]) / (1e-6 + Math.abs(lb[k])));
        }
        const wa = a.getParams(), wb = b.getParams();
        const worst = Math.max(...wa.map((w, i) => maxRelDiff(w, wb[i])));
        rows.push(`${oName}: weights ${worst.toExponential(1)}, logs ${worstLoss.toExponential(1)}`);
        expect(worst, `${mName} / ${oName}`).toBeLessThan(1e-4);
        expect(worstLoss, `${mName} / ${oName} logs`).toBeLessThan(1e-5);
        const xe = data(40 * 6, 23);
        const ye = targets(loss, 40, a.outputSize, 24);
        const ea = a.evaluate(xe, ye, 40, 16), eb = b.evaluate(xe, ye, 40, 16);
        expect(Math.abs(ea.loss - eb.loss)).toBeLessThan(1e-3 * (1 + Math.abs(eb.loss)));
        expect(maxRelDiff(a.predict(xe, 40, 7), b.predict(xe, 40, 7))).toBeLessThan(2e-3);
        expect(a.step).toBe(b.step);
        b.dispose();
      }
      console.log(`${mName} (max |native - js| / (1e-3 + |js|)):\n  ${rows.join('\n  ')}`);
    });
  }

  it('agrees on trainBatches logs, learning-rate schedules and diagnostics', async () => {
    const p = plan(6, models[0][2], 'sparseCategoricalCrossentropy', { kind: 'adam', learningRate: 0.01 }, ['accuracy']);
    const a = make(p);
    const b = new JsEngine(p);
    const n = 100;
    const x = data(n * 6, 31), y = targets('sparseCategoricalCrossentropy', n, 4, 32);
    const order = new Uint32Array(n).map((_, i) => (i * 37) % n);
    const lrPerStep = new Float32Array([0.01, 0.02, 0.005, 0.01, 0.001, 0.01, 0.03]);
    const args = { x, y, n, order, batchSize: 16, firstBatch: 0, batchCount: 7, lrPerStep, diagnostics: true };
    const ra = await a.trainBatches(args);
    const rb = await b.trainBatches(args);
    expect(ra.steps).toBe(rb.steps);
    expect(ra.logs.loss).toBeCloseTo(rb.logs.loss, 4);
    expect(ra.logs.accuracy).toBeCloseTo(rb.logs.accuracy, 6);
    expect(a.getLearningRate()).toBeCloseTo(b.getLearningRate(), 7);
    expect(ra.diagnostics!.map((d) => d.layerIndex)).toEqual(rb.diagnostics!.map((d) => d.layerIndex));
    ra.diagnostics!.forEach((d, i) => {
      const e = rb.diagnostics![i];
      for (const k of ['gradNorm', 'weightNorm', 'updateRatio', 'deadFraction', 'activationMean', 'activationStd'] as const)
        expect(Math.abs(d[k] - e[k]), `${k} of layer ${d.layerIndex}`).toBeLessThan(1e-3 * (1 + Math.abs(e[k])));
    });
    b.dispose();
  });
});
