// One Adam step over the benchmark MLP's 218,784 floats with 2.5% subnormal moments, with flush-to-zero (FTZ+DAZ,
// the default) and with IEEE subnormals (setFlushSubnormals(false)), on every available ISA: microseconds per step,
// median of many, with the 10th-90th percentile spread. The case from issue 10: after a few epochs of Adam the
// moments of weights whose gradient is exactly 0 (dead ReLU inputs, zero pixels) decay into the subnormal range.
// Build first: `npx tsc -p tsconfig.json` (imports dist/). Run: node bench/kernels/subnormal.mjs [--quick]
import { native, setFlushSubnormals } from '../../dist/native.js';
import { benchArgs } from '../cli-args.mjs';

const { quick } = benchArgs('node bench/kernels/subnormal.mjs [--quick]');
if (!native) {
  console.error('subnormal.mjs: the native addon is not loaded');
  process.exit(1);
}

const n = 218_784; // 784*128+128 + 128*64+64 + 64*10+10
const fraction = 0.025;
const samples = quick ? 20 : 400;

// Deterministic data (mulberry32): normal gradients and moments, and every 40th element (2.5%) a weight whose
// gradient is 0 and whose moments are subnormal (m ~ 1e-39, v ~ 1e-41).
function mulberry(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry(42);
const w0 = new Float32Array(n), g = new Float32Array(n), m0 = new Float32Array(n), v0 = new Float32Array(n);
let subnormals = 0;
for (let i = 0; i < n; i++) {
  w0[i] = (rand() - 0.5) * 0.1;
  if (i % Math.round(1 / fraction) === 0) {
    g[i] = 0;
    m0[i] = (rand() + 0.5) * 1e-39;
    v0[i] = (rand() + 0.5) * 1e-41;
    subnormals += 2;
  } else {
    g[i] = (rand() - 0.5) * 1e-2;
    m0[i] = (rand() - 0.5) * 1e-3;
    v0[i] = rand() * 1e-6 + 1e-8;
  }
}
const w = new Float32Array(n), m = new Float32Array(n), v = new Float32Array(n);
// Step 1000 of Adam 1e-3: bias corrections as the engine passes them.
const beta1 = 0.9, beta2 = 0.999, t = 1000;
const bc1 = 1 - beta1 ** t, bc2 = 1 - beta2 ** t;

/** Microseconds of one step, per sample: the state is reset (untimed) before each, so every step sees the same
 *  subnormals (a step decays them; repeated steps would drain them to 0). */
function measure() {
  const us = [];
  for (let s = 0; s < samples + 5; s++) {
    w.set(w0);
    m.set(m0);
    v.set(v0);
    const t0 = process.hrtime.bigint();
    native.adam(n, 1e-3, beta1, beta2, 1e-8, 0, bc1, bc2, false, false, w, g, m, v, null);
    const dt = Number(process.hrtime.bigint() - t0) / 1e3;
    if (s >= 5) us.push(dt); // the first few warm caches and the branch predictor
  }
  us.sort((a, b) => a - b);
  const q = (p) => us[Math.min(us.length - 1, Math.floor(p * us.length))];
  return { median: q(0.5), p10: q(0.1), p90: q(0.9) };
}

const startIsa = native.isa(), startThreads = native.getThreads();
native.setThreads(1);
console.log(`Adam step, n = ${n}, ${subnormals} subnormal moment floats (${((100 * subnormals) / (2 * n)).toFixed(2)}% of m and v), ` +
  `1 thread, ${samples} samples each; us per step: median [p10, p90]`);
const fmt = (r) => `${r.median.toFixed(0).padStart(6)} us [${r.p10.toFixed(0)}, ${r.p90.toFixed(0)}]`;
try {
  for (const isa of native.availableIsas()) {
    native.setIsa(isa);
    // Interleave the modes in rounds so drift in machine load hits both alike.
    const rounds = quick ? 1 : 3, res = { flush: [], ieee: [] };
    for (let r = 0; r < rounds; r++)
      for (const mode of ['flush', 'ieee']) {
        setFlushSubnormals(mode === 'flush');
        res[mode].push(measure());
      }
    const med = (list) => [...list].sort((a, b) => a.median - b.median)[Math.floor(list.length / 2)];
    const f = med(res.flush), i = med(res.ieee);
    console.log(`${isa.padEnd(7)} ftz+daz ${fmt(f)}   ieee ${fmt(i)}   ieee/ftz ${(i.median / f.median).toFixed(2)}x` +
      (rounds > 1 ? `   (round medians ftz: ${res.flush.map((x) => x.median.toFixed(0)).join(', ')}; ieee: ${res.ieee.map((x) => x.median.toFixed(0)).join(', ')})` : ''));
  }
} finally {
  setFlushSubnormals(true);
  native.setIsa(startIsa);
  native.setThreads(startThreads);
}
