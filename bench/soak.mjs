// Soak: does memory stay flat over a long run? `npm run build:ts && node --expose-gc bench/soak.mjs [--quick]`
// Prints figures, asserts nothing (issue 11: "a soak of 100,000 training steps and 1,000 save/load cycles shows RSS
// flat: print the figures").
//   (1) 100,000 training steps of a 64-128(relu)-10(softmax) MLP through the public model.fit() on the native engine,
//       in fit() calls of 10 epochs x 100 steps (batch 32, shuffled, a validationSplit, so every call takes its input
//       snapshots, runs trainBatches jobs and evaluateAsync, and releases the snapshots again);
//   (2) 1,000 cycles of model.save(dir) + loadModel(dir) + dispose() of the loaded copy (public API only, so the
//       script keeps working whatever save/load do inside).
// RSS, V8's heap (committed) and external memory, and the addon's live allocF32 bytes are sampled after a forced GC (when node runs with
// --expose-gc) at the start, every tenth of each phase and at the end; the growth is end - start. The first
// tenth of phase 1 is a warm-up (allocator pools, JIT), so growth is also given from the first sample after it.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { Sequential, Dense, optimizers, loadModel } from '../dist/index.js';
import { native } from '../dist/native.js';

const quick = process.argv.includes('--quick');
const STEPS = quick ? 10_000 : 100_000;
const CYCLES = quick ? 100 : 1_000;
const MiB = 1024 * 1024;
const IN = 64;
const OUT = 10;
const BATCH = 32;
const STEPS_PER_EPOCH = 100;
const EPOCHS_PER_FIT = 10;

function sample() {
  globalThis.gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss / MiB, heap: m.heapTotal / MiB, used: m.heapUsed / MiB, external: m.external / MiB, native: native?.liveBufferBytes ? native.liveBufferBytes() / MiB : NaN };
}
// V8 heap: heapTotal (what V8 has committed, which it grows by heuristics and rarely returns); used: heapUsed after a
// full GC, the live JS objects, which is where a JS-side leak would show.
const fmt = (s) => `RSS ${s.rss.toFixed(1)} MiB, V8 heap ${s.heap.toFixed(1)} MiB (used ${s.used.toFixed(1)}), external ${s.external.toFixed(1)} MiB, allocF32 live ${s.native.toFixed(2)} MiB`;
const signed = (v, d = 1) => `${v >= 0 ? '+' : ''}${v.toFixed(d)}`;
const growth = (a, b) =>
  `RSS ${signed(b.rss - a.rss)} MiB, V8 heap ${signed(b.heap - a.heap)} MiB (used ${signed(b.used - a.used, 2)}), external ${signed(b.external - a.external)} MiB, ` +
  `allocF32 live ${signed(b.native - a.native, 2)} MiB`;

function makeModel() {
  const m = new Sequential([
    new Dense({ units: 128, activation: 'relu', inputShape: [IN] }),
    new Dense({ units: OUT, activation: 'softmax' }),
  ]);
  m.compile({ optimizer: optimizers.adam({ learningRate: 1e-3 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'], backend: 'native', seed: 1 });
  return m;
}

// Training rows: STEPS_PER_EPOCH batches after a 10% validation split.
const nTrain = STEPS_PER_EPOCH * BATCH;
const n = Math.ceil(nTrain / 0.9);
let seed = 7;
const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
const x = Float32Array.from({ length: n * IN }, () => rand() - 0.5);
const y = new Float32Array(n * OUT);
for (let i = 0; i < n; i++) y[i * OUT + (i % OUT)] = 1;

console.log(`soak: node ${process.version}, ${os.cpus()[0]?.model ?? '?'} x ${os.cpus().length}, ISA ${native?.isa?.() ?? 'none (js)'}, ` +
  `load average ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}${globalThis.gc ? '' : ' (run with --expose-gc for GC-settled samples)'}`);

// ---- (1) training steps
const model = makeModel();
const start1 = sample();
console.log(`\n(1) ${STEPS.toLocaleString('en')} training steps (fit() calls of ${EPOCHS_PER_FIT} epochs x ${STEPS_PER_EPOCH} steps, batch ${BATCH})`);
console.log(`  start:            ${fmt(start1)}`);
let steps = 0;
let afterWarmup = null;
let peak1 = start1.rss;
const t1 = performance.now();
while (steps < STEPS) {
  const h = await model.fit(x, y, { epochs: EPOCHS_PER_FIT, batchSize: BATCH, validationSplit: 0.1, verbose: 0 });
  if (!Number.isFinite(h.history.loss.at(-1))) throw new Error('training diverged');
  steps += EPOCHS_PER_FIT * STEPS_PER_EPOCH;
  if (steps % (STEPS / 10) === 0) {
    const s = sample();
    peak1 = Math.max(peak1, s.rss);
    if (!afterWarmup) afterWarmup = s;
    console.log(`  ${String(steps).padStart(7)} steps:    ${fmt(s)}  (${((performance.now() - t1) / 1e3).toFixed(1)} s)`);
  }
}
const end1 = sample();
console.log(`  end:              ${fmt(end1)}`);
console.log(`  growth start->end:            ${growth(start1, end1)}`);
console.log(`  growth after warm-up->end:    ${growth(afterWarmup, end1)}   (peak RSS ${peak1.toFixed(1)} MiB)`);

// ---- (2) save/load cycles
const dir = mkdtempSync(join(os.tmpdir(), 'simdnet-soak-'));
const path = join(dir, 'model');
try {
  await model.save(path); // warm-up: the first save creates the directory
  const warm = await loadModel(path);
  warm.dispose();
  const start2 = sample();
  console.log(`\n(2) ${CYCLES.toLocaleString('en')} save + loadModel + dispose cycles (${model.countParams?.() ?? '?'} parameters)`);
  console.log(`  start:            ${fmt(start2)}`);
  let peak2 = start2.rss;
  let firstTenth = null;
  const t2 = performance.now();
  for (let c = 1; c <= CYCLES; c++) {
    await model.save(path);
    const m = await loadModel(path);
    m.dispose();
    if (c % (CYCLES / 10) === 0) {
      const s = sample();
      peak2 = Math.max(peak2, s.rss);
      if (!firstTenth) firstTenth = s;
      console.log(`  ${String(c).padStart(7)} cycles:   ${fmt(s)}  (${((performance.now() - t2) / 1e3).toFixed(1)} s)`);
    }
  }
  const end2 = sample();
  console.log(`  end:              ${fmt(end2)}`);
  console.log(`  growth start->end:            ${growth(start2, end2)}`);
  console.log(`  growth first tenth->end:      ${growth(firstTenth, end2)}   (peak RSS ${peak2.toFixed(1)} MiB)`);
} finally {
  model.dispose();
  rmSync(dir, { recursive: true, force: true });
}
console.log(`\nload average after: ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`);
