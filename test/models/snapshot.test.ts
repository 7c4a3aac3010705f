/**
 * What a running call reads (docs/engine.md, "What a running job holds"): fit() trains on a snapshot of x, y and
 * the validation data taken when it is called; predictAsync/evaluateAsync read a snapshot taken when they are called.
 * Writes to the caller's arrays after that change nothing; a buffer detached before the call, or while the snapshot
 * is being taken, gets SIMDNET_DETACHED_BUFFER. (The crash cases, a buffer transferred to a Worker and collected
 * while the native job runs, are in transfer.test.ts, in child processes.)
 */
import { describe, expect, it } from 'vitest';
import { Dense, Sequential, optimizers, tensor, type Callback } from '../../lib/index.js';
import { BACKENDS, asyncCodeOf, codeOf } from './backends.js';
import { mulberryArray } from '../helpers/random.js';

const IN = 6;
const OUT = 3;

function data(n: number, seed = 1) {
  const x = mulberryArray(n * IN, seed);
  const y = new Float32Array(n * OUT);
  for (let i = 0; i < n; i++) y[i * OUT + (i % OUT)] = 1;
  return { x, y };
}

function model(backend: 'js' | 'native', inputs = IN) {
  const m = new Sequential([
    new Dense({ units: 8, activation: 'relu', inputShape: [inputs] }),
    new Dense({ units: OUT, activation: 'softmax' }),
  ]);
  m.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'], backend, seed: 3 });
  return m;
}

const weights = (m: Sequential) => m.getWeights().map((w) => w.data());

/** A buffer transferred away (detached here), as postMessage(x, [x.buffer]) leaves it. */
function detach(a: Float32Array): void {
  structuredClone(a.buffer, { transfer: [a.buffer] });
  expect(a.length).toBe(0);
}

describe.each(BACKENDS)('input snapshots (%s)', (backend) => {
  it('fit trains on the data as it was at the call: writes from onTrainBegin, onEpochBegin or onBatchEnd on are not seen', async () => {
    const n = 96;
    const base = model(backend);
    const d0 = data(n);
    const v0 = data(24, 9);
    const h0 = await base.fit(d0.x, d0.y, { epochs: 3, batchSize: 16, validationData: [v0.x, v0.y], verbose: 0, seed: 5 });
    const expected = weights(base);

    const writes: [string, (d: ReturnType<typeof data>, v: ReturnType<typeof data>) => Callback][] = [
      ['onTrainBegin', (d, v) => ({ onTrainBegin: () => { d.x.fill(NaN); d.y.fill(0); v.x.fill(Infinity); } })],
      ['onEpochBegin', (d, v) => ({ onEpochBegin: (e: number) => { if (e === 1) { d.x.fill(NaN); d.y.fill(7); v.y.fill(0); } } })],
      // A batch callback makes fit call the engine once per batch: every call must still read the snapshot.
      ['onBatchEnd', (d) => ({ onBatchEnd: (b: number) => { if (b === 2) d.x.reverse(); } })],
    ];
    for (const [, cb] of writes) {
      const m = model(backend);
      const d = data(n);
      const v = data(24, 9);
      const h = await m.fit(d.x, d.y, { epochs: 3, batchSize: 16, validationData: [v.x, v.y], verbose: 0, seed: 5, callbacks: [cb(d, v)] });
      expect(h.history).toEqual(h0.history);
      const w = weights(m);
      w.forEach((a, i) => expect(Array.from(a)).toEqual(Array.from(expected[i])));
      m.dispose();
    }
    base.dispose();
  });

  it('predictAsync and evaluateAsync read their input as it was at the call', async () => {
    const m = model(backend);
    const { x, y } = data(40);
    const p0 = (await m.predictAsync(x.slice(), { batchSize: 8 })).data();
    const e0 = await m.evaluateAsync(x.slice(), y.slice(), { batchSize: 8 });
    const xp = x.slice();
    const pp = m.predictAsync(xp, { batchSize: 8 });
    xp.fill(NaN);
    expect(Array.from((await pp).data())).toEqual(Array.from(p0));
    const xe = x.slice();
    const ye = y.slice();
    const pe = m.evaluateAsync(xe, ye, { batchSize: 8 });
    xe.fill(NaN);
    ye.fill(0);
    expect(await pe).toEqual(e0);
    m.dispose();
  });

  it('a buffer detached before the call: SIMDNET_DETACHED_BUFFER from fit, predict(Async) and evaluate(Async)', async () => {
    const m = model(backend);
    const fresh = () => data(16);
    let d = fresh();
    detach(d.x);
    expect(await asyncCodeOf(m.fit(d.x, d.y, { verbose: 0 }))).toBe('SIMDNET_DETACHED_BUFFER');
    d = fresh();
    detach(d.y);
    expect(await asyncCodeOf(m.fit(d.x, d.y, { verbose: 0 }))).toBe('SIMDNET_DETACHED_BUFFER');
    d = fresh();
    const v = fresh();
    detach(v.x);
    expect(await asyncCodeOf(m.fit(d.x, d.y, { verbose: 0, validationData: [v.x, v.y] }))).toBe('SIMDNET_DETACHED_BUFFER');
    d = fresh();
    detach(d.x);
    expect(codeOf(() => m.predict(d.x))).toBe('SIMDNET_DETACHED_BUFFER');
    expect(await asyncCodeOf(m.predictAsync(d.x))).toBe('SIMDNET_DETACHED_BUFFER');
    expect(codeOf(() => m.evaluate(d.x, d.y))).toBe('SIMDNET_DETACHED_BUFFER');
    expect(await asyncCodeOf(m.evaluateAsync(d.x, d.y))).toBe('SIMDNET_DETACHED_BUFFER');
    m.dispose();
  });

  it('a buffer transferred while fit is taking its snapshot: SIMDNET_DETACHED_BUFFER, and the model is usable after', async () => {
    // 16 MB: the copy and its finite check take several event-loop turns, and the transfer comes after the first.
    const cols = 1024;
    const n = 4096;
    const m = model(backend, cols);
    const x = mulberryArray(n * cols, 4);
    const y = new Float32Array(n * OUT).map((_, i) => (i % OUT === 0 ? 1 : 0));
    const p = m.fit(x, y, { epochs: 1, batchSize: 256, verbose: 0 });
    structuredClone(x.buffer, { transfer: [x.buffer] });
    const err = await p.catch((e: Error & { code?: string }) => e);
    expect((err as { code?: string }).code).toBe('SIMDNET_DETACHED_BUFFER');
    expect((err as Error).message).toMatch(/x was detached/);
    const again = mulberryArray(64 * cols, 4);
    const h = await m.fit(again, y.subarray(0, 64 * OUT), { epochs: 1, batchSize: 32, verbose: 0 });
    expect(Number.isFinite(h.history.loss[0])).toBe(true);
    m.dispose();
  });

  it('a Tensor is read in place and disposing it mid-fit stops fit with SIMDNET_DETACHED_BUFFER at the next engine call', async () => {
    const m = model(backend);
    const d = data(64);
    const x = tensor(d.x, [64, IN]);
    const err = await m
      .fit(x, d.y, { epochs: 3, batchSize: 16, verbose: 0, callbacks: [{ onEpochBegin: (e: number) => { if (e === 1) x.dispose(); } }] })
      .catch((e: Error & { code?: string }) => e);
    expect((err as { code?: string }).code).toBe('SIMDNET_DETACHED_BUFFER');
    expect(m.engine.busy).toBe(false);
    m.dispose();
  });
});
