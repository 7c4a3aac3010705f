// Throughput of the optimizer-family kernels: every optimizer step (SGD, momentum, Nesterov, AdaGrad, RMSProp plain
// and centered with momentum, Adam, AMSGrad), the L1/L2 penalty gradient and value, clipping by value, the scaling
// that clipping by global norm applies, dropout forward and batch-norm forward (training), native on every available
// ISA vs the pure-TS twin. GB/s counts the bytes each op must move at least once: 4 per float read plus 4 per float
// written (Adam: read w g m v, write w m v = 28 per element; dropout 9 bytes: x, y, mask; batch norm 8: x in, y out --
// its statistics passes re-read x from cache). Build first: `npx tsc -p tsconfig.json`.
// Usage: node bench/kernels/optim.mjs [--quick]     or     import { run } and await run({ quick })
import Table from 'cli-table3';
import { pathToFileURL } from 'node:url';
import { native } from '../../dist/native.js';
import * as natOptim from '../../dist/kernels/native/optim.js';
import * as refOptim from '../../dist/kernels/reference/optim.js';
import * as natDropout from '../../dist/kernels/native/dropout.js';
import * as refDropout from '../../dist/kernels/reference/dropout.js';
import * as natBn from '../../dist/kernels/native/batchnorm.js';
import * as refBn from '../../dist/kernels/reference/batchnorm.js';
import { benchArgs } from '../cli-args.mjs';

function randomArray(n, seed, lo = -1, hi = 1) {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out[i] = lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  }
  return out;
}

/** Median time per call (ms) over `reps` timed batches, each long enough to be measurable. */
function timeIt(fn, budgetMs) {
  fn(); // warm-up (JIT, page faults)
  let calls = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) fn();
    const dt = performance.now() - t0;
    if (dt > budgetMs / 10 || calls > 1 << 20) break;
    calls *= 2;
  }
  const samples = [];
  for (let r = 0; r < 7; r++) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) fn();
    samples.push((performance.now() - t0) / calls);
  }
  samples.sort((x, y) => x - y);
  return samples[3];
}

function cases(n, rows) {
  const cols = n / rows;
  const w = randomArray(n, 1), g = randomArray(n, 2, -0.1, 0.1);
  const m = new Float32Array(n), v = new Float32Array(n), buf = new Float32Array(n), vmax = new Float32Array(n);
  const avg = new Float32Array(n);
  const x = randomArray(n, 3), y = new Float32Array(n), mask = new Uint8Array(n);
  const sm = new Float32Array(cols), si = new Float32Array(cols), rm = new Float32Array(cols), rv = new Float32Array(cols).fill(1);
  const gamma = new Float32Array(cols).fill(1), beta = new Float32Array(cols);
  const adamArgs = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, bc1: 0.1, bc2: 0.001, amsgrad: false, decoupled: false };
  const amsArgs = { ...adamArgs, amsgrad: true };
  return [
    { op: 'sgd', bytes: 12 * n, run: (k) => k.optim.sgd(n, 1e-3, 0, w, g) },
    { op: 'sgd-momentum', bytes: 20 * n, run: (k) => k.optim.momentum(n, 1e-3, 0.9, 0, 0, false, false, w, g, buf) },
    { op: 'nesterov', bytes: 20 * n, run: (k) => k.optim.momentum(n, 1e-3, 0.9, 0, 0, true, false, w, g, buf) },
    { op: 'adagrad', bytes: 20 * n, run: (k) => k.optim.adagrad(n, 1e-3, 1e-10, 0, w, g, v) },
    { op: 'rmsprop', bytes: 20 * n, run: (k) => k.optim.rmsprop(n, 1e-3, 0.9, 1e-8, 0, 0, false, w, g, v, null, null) },
    {
      op: 'rmsprop centered+momentum', bytes: 36 * n,
      run: (k) => k.optim.rmsprop(n, 1e-3, 0.9, 1e-8, 0, 0.9, true, w, g, v, avg, buf),
    },
    { op: 'adam', bytes: 28 * n, run: (k) => k.optim.adam(n, adamArgs, w, g, m, v, null) },
    { op: 'adam amsgrad', bytes: 36 * n, run: (k) => k.optim.adam(n, amsArgs, w, g, m, v, vmax) },
    { op: 'L1+L2 penalty gradient', bytes: 12 * n, run: (k) => k.optim.addPenaltyGrad(n, 1e-5, 1e-4, w, g) },
    { op: 'L1+L2 penalty value', bytes: 4 * n, run: (k) => k.optim.penaltyValue(n, 1e-5, 1e-4, w) },
    { op: 'clip by value', bytes: 8 * n, run: (k) => k.optim.clipValue(n, 0.05, g) },
    { op: 'scale (clip by norm)', bytes: 8 * n, run: (k) => k.optim.scaleInplace(n, 0.999, g) },
    { op: 'dropout forward', bytes: 9 * n, run: (k) => k.dropout.dropoutForward(n, 0.5, 42, 7, 0, x, y, mask) },
    {
      op: `batchnorm forward (${rows}x${cols})`, bytes: 8 * n,
      run: (k) => k.bn.batchNormForwardTrain(rows, cols, 0.99, 1e-3, x, gamma, beta, rm, rv, sm, si, y),
    },
  ];
}

export async function run({ quick = false } = {}) {
  const n = quick ? 1 << 16 : 1 << 20;
  const rowsBn = quick ? 64 : 256; // batch x features for batch norm: n elements in all
  const budget = quick ? 40 : 250;
  const impls = [];
  if (native) {
    const start = native.isa();
    for (const isa of native.availableIsas())
      impls.push({ name: 'native', isa, k: { optim: natOptim, dropout: natDropout, bn: natBn }, set: () => native.setIsa(isa), reset: () => native.setIsa(start) });
  }
  impls.push({ name: 'ts twin', isa: 'js', k: { optim: refOptim, dropout: refDropout, bn: refBn }, set: () => {}, reset: () => {} });
  const rows = [];
  for (const c of cases(n, rowsBn)) {
    for (const impl of impls) {
      impl.set();
      const ms = timeIt(() => c.run(impl.k), budget);
      impl.reset();
      rows.push({ op: c.op, impl: impl.name, isa: impl.isa, n, threads: 1, ms, gbps: c.bytes / (ms * 1e6) });
    }
  }
  const table = new Table({ head: ['op', 'impl', 'isa', 'elements', 'ms/call', 'GB/s', 'x TS'] });
  for (const r of rows) {
    const ts = rows.find((q) => q.op === r.op && q.isa === 'js');
    table.push([r.op, r.impl, r.isa, r.n, r.ms.toFixed(4), r.gbps.toFixed(2), (ts.ms / r.ms).toFixed(1)]);
  }
  console.log(`optim kernels (1 thread; active ISA at load: ${native ? native.isa() : 'none: addon not loaded'})`);
  console.log(table.toString());
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run(benchArgs('node bench/kernels/optim.mjs [--quick]'));
