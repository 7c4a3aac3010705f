/**
 * The native predict spreads its batches over the pool threads, each running the whole forward pass on its own
 * scratch (native/src/engine/step.cc Engine::predict / forward_infer). That path must give the same bits as the
 * serial one (1 thread: the layers' own buffers), for every layer kind the forward pass has: dense with a fused
 * activation (relu, leakyRelu, sigmoid), dense keeping its pre-activation (softmax), a separate Activation,
 * Dropout (the identity at inference) and BatchNormalization (moving statistics, changed by a fit first).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Activation, BatchNormalization, Dense, Dropout, Sequential, optimizers, runtimeInfo, setThreads } from '../../lib/index.js';
import { BACKENDS } from '../models/backends.js';

const native = BACKENDS.includes('native');
const threadsBefore = runtimeInfo().threads;
afterAll(() => setThreads(threadsBefore));

function model(): Sequential {
  const m = new Sequential([
    new Dense({ units: 48, activation: 'relu', inputShape: [20] }),
    new BatchNormalization({}),
    new Dropout({ rate: 0.3, seed: 5 }),
    new Dense({ units: 24, activation: { name: 'leakyRelu', alpha: 0.2 } }),
    new Dense({ units: 20, activation: 'sigmoid' }),
    new Dense({ units: 16 }),
    new Activation({ activation: 'tanh' }),
    new Dense({ units: 7, activation: 'softmax' }),
  ]);
  m.compile({ optimizer: optimizers.adam({ learningRate: 1e-2 }), loss: 'categoricalCrossentropy', backend: 'native', seed: 3 });
  return m;
}

function data(n: number, seed: number): { x: Float32Array; y: Float32Array } {
  let s = seed >>> 0;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const x = new Float32Array(n * 20).map(() => rand() * 4 - 2);
  const y = new Float32Array(n * 7);
  for (let i = 0; i < n; i++) y[i * 7 + Math.floor(rand() * 7)] = 1;
  return { x, y };
}

function bits(a: Float32Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length);
}

describe.runIf(native)('native predict over several batches on 2 threads', () => {
  it('gives bitwise the outputs of 1 thread, sync and async, every layer kind, a partial last batch', async () => {
    const m = model();
    const train = data(512, 1);
    await m.fit(train.x, train.y, { epochs: 2, batchSize: 64, verbose: 0 }); // moving statistics away from 0 / 1
    const { x } = data(1037, 2);
    for (const batchSize of [100, 1037, 7]) {
      setThreads(1);
      const one = m.predict(x, { batchSize }).data() as Float32Array;
      setThreads(2);
      const two = m.predict(x, { batchSize }).data() as Float32Array;
      const twoAsync = (await m.predictAsync(x, { batchSize })).data() as Float32Array;
      expect(one.length).toBe(1037 * 7);
      expect(one.every(Number.isFinite)).toBe(true);
      expect(bits(two)).toEqual(bits(one));
      expect(bits(twoAsync)).toEqual(bits(one));
    }
    // Not trivially equal: the outputs differ per row (a constant model would pass the comparisons above).
    const out = m.predict(x, { batchSize: 100 }).data() as Float32Array;
    expect(out.slice(0, 7)).not.toEqual(out.slice(7, 14));
    m.dispose();
  });

  it('matches evaluate-mode outputs of the JS engine within float tolerance', () => {
    const m = model();
    const js = model();
    js.compile({ optimizer: optimizers.adam({ learningRate: 1e-2 }), loss: 'categoricalCrossentropy', backend: 'js', seed: 3 });
    js.setWeights(m.getWeights());
    const { x } = data(300, 4);
    setThreads(2);
    const a = m.predict(x, { batchSize: 64 }).data() as Float32Array;
    const b = js.predict(x, { batchSize: 64 }).data() as Float32Array;
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-5);
    m.dispose();
    js.dispose();
  });
});
