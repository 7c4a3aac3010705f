// GEMM from Node: GFLOP/s (2mnk / time) of the native kernel on 1 and 2 threads and of the pure-TS twin, with the %
// of this CPU's FMA peak measured in the same run (fmaPeak). Square sizes 64..2048 and the MLP products
// (784-128-64-10, batch 128): forward X.W, weight gradient X^T.dY, input gradient dY.W^T. Shapes are (M,K,N).
// Each figure is the best of several batches (other processes share the cores; best-of filters their bursts).
// The twin is time-bounded: shapes above TWIN_MAX_FLOP are skipped (2048^3 would take ~25 s per call).
// Usage: node bench/kernels/gemm.mjs [--quick]   (after `npx tsc -p tsconfig.json`, which writes dist/)
import Table from 'cli-table3';
import { native } from '../../dist/native.js';
import * as nat from '../../dist/kernels/native/gemm.js';
import * as ref from '../../dist/kernels/reference/gemm.js';

const TWIN_MAX_FLOP = 3e9;

function shapes(quick) {
  if (quick) {
    return [
      { name: '16^3', M: 16, K: 16, N: 16 },
      { name: '64^3', M: 64, K: 64, N: 64 },
      { name: '(128,64,10) X.W', M: 128, K: 64, N: 10 },
    ];
  }
  const sq = [64, 128, 256, 512, 1024, 2048].map((s) => ({ name: `${s}^3`, M: s, K: s, N: s }));
  return [
    ...sq,
    { name: '(128,784,128) X.W', M: 128, K: 784, N: 128 },
    { name: '(128,128,64) X.W', M: 128, K: 128, N: 64 },
    { name: '(128,64,10) X.W', M: 128, K: 64, N: 10 },
    { name: '(784,128,128) X^T.dY', M: 784, K: 128, N: 128, transA: true },
    { name: '(128,128,64) X^T.dY', M: 128, K: 128, N: 64, transA: true },
    { name: '(64,128,10) X^T.dY', M: 64, K: 128, N: 10, transA: true },
    { name: '(128,64,128) dY.W^T', M: 128, K: 64, N: 128, transB: true },
    { name: '(128,10,64) dY.W^T', M: 128, K: 10, N: 64, transB: true },
  ];
}

function makeArgs({ M, K, N, transA = false, transB = false }) {
  const a = new Float32Array(M * K), b = new Float32Array(K * N), c = new Float32Array(M * N);
  for (let i = 0; i < a.length; i++) a[i] = ((i % 13) - 6) * 0.01;
  for (let i = 0; i < b.length; i++) b[i] = ((i % 7) - 3) * 0.02;
  return { transA, transB, m: M, n: N, k: K, a, b, c };
}

/** Best GFLOP/s over batches of about budgetMs/5 each, for about budgetMs in total (at least one call). */
function measure(fn, flop, budgetMs) {
  fn(); // warm-up (JIT, workspaces, pool threads)
  let t0 = performance.now();
  fn();
  const one = Math.max(1e-4, performance.now() - t0);
  const iters = Math.max(1, Math.floor(budgetMs / 5 / one));
  const end = performance.now() + budgetMs;
  let best = 0;
  let batches = 0;
  do {
    t0 = performance.now();
    for (let i = 0; i < iters; i++) fn();
    const dt = (performance.now() - t0) / 1e3;
    best = Math.max(best, (flop * iters) / dt / 1e9);
    batches++;
  } while ((performance.now() < end || batches < 3) && batches < 50);
  return best;
}

export async function run({ quick = false } = {}) {
  if (!native) {
    console.log('gemm bench: the native addon is not loaded; nothing to compare (build it with `npm run build`).');
    return { isa: 'js', rows: [] };
  }
  const budget = quick ? 30 : 400;
  const isa = native.isa();
  const defaultThreads = native.getThreads();
  const peak1 = nat.fmaPeak(quick ? 50 : 300, 1);
  const peak2 = nat.fmaPeak(quick ? 50 : 300, 2);
  console.log(`GEMM (float32, row-major) on ISA ${isa}; pool threads ${defaultThreads}; measured FMA peak ` +
    `${peak1.toFixed(1)} GFLOP/s on 1 thread, ${peak2.toFixed(1)} on 2 threads. Best of batches; shared machine: noisy.`);
  const table = new Table({
    head: ['shape (M,K,N)', 'native 1t GFLOP/s', '% peak 1t', 'native 2t GFLOP/s', '% peak 2t', 'TS twin GFLOP/s', 'native 1t / twin'],
  });
  const rows = [];
  for (const s of shapes(quick)) {
    const args = makeArgs(s);
    const flop = 2 * s.M * s.N * s.K;
    const n1 = measure(() => nat.gemmThreads(args, 1), flop, budget);
    const n2 = measure(() => nat.gemmThreads(args, 2), flop, budget);
    const twin = flop <= TWIN_MAX_FLOP ? measure(() => ref.gemm(args), flop, budget) : null;
    const row = {
      shape: s.name, M: s.M, K: s.K, N: s.N, transA: !!s.transA, transB: !!s.transB, isa,
      native1: n1, native2: n2, twin, peak1, peak2, pctPeak1: (100 * n1) / peak1, pctPeak2: (100 * n2) / peak2,
    };
    rows.push(row);
    table.push([
      s.name, n1.toFixed(1), `${row.pctPeak1.toFixed(0)}%`, n2.toFixed(1), `${row.pctPeak2.toFixed(0)}%`,
      twin === null ? `skipped (> ${TWIN_MAX_FLOP / 1e9} GFLOP per call)` : twin.toFixed(2),
      twin === null ? '-' : `${(n1 / twin).toFixed(0)}x`,
    ]);
  }
  console.log(table.toString());
  return { isa, threads: defaultThreads, peak1, peak2, rows };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await run({ quick: process.argv.includes('--quick') });
}
