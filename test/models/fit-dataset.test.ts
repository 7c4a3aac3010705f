/**
 * fitDataset / evaluateDataset / predictDataset (issue 12). Training on the batches a source yields must reach the
 * weights fit() reaches on the same batches in the same order (shuffle off), bit for bit, whatever the source's shape
 * (iterable, async generator function, tfjs-like iterator(), async iterable) and the batches' input form.
 */
import { describe, expect, it } from 'vitest';
import { Sequential, Dense, optimizers } from '../../lib/index.js';
import { BACKENDS, asyncCodeOf } from './backends.js';
import { lcg } from '../helpers/random.js';

const N = 120;
const IN = 10;
const OUT = 3;
const B = 20;

function data() {
  const rand = lcg(5);
  const x = Float32Array.from({ length: N * IN }, () => rand() * 2 - 1);
  const labels = Int32Array.from({ length: N }, () => Math.floor(rand() * OUT));
  return { x, labels };
}

function model(backend: 'js' | 'native') {
  const m = new Sequential([new Dense({ units: 8, activation: 'relu', inputShape: [IN] }), new Dense({ units: OUT, activation: 'softmax' })]);
  m.compile({ optimizer: optimizers.adam({ learningRate: 0.02 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'], backend, seed: 8 });
  return m;
}

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe.each(BACKENDS)('fitDataset (%s)', (backend) => {
  const { x, labels } = data();
  const batch = (i: number) => ({ xs: x.subarray(i * B * IN, (i + 1) * B * IN), ys: labels.subarray(i * B, (i + 1) * B) });
  const nested = (i: number) => ({
    xs: Array.from({ length: B }, (_, r) => Array.from(x.subarray((i * B + r) * IN, (i * B + r + 1) * IN))),
    ys: Array.from(labels.subarray(i * B, (i + 1) * B)),
  });
  const count = N / B;
  const sources: [string, () => unknown][] = [
    ['an array of batches', () => Array.from({ length: count }, (_, i) => batch(i))],
    ['an async generator function', () => async function* () {
      for (let i = 0; i < count; i++) yield nested(i);
    }],
    ['a tfjs-like dataset', () => ({
      iterator: async () => {
        let i = 0;
        return { next: async () => (i < count ? { value: batch(i++), done: false } : { value: undefined, done: true }) };
      },
    })],
    ['an async iterable', () => ({
      async *[Symbol.asyncIterator]() {
        for (let i = 0; i < count; i++) yield { xs: Array.from({ length: B }, (_, r) => x.subarray((i * B + r) * IN, (i * B + r + 1) * IN)), ys: batch(i).ys };
      },
    })],
  ];

  it.each(sources)('from %s equals fit() on the same batches, bit for bit', async (_name, make) => {
    const ref = model(backend);
    const h1 = await ref.fit(x, labels, { epochs: 2, batchSize: B, shuffle: false, verbose: 0 });
    const m = model(backend);
    const seen: number[] = [];
    const h2 = await m.fitDataset(make() as never, { epochs: 2, callbacks: [{ onBatchEnd: async (b: number) => { seen.push(b); } }] });
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5]);
    const wr = ref.getWeights();
    m.getWeights().forEach((w, i) => expect(bits(w.data())).toEqual(bits(wr[i].data())));
    expect(h2.epoch).toEqual([0, 1]);
    h2.history.loss.forEach((l, i) => expect(l).toBeCloseTo(h1.history.loss[i], 5));
    ref.dispose();
    m.dispose();
  });

  it('a one-shot iterator is refused for a second epoch unless batchesPerEpoch bounds each epoch', async () => {
    const m = model(backend);
    const once = (function* () {
      for (let i = 0; i < count; i++) yield batch(i);
    })();
    expect(await asyncCodeOf(m.fitDataset(once, { epochs: 2 }))).toBe('SIMDNET_INVALID_ARGUMENT');
    const stream = (function* () {
      for (let i = 0; ; i++) yield batch(i % count);
    })();
    const h = await m.fitDataset(stream, { epochs: 3, batchesPerEpoch: 4 });
    expect(h.epoch).toEqual([0, 1, 2]);
    expect(await asyncCodeOf(m.fitDataset([{ xs: x.subarray(0, IN) }] as never))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(await asyncCodeOf(m.fitDataset(42 as never))).toBe('SIMDNET_INVALID_ARGUMENT');
    m.dispose();
  });

  it('validationData (arrays or a dataset), evaluateDataset and predictDataset agree with evaluate and predict', async () => {
    const m = model(backend);
    const ds = () => Array.from({ length: count }, (_, i) => batch(i));
    const h = await m.fitDataset(ds(), { epochs: 1, validationData: [x, labels] });
    const h2 = await m.fitDataset(ds(), { epochs: 1, validationData: ds() });
    expect(Number.isFinite(h.history.val_loss[0])).toBe(true);
    const ev = m.evaluate(x, labels);
    expect(h2.history.val_loss).toBeDefined();
    const evd = await m.evaluateDataset(ds());
    expect(evd.loss).toBeCloseTo(ev.loss, 5);
    expect(h2.history.val_loss[0]).toBeCloseTo(evd.loss, 5); // no step since the last epoch's validation
    expect(evd.accuracy).toBeCloseTo(ev.accuracy, 5);
    const p = await m.predictDataset(ds());
    expect(p.shape).toEqual([N, OUT]);
    const ref = m.predict(x).data();
    Array.from(p.data()).forEach((v, i) => expect(v).toBeCloseTo(ref[i], 6));
    m.dispose();
  });

  it('an AbortSignal stops between steps and fitDataset resolves with history.stoppedBy = abort', async () => {
    const m = model(backend);
    const ac = new AbortController();
    let n = 0;
    const h = await m.fitDataset(() => (function* () {
      for (;;) {
        if (++n === 5) ac.abort();
        yield batch(n % count);
      }
    })(), { epochs: 1, signal: ac.signal });
    expect(h.stoppedBy).toBe('abort');
    expect(m.engine.step).toBeLessThanOrEqual(5);
    m.dispose();
  });
});
