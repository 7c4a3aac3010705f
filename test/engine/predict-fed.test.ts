/**
 * predictAsync's fed job (lib/engine/native-engine.ts #predictFed, native/src/addon/input-feed.h): a large plain
 * Float32Array over two or more batches is copied into the kept stage while the job already predicts the batches
 * copied so far. Outputs must be bitwise those of the synchronous predict for any batch layout; a copy that fails
 * (x detached mid-copy) or a dispose() during it must end the job (no libuv thread left waiting) with the right
 * error, and leave the engine usable; a job left without rows for a second gives up and the call runs again on the
 * finished copy; the addon's feed calls refuse misuse with coded errors; a Worker terminated while its job waits
 * for input must not hang (the job gives up after that second).
 */
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { native } from '../../lib/native.js';
import { buildDist, repoRoot } from '../cli/build-dist.js';
import { NativeEngine } from '../../lib/engine/native-engine.js';
import type { PlanSpec } from '../../lib/engine/engine.js';
import { mulberryArray } from '../helpers/random.js';
import { mlpPlan } from './mlp-plan.js';

const IN = 512;
const OUT = 10;
const N = 1024; // 512K floats: above the 256K-float threshold of the stage

const plan = () => mlpPlan(IN, 64, OUT, 9);
const engines: NativeEngine[] = [];
afterAll(() => engines.forEach((e) => e.busy || e.dispose()));
const make = () => {
  const e = new NativeEngine(plan());
  engines.push(e);
  return e;
};
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
const code = (c: string) => expect.objectContaining({ code: c });

interface Handle {
  predict(x: Float32Array, n: number, b: number, out: Float32Array): Float32Array;
  predictAsync(x: Float32Array, n: number, b: number, fed?: boolean): Promise<Float32Array>;
  feedInput(rows: number): void;
  feedFail(): void;
  dispose(): void;
}

describe.runIf(native)('predictAsync with its input fed while the job runs', () => {
  beforeAll(() => buildDist(), 300_000); // the Worker below loads dist/native.js
  it('gives the bits of predict for every batch layout', async () => {
    const e = make();
    const x = mulberryArray(N * IN, 3);
    for (const [n, b] of [[N, 100], [N, 1], [N - 1, 128], [N, N - 1], [600, 7]]) {
      const want = e.predict(x, n, b);
      expect(bits(await e.predictAsync(x.subarray(0, n * IN), n, b)), `n=${n} b=${b}`).toEqual(bits(want));
    }
    // Overlapping calls: the second finds the stage busy and takes its own snapshot.
    const y = mulberryArray(N * IN, 4);
    const [a, c] = await Promise.all([e.predictAsync(x, N, 64), e.predictAsync(y, N, 64)]);
    expect(bits(a)).toEqual(bits(e.predict(x, N, 64)));
    expect(bits(c)).toEqual(bits(e.predict(y, N, 64)));
  });

  it('a buffer transferred mid-copy: SIMDNET_DETACHED_BUFFER, the job ends, the engine is usable', async () => {
    const e = make();
    const rows = 16 * N; // 32 MB: several event-loop turns of copying
    const x = mulberryArray(rows * IN, 5);
    const keep = x.slice(0, N * IN);
    const p = e.predictAsync(x, rows, 50);
    await new Promise((r) => setImmediate(r)); // after the first turn of slices
    structuredClone(x.buffer, { transfer: [x.buffer] });
    await expect(p).rejects.toThrow(code('SIMDNET_DETACHED_BUFFER'));
    expect(e.busy).toBe(false);
    expect(bits(await e.predictAsync(keep, N, 50))).toEqual(bits(e.predict(keep, N, 50)));
  });

  it('an event loop held for over a second mid-copy: the job gives up waiting, the call still gives the bits of predict', async () => {
    const e = make();
    const rows = 16 * N;
    const x = mulberryArray(rows * IN, 10);
    const want = e.predict(x, rows, 50);
    const p = e.predictAsync(x, rows, 50);
    await new Promise((r) => setImmediate(r));
    const t0 = Date.now();
    while (Date.now() - t0 < 1300); // the copy cannot go on: the job's wait for rows times out
    expect(bits(await p)).toEqual(bits(want));
  });

  it('dispose() mid-copy: SIMDNET_DISPOSED, the job ends', async () => {
    const e = new NativeEngine(plan());
    const rows = 16 * N;
    const x = mulberryArray(rows * IN, 6);
    const p = e.predictAsync(x, rows, 50);
    await new Promise((r) => setImmediate(r));
    e.dispose();
    await expect(p).rejects.toThrow(code('SIMDNET_DISPOSED'));
  });

  it('the addon: feed calls without a fed job are no-ops; misuse gets coded errors; feedFail ends the job', async () => {
    const Engine = native!.Engine as new (p: PlanSpec) => Handle;
    const h = new Engine(plan());
    h.feedInput(3);
    h.feedFail();
    const x = native!.allocF32(N * IN) as Float32Array;
    x.set(mulberryArray(N * IN, 7));
    const want = h.predict(x, N, 100, new Float32Array(N * OUT));
    // In pieces, out of order and past the end: the job runs each batch once its rows are in.
    const p = h.predictAsync(x, N, 100, true);
    expect(() => h.predictAsync(x, N, 100, true)).toThrow(code('SIMDNET_BUSY'));
    h.feedInput(150);
    h.feedInput(120);
    await new Promise((r) => setTimeout(r, 5));
    h.feedInput(N + 5);
    expect(bits(await p)).toEqual(bits(want));
    // Failed before all rows came: the job rejects, and a later fed call is accepted again.
    const q = h.predictAsync(x, N, 100, true);
    h.feedInput(300);
    h.feedFail();
    await expect(q).rejects.toThrow(code('SIMDNET_ABORTED'));
    // No rows for a second: the job gives up by itself (input-feed.h kStall).
    const s = h.predictAsync(x, N, 100, true);
    h.feedInput(100);
    await expect(s).rejects.toThrow(/input stalled/);
    expect(() => h.predictAsync(mulberryArray(N * IN, 8), N, 100, true)).toThrow(code('SIMDNET_INVALID_ARGUMENT'));
    const r = h.predictAsync(x, N, 100, true);
    h.feedInput(N);
    expect(bits(await r)).toEqual(bits(want));
    h.dispose();
    native!.releaseF32(x);
  });

  it('a Worker terminated while its job waits for input does not hang', async () => {
    const addon = join(repoRoot, 'dist', 'native.js');
    const w = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       import(workerData.addon).then(({ native }) => {
         const h = new native.Engine(workerData.plan);
         const x = native.allocF32(workerData.n * workerData.in);
         h.predictAsync(x, workerData.n, 10, true).catch(() => {});
         h.feedInput(20); // two batches, then nothing more
         setTimeout(() => parentPort.postMessage('waiting'), 50);
       });`,
      { eval: true, workerData: { addon, plan: plan(), n: N, in: IN } },
    );
    await new Promise((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
    const t0 = performance.now();
    await w.terminate();
    expect(performance.now() - t0).toBeLessThan(5_000);
  }, 30_000);
});
