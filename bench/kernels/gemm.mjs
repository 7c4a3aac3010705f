// GEMM from Node: GFLOP/s (2mnk / time) of the native kernel on 1 and 2 threads and of the pure-TS twin, with the %
// of this CPU's FMA peak measured in the same run (fmaPeak), and OpenBLAS measured in the same run beside them (the
// baseline of /work/shared/BASELINES.md; never quote another day's figure). Square sizes 64..2048 and the MLP
// products (784-128-64-10, batch 128): forward X.W, weight gradient X^T.dY, input gradient dY.W^T. Shapes are (M,K,N).
// Each figure is the best of many short batches (other processes share the cores; best-of filters their bursts).
// The twin is time-bounded: shapes above TWIN_MAX_FLOP are skipped (2048^3 would take ~25 s per call).
// OpenBLAS (openblasFigures of openblas.mjs, shared with the suite): openblas-gemm.py times numpy's
// matmul(a, b, out=c) in Debian's /usr/bin/python3 with Debian's libopenblas0-pthread put first by LD_LIBRARY_PATH,
// once with OPENBLAS_NUM_THREADS=1 and once with 2, with the same best-of-batches procedure and budget as measure()
// below. Both sides are called from their high-level language -- Node through N-API, Python through numpy -- so both
// carry call overhead (it shows at the small shapes). C-to-C figures (simdnet's C++ entry point against cblas_sgemm,
// no language boundary) come from build-native/gemm-bench, which dlopens OpenBLAS. When numpy is missing or loads
// another BLAS (e.g. Debian's reference libblas.so.3 when libopenblas0-pthread is not installed), one line says so and
// the OpenBLAS columns are left out (fields null).
// Usage: node bench/kernels/gemm.mjs [--quick]   (after `npx tsc -p tsconfig.json`, which writes dist/)
import Table from 'cli-table3';
import { native } from '../../dist/native.js';
import * as nat from '../../dist/kernels/native/gemm.js';
import * as ref from '../../dist/kernels/reference/gemm.js';
import { openblasFigures } from './openblas.mjs';
import { benchArgs } from '../cli-args.mjs';

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

/**
 * Best GFLOP/s over short batches (about 0.2 ms each, or one call when a call is longer) for about budgetMs in total
 * (at least 3 batches). Short batches are what make the figure stable on a shared machine: most of them run
 * without being preempted, and the best one is kept. (The native C++ bench does the same with single calls.)
 */
function measure(fn, flop, budgetMs) {
  fn(); // warm-up (JIT, workspaces, pool threads)
  let t0 = performance.now();
  fn();
  const one = Math.max(1e-4, performance.now() - t0);
  const iters = Math.max(1, Math.floor(0.2 / one));
  const end = performance.now() + budgetMs;
  let best = 0;
  let batches = 0;
  do {
    t0 = performance.now();
    for (let i = 0; i < iters; i++) fn();
    const dt = (performance.now() - t0) / 1e3;
    best = Math.max(best, (flop * iters) / dt / 1e9);
    batches++;
  } while ((performance.now() < end || batches < 3) && batches < 100000);
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
  const list = shapes(quick);
  // OpenBLAS first, in child processes (numpy import is ~0.1 s per process, so one process per thread count rather
  // than per shape); the Node side below is idle meanwhile. A full run takes ~10 s per process (14 shapes x 0.4 s
  // budget, 2048^3 at ~0.2 s per call); the timeout only guards against a hung child.
  // stat 'best': the best-of-batches procedure of measure() below, with the same budget.
  const ob = await openblasFigures(list, { budgetMs: budget, stat: 'best', timeoutMs: quick ? 120_000 : 600_000 });
  let openblas;
  if (ob.error) {
    console.log(`OpenBLAS (numpy) columns left out: ${ob.error}`);
    openblas = { error: ob.error };
  } else {
    const t = ob.threads;
    const capped = t[2] !== null && t[2] !== 2 ? ` (OpenBLAS reports ${t[2]} thread(s) for the "2t" run)` : '';
    console.log(`OpenBLAS (numpy ${ob.numpy}) measured now: ${ob.blas}${ob.config ? ` [${ob.config}]` : ''}, ` +
      `OPENBLAS_NUM_THREADS=1 and 2${capped}; numpy.matmul(a, b, out=c), same best-of-batches timing.`);
    openblas = { blas: ob.blas, config: ob.config, numpy: ob.numpy, threads: ob.threads };
  }
  const head = ['shape (M,K,N)', 'native 1t GFLOP/s', '% peak 1t', 'native 2t GFLOP/s', '% peak 2t'];
  if (!ob.error) head.push('OpenBLAS (numpy) 1t', 'OpenBLAS (numpy) 2t', 'x OpenBLAS 1t', 'x OpenBLAS best');
  head.push('TS twin GFLOP/s', 'native 1t / twin');
  const table = new Table({ head });
  const rows = [];
  for (const [i, s] of list.entries()) {
    const args = makeArgs(s);
    const flop = 2 * s.M * s.N * s.K;
    const n1 = measure(() => nat.gemmThreads(args, 1), flop, budget);
    const n2 = measure(() => nat.gemmThreads(args, 2), flop, budget);
    const twin = flop <= TWIN_MAX_FLOP ? measure(() => ref.gemm(args), flop, budget) : null;
    const o1 = ob.error ? null : ob.gflops[1][i];
    const o2 = ob.error ? null : ob.gflops[2][i];
    const row = {
      shape: s.name, M: s.M, K: s.K, N: s.N, transA: !!s.transA, transB: !!s.transB, isa,
      native1: n1, native2: n2, twin, peak1, peak2, pctPeak1: (100 * n1) / peak1, pctPeak2: (100 * n2) / peak2,
      // null when the OpenBLAS columns are left out (see openblas.error in the returned object).
      openblas1: o1, openblas2: o2,
      vsOpenblas1: o1 ? n1 / o1 : null,
      vsOpenblasBest: o1 && o2 ? Math.max(n1, n2) / Math.max(o1, o2) : null,
    };
    rows.push(row);
    const cells = [s.name, n1.toFixed(1), `${row.pctPeak1.toFixed(0)}%`, n2.toFixed(1), `${row.pctPeak2.toFixed(0)}%`];
    if (!ob.error) cells.push(o1.toFixed(1), o2.toFixed(1), `${row.vsOpenblas1.toFixed(2)}x`, `${row.vsOpenblasBest.toFixed(2)}x`);
    cells.push(
      twin === null ? `skipped (> ${TWIN_MAX_FLOP / 1e9} GFLOP per call)` : twin.toFixed(2),
      twin === null ? '-' : `${(n1 / twin).toFixed(0)}x`,
    );
    table.push(cells);
  }
  console.log(table.toString());
  return { isa, threads: defaultThreads, peak1, peak2, openblas, rows };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await run(benchArgs('node bench/kernels/gemm.mjs [--quick]'));
}
