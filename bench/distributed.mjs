// Data-parallel training benchmark (issue 16, docs/distributed.md): `npm run build:ts && node bench/distributed.mjs
// [--quick]`. Needs Open MPI (mpirun, libmpi.so.40). Prints:
//   (a) the bench MLP 784-128(relu)-64(relu)-10(softmax), categorical CE, Adam 1e-3, global batch 128, through
//       model.fit: 1 rank x 2 threads (batch 128) against 2 ranks x 1 thread (`mpirun -np 2`, batch 64 per rank),
//       and 1 rank x 1 thread (batch 128) for the scaling efficiency; median of several runs, with spread;
//   (b) the all-reduce per step of (a) (time inside group.allreduce, measured on rank 0, where the step calls it: the
//       native engine's one-job step does the all-reduce inside the job) and MPI_Allreduce time and
//       bus bandwidth, 2 (N - 1) / N * bytes / time, over buffer sizes on this machine (TCP over loopback);
//   (c) a cost model: one step of a global batch B on P machines costs compute(B / P) + allreduce(S, P), with
//       compute(b) = c0 + c1 b fitted to measured 1-thread step times and a ring all-reduce of S gradient bytes,
//       2 (P - 1) / P * S / bandwidth + 2 (P - 1) * latency; printed: the speed-up over one machine for this model
//       and a 10x wider one (784-1280-640-10) at network speeds 1, 10, 25 and 100 Gb/s.
// Each launch runs under `timeout`; loopback TCP only (the same environment as test/distributed).
// Every figure on a shared 2-core machine is noisy: the load average is printed before and after.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Sequential, Dense, optimizers, setThreads, distributed } from '../dist/index.js';
import { loadTrainingData } from './train/data.mjs';

const self = fileURLToPath(import.meta.url);
const root = join(dirname(self), '..');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const spread = (xs) => `${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)}`;

function mlp(widths, seed = 1) {
  const layers = [];
  for (let i = 1; i < widths.length; i++) {
    const last = i === widths.length - 1;
    layers.push(new Dense({ units: widths[i], activation: last ? 'softmax' : 'relu', ...(i === 1 ? { inputShape: [widths[0]] } : {}) }));
  }
  const m = new Sequential(layers);
  m.compile({ optimizer: optimizers.adam({ learningRate: 1e-3 }), loss: 'categoricalCrossentropy', backend: 'native', seed });
  return m;
}
const paramCount = (w) => w.slice(1).reduce((s, u, i) => s + w[i] * u + u, 0);

// ------------------------------------------------------------------------------------------------- workers
async function workerFit(o) {
  setThreads(o.threads);
  const g = o.distributed ? await distributed.init() : null;
  const { x, y } = loadTrainingData(o.samples);
  const m = mlp([784, 128, 64, 10]);
  let arMs = 0, arCalls = 0;
  if (g) {
    const inner = g.allreduce.bind(g);
    g.allreduce = async (data, opts) => {
      const t = performance.now();
      const r = await inner(data, opts);
      arMs += performance.now() - t;
      arCalls++;
      return r;
    };
  }
  await m.fit(x.subarray(0, o.batch * 4 * 784 * (g ? g.size : 1)), y.subarray(0, o.batch * 4 * 10 * (g ? g.size : 1)),
    { epochs: 1, batchSize: o.batch, verbose: 0, distributed: g ?? undefined }); // warm-up
  arMs = 0; arCalls = 0;
  if (g) await g.barrier();
  const t0 = performance.now();
  await m.fit(x, y, { epochs: 1, batchSize: o.batch, verbose: 0, seed: 3, distributed: g ?? undefined });
  const s = (performance.now() - t0) / 1000;
  if (!g || g.isRoot) console.log(JSON.stringify({ samplesPerS: o.samples / s, seconds: s, arMsPerStep: arCalls ? arMs / arCalls : 0, steps: arCalls }));
}

async function workerAllreduce(o) {
  setThreads(1);
  const g = await distributed.init();
  const rows = [];
  for (const n of o.sizes) {
    const buf = new Float32Array(n).fill(1);
    for (let i = 0; i < 3; i++) await g.allreduce(buf);
    const reps = Math.max(5, Math.min(200, Math.floor(2e7 / n)));
    const times = [];
    for (let r = 0; r < 3; r++) {
      await g.barrier();
      const t = performance.now();
      for (let i = 0; i < reps; i++) await g.allreduce(buf);
      times.push((performance.now() - t) / reps);
    }
    const ms = median(times);
    rows.push({ floats: n, ms, busGBps: (2 * (g.size - 1) / g.size) * n * 4 / (ms / 1000) / 1e9 });
  }
  if (g.isRoot) console.log(JSON.stringify(rows));
}

