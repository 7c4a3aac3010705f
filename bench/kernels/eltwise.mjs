// Element-wise kernels: native on every available ISA vs the pure-TS twin, GB/s (bytes read + written per call /
// time).
// Build first: `npx tsc -p tsconfig.json` (imports dist/). Run: node bench/kernels/eltwise.mjs [--quick]
import Table from 'cli-table3';
import { native } from '../../dist/native.js';
import * as natA from '../../dist/kernels/native/activations.js';
import * as refA from '../../dist/kernels/reference/activations.js';
import * as natS from '../../dist/kernels/native/softmax.js';
import * as refS from '../../dist/kernels/reference/softmax.js';
import * as natL from '../../dist/kernels/native/losses.js';
import * as refL from '../../dist/kernels/reference/losses.js';
import * as natT from '../../dist/kernels/native/tfjs-eltwise.js';
import * as natR from '../../dist/kernels/native/reduce.js';
import * as refR from '../../dist/kernels/reference/reduce.js';
import * as refT from '../../dist/kernels/reference/tfjs-eltwise.js';
import { benchArgs } from '../cli-args.mjs';

function timeIt(fn, budgetMs) {
  fn(); // warm up
  let reps = 1, best = Infinity;
  const end = performance.now() + budgetMs;
  while (performance.now() < end) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    const dt = (performance.now() - t0) / reps;
    if (dt < best) best = dt;
    if (dt * reps < 5) reps *= 2;
  }
  return best / 1e3; // seconds per call
}

export async function run({ quick = false } = {}) {
  const sizes = quick ? [256] : [4096, 1 << 20];
  const budget = quick ? 5 : 200;
  const isas = native ? native.availableIsas() : [];
  const start = native ? native.isa() : 'none';
  const rows = [];
  for (const n of sizes) {
    const x = new Float32Array(n).map((_, i) => ((i * 37) % 2001) / 100 - 10);
    const y = new Float32Array(n), dy = new Float32Array(n).fill(0.5), dx = new Float32Array(n);
    const t = new Float32Array(n).map((_, i) => (i % 10 === 0 ? 1 : 0));
    const cols = 128, m = Math.max(1, Math.floor(n / cols)), k = m * cols;
    const ops = [];
    for (const kind of ['sigmoid', 'tanh', 'relu', 'leakyRelu']) {
      ops.push([`${kind} fwd`, 8 * n, (L) => L.activationForward(kind, 0.1, n, x, y), natA, refA]);
      ops.push([`${kind} bwd`, 12 * n, (L) => L.activationBackward(kind, 0.1, n, x, y, dy, dx), natA, refA]);
    }
    ops.push([`softmax fwd (rows of ${cols})`, 8 * k, (L) => L.softmaxForward(m, cols, 1, x, y), natS, refS]);
    ops.push([`softmax bwd (rows of ${cols})`, 12 * k, (L) => L.softmaxBackward(m, cols, 1, y, dy, dx), natS, refS]);
    ops.push([`softmaxCce + grad (rows of ${cols})`, 12 * k, (L) => L.softmaxCce(m, cols, 1, t, x, dx), natL, refL]);
    // The tfjs backend's kernels (lib/tfjs): binary ops same-shape and row-broadcast, unary maps, Max/ArgMax along
    // rows and columns, FusedBatchNorm's affine map, tfjs-semantics Adagrad/RMSProp (twins: reference/tfjs-eltwise.ts).
    const x2 = x.map((v) => v * 0.5 + 1), row = x2.subarray(0, cols), vals = new Float32Array(Math.max(m, cols));
    const idx = new Int32Array(Math.max(m, cols)), z = new Float32Array(n), z2 = new Float32Array(n);
    const { BIN_OP: B, UMAP: U } = refT;
    for (const name of ['add', 'max', 'sqdiff']) {
      ops.push([`tfjs ${name} (same shape)`, 12 * n, (L) => L.elementwiseBinary(B[name], 1, n, x, 0, x2, 0, y), natT, refT]);
    }
    ops.push([`tfjs add (row of ${cols})`, 8 * k, (L) => L.elementwiseBinary(B.add, m, cols, x, 0, row, 1, y), natT, refT]);
    const pos = x2.map(Math.abs);
    for (const name of ['exp', 'log', 'elu', 'relu6']) {
      const input = name === 'log' ? pos : x;
      ops.push([`tfjs ${name}`, 8 * n, (L) => L.unaryMap(U[name], 0, 0, n, input, y), natT, refT]);
    }
    ops.push([`tfjs max+argMax (rows of ${cols})`, 4 * k, (L) => L.argReduce(true, 0, m, cols, x, vals, idx), natT, refT]);
    ops.push([`tfjs max+argMax (axis 0, ${cols} cols)`, 4 * k, (L) => L.argReduce(false, 0, m, cols, x, vals, idx), natT, refT]);
    ops.push([`tfjs batchNorm (${cols} channels)`, 8 * k, (L) => L.affineRows(m, cols, x, row, row, row, y), natT, refT]);
    // fit()'s finite check, alone and fused with its snapshot copy (lib/engine/snapshot.ts).
    ops.push(['firstNonFinite (check)', 4 * n, (L) => L.firstNonFinite(n, x, null), natR, refR]);
    ops.push(['firstNonFinite (check + copy)', 8 * n, (L) => L.firstNonFinite(n, x, z), natR, refR]);
    ops.push(['tfjs adagrad step', 20 * n, (L) => L.tfjsAdagrad(n, 0.01, 1e-7, x, dy, x2, z, z2), natT, refT]);
    ops.push(['tfjs rmsprop step', 28 * n, (L) => L.tfjsRmsprop(n, 0.01, 0.9, 0.1, 0.5, 1e-7, false, x, dy, x2, null, dy, z, z2, null, dx), natT, refT]);
    for (const [op, bytes, call, nat, ref] of ops) {
      const tr = timeIt(() => call(ref), budget);
      for (const isa of isas.length ? isas : ['none']) {
        let tn = NaN;
        if (native) {
          native.setIsa(isa);
          tn = timeIt(() => call(nat), budget);
          native.setIsa(start);
        }
        rows.push({ op, n, isa, nativeGBs: bytes / tn / 1e9, tsGBs: bytes / tr / 1e9, speedup: tr / tn });
      }
    }
  }
  const table = new Table({ head: ['op', 'n', 'isa', 'native GB/s', 'TS twin GB/s', 'speedup'] });
  for (const r of rows)
    table.push([r.op, r.n, r.isa, r.nativeGBs.toFixed(2), r.tsGBs.toFixed(3), `${r.speedup.toFixed(1)}x`]);
  console.log(table.toString());
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) await run(benchArgs('node bench/kernels/eltwise.mjs [--quick]'));
