/**
 * The storage the asynchronous entry points convert into (lib/models/ingest.ts, issue 12): given back when the call
 * settles and reused by the next conversion, so calls in a row allocate no new native block and V8 does not start a
 * major GC for each (the external-memory-pressure GC whose final pause marks the caller's whole heap: the longest
 * event-loop turns the lag test measured). Reuse must never mix up two calls: predictAsync and evaluateAsync on
 * different nested inputs, in flight together and one after the other, give what the synchronous calls give.
 */
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { Sequential, Dense, optimizers } from '../../lib/index.js';
import { releaseConverted, toMatrixAsync } from '../../lib/models/ingest.js';
import { BACKENDS } from './backends.js';

const C = 784;
const nested = (rows: number, seed: number) =>
  Array.from({ length: rows }, (_, i) => Array.from({ length: C }, (_, j) => ((i * 31 + j * 7 + seed * 13) % 256) / 255));

function model() {
  const m = new Sequential([new Dense({ units: 3, activation: 'softmax', inputShape: [C] })]);
  m.compile({ optimizer: optimizers.sgd({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy', backend: 'native', seed: 1 });
  return m;
}

describe.skipIf(!BACKENDS.includes('native'))('conversion storage of the async entry points (native)', () => {
  it('a released block is reused by the next conversion that fits, and never while a call holds it', async () => {
    const a = await toMatrixAsync(nested(100, 1), 'x', C);
    const b = await toMatrixAsync(nested(100, 2), 'x', C); // a is still held: b is another block
    expect(b.data.buffer === a.data.buffer).toBe(false); // (identity only: a diff of two buffers is slow to print)
    releaseConverted(a);
    const c = await toMatrixAsync(nested(60, 3), 'x', C); // fits in a's block
    expect(c.data.buffer === a.data.buffer).toBe(true);
    expect(c.data.length).toBe(60 * C);
    expect(c.data[5]).toBeCloseTo(((0 * 31 + 5 * 7 + 3 * 13) % 256) / 255, 6);
    releaseConverted(b, c, { data: new Float32Array(4) }); // the last: not converted here, left alone
    const d = await toMatrixAsync(nested(100, 4), 'x', C); // the spare is the larger of the two
    expect(d.data.buffer === a.data.buffer || d.data.buffer === b.data.buffer).toBe(true);
    releaseConverted(d);
  });

  it('predictAsync and evaluateAsync on different nested inputs, together and in a row, equal the sync calls', async () => {
    const m = model();
    const inputs = [nested(500, 1), nested(300, 2), nested(500, 3)];
    const labels = Int32Array.from({ length: 500 }, (_, i) => i % 3);
    const want = inputs.map((x) => m.predict(x).data());
    const wantEval = m.evaluate(inputs[2], labels);
    for (let round = 0; round < 3; round++) {
      const [p0, p1, e2] = await Promise.all([m.predictAsync(inputs[0]), m.predictAsync(inputs[1]), m.evaluateAsync(inputs[2], labels)]);
      expect(p0.data()).toEqual(want[0]);
      expect(p1.data()).toEqual(want[1]);
      expect(e2.loss).toBeCloseTo(wantEval.loss, 5);
      for (let k = 0; k < 3; k++) expect((await m.predictAsync(inputs[k])).data()).toEqual(want[k]);
    }
    m.dispose();
  });

  it('calls in a row on 12,000 x 784 nested rows do not start a major GC each', async () => {
    const m = model();
    const x = nested(12000, 5);
    const labels = Int32Array.from({ length: 12000 }, (_, i) => i % 3);
    await m.predictAsync(x, { batchSize: 1000 }); // first call: allocates the block
    let majors = 0;
    const obs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if ((e as unknown as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors++;
    });
    obs.observe({ entryTypes: ['gc'] });
    const calls = 8;
    for (let k = 0; k < calls; k++) {
      if (k % 2 === 0) await m.predictAsync(x, { batchSize: 1000 });
      else await m.evaluateAsync(x, labels, { batchSize: 1000 });
    }
    await new Promise((r) => setTimeout(r, 50)); // the observer reports asynchronously
    obs.disconnect();
    console.log(`${calls} predictAsync/evaluateAsync calls on 12,000 x 784 nested rows: ${majors} major GCs`);
    // A fresh 37.6 MB block per call: a major GC every call or two (6 to 8 here).
    expect(majors).toBeLessThanOrEqual(2);
    m.dispose();
  }, 120_000);
});