async function workerSteps(o) {
  // ms per fit step at each batch size, 1 thread (compute(b) of the cost model)
  setThreads(1);
  const { x, y } = loadTrainingData(o.steps * Math.max(...o.batches));
  const out = [];
  for (const b of o.batches) {
    const m = mlp(o.widths);
    const n = b * o.steps;
    await m.fit(x.subarray(0, b * 3 * 784), y.subarray(0, b * 3 * 10), { epochs: 1, batchSize: b, verbose: 0 });
    const ts = [];
    for (let r = 0; r < 3; r++) {
      const t = performance.now();
      await m.fit(x.subarray(0, n * 784), y.subarray(0, n * 10), { epochs: 1, batchSize: b, verbose: 0 });
      ts.push((performance.now() - t) / o.steps);
    }
    out.push({ batch: b, ms: median(ts) });
  }
  console.log(JSON.stringify(out));
}

// ------------------------------------------------------------------------------------------------- driver
const mpiEnv = {
  // TCP over loopback as in test/distributed unless the caller picks a transport (OMPI_MCA_btl=self,vader: shared memory)
  OMPI_MCA_btl_tcp_if_include: 'lo', OMPI_MCA_plm: 'isolated', ...process.env, OMPI_MCA_btl: process.env.OMPI_MCA_btl ?? 'self,tcp',
  OMPI_ALLOW_RUN_AS_ROOT: '1', OMPI_ALLOW_RUN_AS_ROOT_CONFIRM: '1', SIMDNET_REQUIRE_NATIVE: '1',
};
function launch(np, worker, opts) {
  const args = [self, `--worker=${worker}`, JSON.stringify(opts)];
  const cmd = np ? ['timeout', ['600', 'mpirun', '--oversubscribe', '--bind-to', 'none', '-np', String(np), process.execPath, ...args]]
    : ['timeout', ['600', process.execPath, ...args]];
  const env = { ...mpiEnv };
  if (!np) for (const k of Object.keys(env)) if (k.startsWith('OMPI_')) delete env[k];
  const r = spawnSync(cmd[0], cmd[1], { env, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${worker} (np ${np}) failed with ${r.status}:\n${r.stderr}`);
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{') || l.startsWith('[')).pop();
  return JSON.parse(line);
}

function cpuModel() {
  const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
  return m ? m[1].trim() : os.cpus()[0]?.model ?? 'unknown';
}

async function driver(quick) {
  if (spawnSync('mpirun', ['--version']).status !== 0) {
    console.log('bench/distributed: mpirun not found (apt-get install openmpi-bin); nothing to measure');
    return;
  }
  const load0 = os.loadavg().map((v) => v.toFixed(2));
  console.log(`# Distributed training bench -- ${cpuModel()}, ${os.cpus().length} cores, Node ${process.version}, load ${load0.join(' ')}`);
  const data = loadTrainingData(1);
  console.log(`# data: ${data.source}; Open MPI btl ${mpiEnv.OMPI_MCA_btl} (loopback)`);
  const samples = quick ? 3840 : 15360;
  const runs = quick ? 1 : 3;

  // (a) throughput
  const res = { two: [], one2: [], one1: [], ar: [] };
  for (let r = 0; r < runs; r++) {
    const d = launch(2, 'fit', { threads: 1, batch: 64, samples, distributed: true });
    res.two.push(d.samplesPerS);
    if (d.steps > 0) res.ar.push(d.arMsPerStep);
    res.one2.push(launch(0, 'fit', { threads: 2, batch: 128, samples }).samplesPerS);
    res.one1.push(launch(0, 'fit', { threads: 1, batch: 128, samples }).samplesPerS);
  }
  const two = median(res.two), one2 = median(res.one2), one1 = median(res.one1), ar = res.ar.length ? median(res.ar) : null;
  const stepMs2 = 128 / two * 1000;
  console.log(`\n(a) 784-128-64-10 Adam, global batch 128, ${samples} samples, median of ${runs} (spread)`);
  console.log(`  1 rank  x 2 threads, batch 128          ${one2.toFixed(0).padStart(7)} samples/s  (${spread(res.one2)})`);
  console.log(`  2 ranks x 1 thread,  batch 64 per rank  ${two.toFixed(0).padStart(7)} samples/s  (${spread(res.two)})  = ${(two / one2).toFixed(2)}x the 2-thread process`);
  console.log(`  1 rank  x 1 thread,  batch 128          ${one1.toFixed(0).padStart(7)} samples/s  (${spread(res.one1)})`);
  console.log(`  scaling efficiency of 2 ranks: ${(two / (2 * one1) * 100).toFixed(0)}% of 2x one 1-thread rank`);
  const kib = (paramCount([784, 128, 64, 10]) * 4 / 1024).toFixed(0);
  // With the native engine each step is one job that runs the all-reduce itself (lib/distributed/train.ts), so
  // group.allreduce is not called and the time is not measured on its own: (b) gives MPI_Allreduce of that size.
  if (ar === null) console.log(`  all-reduce per step (${kib} KiB of gradients + logs): inside the native step job, not timed on its own (see (b) at 430 KiB); step ${stepMs2.toFixed(2)} ms`);
  else console.log(`  all-reduce per step (rank 0, ${kib} KiB of gradients + logs): ${ar.toFixed(3)} ms of a ${stepMs2.toFixed(2)} ms step (${(ar / stepMs2 * 100).toFixed(0)}%; includes waiting for the slower rank)`);

  // (b) all-reduce bandwidth
  const sizes = quick ? [1024, 65536, 1 << 20] : [256, 4096, 65536, 110000, 1 << 20, 1830000, 1 << 22];
  const rows = launch(2, 'allreduce', { sizes });
  console.log('\n(b) MPI_Allreduce (sum, float32, in place) between 2 ranks on this machine, median of 3');
  for (const r of rows) console.log(`  ${String(r.floats).padStart(8)} floats  ${(r.floats * 4 / 1024).toFixed(0).padStart(6)} KiB  ${r.ms.toFixed(3).padStart(8)} ms  ${r.busGBps.toFixed(2).padStart(6)} GB/s bus`);
  const lat = rows[0].ms / 2; // ms per ring hop at tiny sizes (2 (P - 1) hops for P = 2)
  const bw = Math.max(...rows.map((r) => r.busGBps));
  console.log(`  latency ~${(lat * 1000).toFixed(0)} us per hop, peak bus bandwidth ${bw.toFixed(2)} GB/s (loopback: memory copies, not a network)`);

  // (c) cost model
  const models = [{ name: '784-128-64-10', widths: [784, 128, 64, 10] }, { name: '784-1280-640-10 (10x wider)', widths: [784, 1280, 640, 10] }];
  console.log('\n(c) cost model: speed-up of P machines (1 thread each, as measured here) over one, global batch 128 and 1024');
  console.log('    step(P) = compute(B / P) + 2 (P - 1) / P * S / net + 2 (P - 1) * 50 us;  compute(b) = c0 + c1 b fitted at 1 thread');
  for (const md of models) {
    const pts = launch(0, 'steps', { widths: md.widths, batches: [16, 64, 256], steps: quick ? 5 : md.widths[1] > 500 ? 8 : 30 });
    // least squares line through (b, ms)
    const n = pts.length, sb = pts.reduce((s, p) => s + p.batch, 0), sm = pts.reduce((s, p) => s + p.ms, 0);
    const sbb = pts.reduce((s, p) => s + p.batch * p.batch, 0), sbm = pts.reduce((s, p) => s + p.batch * p.ms, 0);
    let c1 = (n * sbm - sb * sm) / (n * sbb - sb * sb), c0 = (sm - c1 * sb) / n;
    if (c0 < 0) {
      // noise made the intercept negative: a line through the origin instead (no fixed cost)
      c0 = 0;
      c1 = sbm / sbb;
    }
    const S = paramCount(md.widths) * 4;
    console.log(`  ${md.name}: ${(S / 1e6).toFixed(2)} MB of gradients; compute(b) = ${c0.toFixed(3)} + ${(c1 * 1000).toFixed(2)} us x b ms  (measured ${pts.map((p) => `b${p.batch} ${p.ms.toFixed(2)} ms`).join(', ')})`);
    for (const B of [128, 1024]) {
      const header = ['   P:', ...[2, 4, 8, 16, 32].map((p) => String(p).padStart(6))].join('');
      console.log(`   global batch ${B}${' '.repeat(Math.max(0, 8 - String(B).length))}${header}`);
      for (const gbps of [1, 10, 25, 100]) {
        const net = gbps * 1e9 / 8; // bytes/s
        const one = c0 + c1 * B;
        const cells = [2, 4, 8, 16, 32].map((P) => {
          const t = c0 + c1 * (B / P) + (2 * (P - 1) / P) * S / net * 1000 + 2 * (P - 1) * 0.05;
          return (one / t).toFixed(2).padStart(6);
        });
        console.log(`     ${String(gbps).padStart(3)} Gb/s          ${cells.join('')}`);
      }
    }
  }
  console.log('\n  Reading: a cell > 1 means P machines finish a global step faster than one. The fixed cost c0 per step and the');
  console.log('  all-reduce do not shrink with P, so small models at small global batches do not pay; see docs/distributed.md.');
  console.log(`# load after: ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`);
}

const w = process.argv.find((a) => a.startsWith('--worker='));
if (w) {
  const o = JSON.parse(process.argv[process.argv.indexOf(w) + 1]);
  const kind = w.slice(9);
  await (kind === 'fit' ? workerFit(o) : kind === 'allreduce' ? workerAllreduce(o) : workerSteps(o));
} else {
  const bad = process.argv.slice(2).filter((a) => a !== '--quick');
  if (bad.length) {
    console.error(`usage: node bench/distributed.mjs [--quick]  (unknown: ${bad.join(' ')})`);
    process.exit(2);
  }
  await driver(process.argv.includes('--quick'));
}
