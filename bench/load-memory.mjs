// Load memory: how much does loadModel raise a process's peak RSS beyond what the loaded model holds?
// `npm run build:ts && node bench/load-memory.mjs [--repeats N] [--keep DIR]`. Prints figures, asserts nothing
// (issue 11: "memory during any load stays within the model's own size plus a small constant"; the asserted bound,
// with generous slack, is test/io/load-memory.test.ts).
//   1. Builds Dense 784-4096(relu)-4096(relu)-10(softmax) with Adam (20.0M parameters), takes one fit step so the
//      optimizer state (m and v per parameter) exists, and saves it (weights.bin 76 MiB, optimizer.bin 153 MiB).
//   2. In a fresh child process per repeat (nothing else allocated before the load), reads RSS, calls loadModel once,
//      and reads the peak RSS the kernel recorded for the process (VmHWM, else resourceUsage().maxRSS, so a buffer
//      that lives between two samples is counted too), plus RSS sampled every 2 ms for the curve's shape.
//   3. Prints growth = peak RSS - RSS before the load against two sizes of the model: the engine's own bytes
//      (model.memoryBytes(): weights, gradients and optimizer state in native memory; the gradients are allocated but
//      not touched until training, so they do not show in RSS yet) and the bytes the save stores (weights.bin +
//      optimizer.bin, all of which the engine must hold). overhead = growth - stored bytes is what the load costs
//      beyond the model itself; per repeat and min/median/max. Also the peak of process.memoryUsage().arrayBuffers
//      (sampled, and read after the load before any forced GC), where a whole-file buffer would show.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { peakRss } from './peak-rss.mjs';

const MiB = 1024 * 1024;
const script = fileURLToPath(import.meta.url);
const signed = (v) => `${v >= 0 ? '+' : ''}${v.toFixed(1)}`;

async function child(dir) {
  const { loadModel } = await import('../dist/index.js');
  const rss0 = process.memoryUsage().rss;
  const before = peakRss();
  const ab0 = process.memoryUsage().arrayBuffers;
  let sampled = rss0;
  let ab = ab0;
  const timer = setInterval(() => {
    const m = process.memoryUsage();
    sampled = Math.max(sampled, m.rss);
    ab = Math.max(ab, m.arrayBuffers);
  }, 2);
  const t0 = performance.now();
  const model = await loadModel(dir);
  const ms = performance.now() - t0;
  clearInterval(timer);
  const peak = peakRss();
  const after = process.memoryUsage().rss;
  ab = Math.max(ab, process.memoryUsage().arrayBuffers);
  process.stdout.write(JSON.stringify({ rss0, before, peak, sampled, after, ms, arrayBuffers: ab - ab0, engine: model.memoryBytes(), params: model.countParams() }) + '\n');
  model.dispose();
}

async function parent() {
  const argv = process.argv.slice(2);
  const repeats = Number(argv[argv.indexOf('--repeats') + 1] || 5) || 5;
  const keep = argv.includes('--keep') ? argv[argv.indexOf('--keep') + 1] : null;
  const { Sequential, Dense, optimizers } = await import('../dist/index.js');
  const dir = keep ?? join(mkdtempSync(join(os.tmpdir(), 'simdnet-loadmem-')), 'model');
  const model = new Sequential({ layers: [
    new Dense({ units: 4096, activation: 'relu', inputShape: [784] }),
    new Dense({ units: 4096, activation: 'relu' }),
    new Dense({ units: 10, activation: 'softmax' }),
  ] });
  model.compile({ optimizer: optimizers.adam({ learningRate: 1e-3 }), loss: 'sparseCategoricalCrossentropy', seed: 1 });
  const n = 32;
  const x = new Float32Array(n * 784).map((_, i) => ((i * 7919) % 255) / 255);
  const y = new Float32Array(n).map((_, i) => i % 10);
  await model.fit(x, y, { epochs: 1, batchSize: n, verbose: 0 });
  await model.save(dir);
  const params = model.countParams();
  model.dispose();
  const version = join(dir, readFileSync(join(dir, 'CURRENT'), 'utf8').trim());
  const stored = statSync(join(version, 'weights.bin')).size + statSync(join(version, 'optimizer.bin')).size;
  console.log(`model: Dense 784-4096-4096-10, Adam after one step, ${(params / 1e6).toFixed(2)}M parameters; saved to ${dir}`);
  console.log(`host: ${os.cpus()[0].model}, ${os.cpus().length} CPUs, node ${process.version}; ${repeats} fresh child processes`);
  const rows = [];
  for (let r = 0; r < repeats; r++) {
    const res = spawnSync(process.execPath, [script, '--child', dir], { encoding: 'utf8' });
    if (res.status !== 0) throw new Error(`child failed (${res.status}): ${res.stderr}`);
    const o = JSON.parse(res.stdout.trim().split('\n').pop());
    const growth = o.peak - o.rss0;
    rows.push({ growth, engine: o.engine, vsEngine: growth - o.engine, overhead: growth - stored, arrayBuffers: o.arrayBuffers, ms: o.ms });
    console.log(`  run ${r + 1}: RSS before ${(o.rss0 / MiB).toFixed(1)} MiB, peak ${(o.peak / MiB).toFixed(1)} MiB ` +
      `(sampled every 2 ms: ${(o.sampled / MiB).toFixed(1)}), after ${(o.after / MiB).toFixed(1)} MiB; growth ${(growth / MiB).toFixed(1)} MiB ` +
      `(engine bytes ${signed((growth - o.engine) / MiB)}, stored bytes ${signed((growth - stored) / MiB)}); ` +
      `arrayBuffers peak +${(o.arrayBuffers / MiB).toFixed(1)} MiB; load ${o.ms.toFixed(0)} ms`);
  }
  const stat = (k) => {
    const v = rows.map((r) => r[k]).sort((a, b) => a - b);
    return `min ${(v[0] / MiB).toFixed(1)}, median ${(v[v.length >> 1] / MiB).toFixed(1)}, max ${(v[v.length - 1] / MiB).toFixed(1)} MiB`;
  };
  console.log(`RSS growth during loadModel: ${stat('growth')}`);
  console.log(`engine bytes (model.memoryBytes()): ${(rows[0].engine / MiB).toFixed(1)} MiB; stored bytes (weights.bin + optimizer.bin): ${(stored / MiB).toFixed(1)} MiB`);
  console.log(`growth - engine bytes: ${stat('vsEngine')}; target <= 32 MiB`);
  console.log(`overhead (growth - stored bytes): ${stat('overhead')}`);
  console.log(`arrayBuffers peak growth: ${stat('arrayBuffers')}`);
  const t = rows.map((r) => r.ms).sort((a, b) => a - b);
  console.log(`load time: min ${t[0].toFixed(0)}, median ${t[t.length >> 1].toFixed(0)}, max ${t[t.length - 1].toFixed(0)} ms`);
  if (!keep) rmSync(dir, { recursive: true, force: true });
}

if (process.argv[2] === '--child') await child(process.argv[3]);
else await parent();
