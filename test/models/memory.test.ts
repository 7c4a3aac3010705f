/**
 * Native memory over many model lifetimes, measured as process RSS (what users see), native backend only:
 *   - control (first, on a fresh heap): models kept alive without dispose() DO raise RSS by about their
 *     memoryBytes(), which shows the measurement sees native memory, so the tests after it can fail;
 *   - create + train (a short fit() and a predict()) + dispose() 1,000 models: memoryBytes() is 0 at once and RSS
 *     stays flat;
 *   - models dropped without dispose(): the N-API finalizer frees them once GC runs, so RSS stays bounded.
 * Each model holds ~170 KB of native memory (a 64-128-10 MLP with Adam: weights, gradients, two moments, batch
 * buffers), so leaking every model would add ~170 MB over 1,000 models, against an allowance of a few MiB.
 *
 * GC runs every 50 models in both loops. Why not keep the disposed engines referenced instead (so only dispose()
 * could free them): glibc then puts the engine's ~150 KB block on the main heap (its mmap threshold rises after the
 * first such block is freed), the small objects of the still-live engine wrappers land in the freed holes, and the
 * heap grows by tens of MiB that are free but cannot go back to the OS -- fragmentation, not a leak, and timing-
 * dependent (measured: 3 to 100 MiB per 1,000 models; flat with MALLOC_MMAP_THRESHOLD_ fixed).
 *
 * GC: vitest runs this file in its own forked process; `gc` is taken from --expose-gc when Node was started with it,
 * else enabled at run time (v8.setFlagsFromString + a fresh vm context, which then has `gc` installed).
 */
import { describe, expect, it } from 'vitest';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Sequential, Dense, optimizers, type Engine } from '../../lib/index.js';
import { BACKENDS } from './backends.js';

const MiB = 1024 * 1024;
/** RSS growth allowed over 1,000 disposed models (allocator slack, JIT code, V8 heap). */
const DISPOSE_ALLOWANCE = 8 * MiB;
/** Allowed when finalizers do the freeing: a GC interval's worth of models (50 x ~170 KB) may be live at a time. */
const FINALIZER_ALLOWANCE = 16 * MiB;
const MODELS = 1000;
const GC_EVERY = 50;

function getGc(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return g;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
const gc = getGc();

/** Full GCs with turns of the event loop between them: Node 20 runs N-API finalizers from a queue after the GC. */
async function settle(): Promise<number> {
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 1));
  }
  return process.memoryUsage.rss();
}

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}
const rand = lcg(42);
const N = 32;
const X = Float32Array.from({ length: N * 64 }, () => rand() - 0.5);
const Y = new Float32Array(N * 10);
for (let i = 0; i < N; i++) Y[i * 10 + (i % 10)] = 1;

/** A compiled 64-128-10 model after two training steps and one inference pass. */
async function trainedModel(seed: number): Promise<Sequential> {
  const model = new Sequential([new Dense({ units: 128, activation: 'relu', inputShape: [64] }), new Dense({ units: 10, activation: 'softmax' })]);
  model.compile({ optimizer: optimizers.adam({ learningRate: 1e-3 }), loss: 'categoricalCrossentropy', backend: 'native', seed });
  await model.fit(X, Y, { epochs: 1, batchSize: 16, verbose: 0, shuffle: false });
  model.predict(X, { batchSize: 16 });
  return model;
}

const mib = (b: number) => `${(b / MiB).toFixed(1)} MiB`;

describe.skipIf(!BACKENDS.includes('native'))('native memory over many models', () => {
  it('control: models kept alive without dispose() raise RSS by about their native bytes', async () => {
    const count = 200;
    for (let i = 0; i < 20; i++) (await trainedModel(i)).dispose(); // warm up: JIT, allocator arenas, thread pool
    const before = await settle();
    const live: Sequential[] = [];
    for (let i = 0; i < count; i++) live.push(await trainedModel(i));
    const bytes = live[0].memoryBytes();
    const during = await settle();
    for (const m of live) m.dispose();
    const after = await settle();
    console.log(`${count} live models: RSS +${mib(during - before)} (native bytes ${mib(bytes * count)}); ` +
      `after dispose +${mib(after - before)}`);
    // Only the growth is asserted: whether freed memory goes back to the OS at once is up to the allocator.
    expect(during - before).toBeGreaterThan(0.5 * bytes * count);
  });

  it(`dispose() frees each model's native memory (${MODELS} models)`, async () => {
    const probe = await trainedModel(0);
    const bytes = probe.memoryBytes();
    probe.dispose();
    // The allowance must be far below what a leak would cost, or this test could not fail.
    expect(bytes * MODELS).toBeGreaterThan(8 * DISPOSE_ALLOWANCE);
    for (let i = 0; i < 100; i++) (await trainedModel(i)).dispose(); // warm up
    const before = await settle();
    for (let i = 0; i < MODELS; i++) {
      const model = await trainedModel(i);
      const engine = model.engine;
      model.dispose();
      expect(engine.disposed).toBe(true);
      expect(engine.memoryBytes()).toBe(0);
      if (i % GC_EVERY === GC_EVERY - 1) await settle();
    }
    const after = await settle();
    console.log(`${MODELS} models created, trained and disposed: RSS ${mib(before)} -> ${mib(after)} ` +
      `(${mib(after - before)}; leaking them would be ~${mib(bytes * MODELS)}, ${bytes} native bytes per model)`);
    expect(after - before).toBeLessThan(DISPOSE_ALLOWANCE);
  });

  it(`the finalizer frees models dropped without dispose() (${MODELS} models)`, async () => {
    const probe = await trainedModel(0);
    const bytes = probe.memoryBytes();
    probe.dispose();
    expect(bytes * MODELS).toBeGreaterThan(8 * FINALIZER_ALLOWANCE);
    for (let i = 0; i < 100; i++) await trainedModel(i); // warm up, dropped
    const before = await settle();
    let peak = before;
    for (let i = 0; i < MODELS; i++) {
      await trainedModel(i); // dropped: nothing references it after this line
      if (i % GC_EVERY === GC_EVERY - 1) peak = Math.max(peak, await settle());
    }
    const after = await settle();
    console.log(`${MODELS} models dropped without dispose(): RSS ${mib(before)} -> ${mib(after)} (${mib(after - before)}, ` +
      `highest after a GC ${mib(peak)}; leaking them would be ~${mib(bytes * MODELS)})`);
    expect(after - before).toBeLessThan(FINALIZER_ALLOWANCE);
    expect(peak - before).toBeLessThan(FINALIZER_ALLOWANCE);
  });
});
