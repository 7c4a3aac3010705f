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
// Also in the same run: the venv contenders (openblas.mjs contenderFigures: numpy 2.x's bundled OpenBLAS and PyTorch's
// torch.mm on MKL, 1 and 2 threads each), and on an AVX-512 host the AVX2 kernel's 1-thread figure. The % columns are
// of the widest ISA's measured FMA peak.
// Usage: node bench/kernels/gemm.mjs [--quick]   (after `npx tsc -p tsconfig.json`, which writes dist/)
import Table from 'cli-table3';
import { native } from '../../dist/native.js';
import * as nat from '../../dist/kernels/native/gemm.js';
import * as ref from '../../dist/kernels/reference/gemm.js';
import { contenderFigures, openblasFigures } from './openblas.mjs';
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
  // The % columns are of the widest ISA's FMA peak (avx512 where the CPU has it, else avx2 or neon, else scalar),
  // whatever ISA the rows run, so they say how much of the CPU a figure uses. Every ISA's is printed:
  // Zen 4 runs a 512-bit FMA as two 256-bit halves, so its AVX-512 peak per core is about its AVX2 peak.
  const peaks = {};
  for (const i of native.availableIsas()) {
    native.setIsa(i);
    peaks[i] = { p1: nat.fmaPeak(quick ? 50 : 300, 1), p2: nat.fmaPeak(quick ? 50 : 300, 2) };
  }
  native.setIsa(isa);
  const widest = ['avx512', 'avx2', 'neon', 'scalar'].find((i) => peaks[i] !== undefined) ?? isa;
  const { p1: peak1, p2: peak2 } = peaks[widest];
  console.log(`GEMM (float32, row-major) on ISA ${isa}; pool threads ${defaultThreads}; measured FMA peaks (GFLOP/s, ` +
    `1 / 2 threads): ${Object.entries(peaks).map(([i, p]) => `${i} ${p.p1.toFixed(1)} / ${p.p2.toFixed(1)}`).join(', ')}; ` +
    `% of ${widest}'s. Best of batches; shared machine: noisy.`);
  // On an AVX-512 host, the AVX2 kernel's 1-thread figure beside it (what the same CPU got before the avx512 tier).
  const avx2Column = isa === 'avx512' && peaks.avx2 !== undefined;
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
  // What pip installs into a venv (openblas.mjs contenderFigures): numpy 2.x's own OpenBLAS and PyTorch (MKL), each
  // at 1 and 2 threads; "x best contender" is simdnet's better thread count over the best of every contender figure.
  const contenders = {};
  for (const name of ['numpy', 'torch']) {
    const r = await contenderFigures(list, name, { budgetMs: budget, stat: 'best', timeoutMs: quick ? 120_000 : 600_000 });
    if (r.error) console.log(`${name} (venv) columns left out: ${r.error}`);
    else {
      console.log(`${name} (venv) measured now: ${r.label}; threads reported ${JSON.stringify(r.threads)}`);
      contenders[name] = r;
    }
  }
  const head = ['shape (M,K,N)', 'native 1t GFLOP/s', '% peak 1t', 'native 2t GFLOP/s', '% peak 2t', 'native 2t/1t'];
  if (avx2Column) head.push('avx2 1t', 'x avx2 1t');
  if (!ob.error) head.push('OpenBLAS (numpy) 1t', 'OpenBLAS (numpy) 2t', 'x OpenBLAS 1t', 'x OpenBLAS best');
  if (contenders.numpy) head.push('venv numpy OpenBLAS 1t', '2t');
  if (contenders.torch) head.push('torch (MKL) 1t', '2t');
  if (contenders.numpy || contenders.torch) head.push('x best contender');
  head.push('TS twin GFLOP/s', 'native 1t / twin');
  const table = new Table({ head });
  const rows = [];
  for (const [i, s] of list.entries()) {
    const args = makeArgs(s);
    const flop = 2 * s.M * s.N * s.K;
    const n1 = measure(() => nat.gemmThreads(args, 1), flop, budget);
    const n2 = measure(() => nat.gemmThreads(args, 2), flop, budget);
    let avx2 = null;
    if (avx2Column) {
      native.setIsa('avx2');
      avx2 = measure(() => nat.gemmThreads(args, 1), flop, budget);
      native.setIsa(isa);
    }
    const others = Object.values(contenders).flatMap((r) => [r.gflops[1][i], r.gflops[2][i]]);
    const bestOther = others.length ? Math.max(...others) : null;
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
      avx2: avx2, widestIsa: widest,
      numpy1: contenders.numpy?.gflops[1][i] ?? null, numpy2: contenders.numpy?.gflops[2][i] ?? null,
      torch1: contenders.torch?.gflops[1][i] ?? null, torch2: contenders.torch?.gflops[2][i] ?? null,
      vsBestContender: bestOther ? Math.max(n1, n2) / bestOther : null,
    };
    rows.push(row);
    const cells = [s.name, n1.toFixed(1), `${row.pctPeak1.toFixed(0)}%`, n2.toFixed(1), `${row.pctPeak2.toFixed(0)}%`,
      `${(n2 / n1).toFixed(2)}x`];
    if (avx2Column) cells.push(avx2.toFixed(1), `${(n1 / avx2).toFixed(2)}x`);
    if (!ob.error) cells.push(o1.toFixed(1), o2.toFixed(1), `${row.vsOpenblas1.toFixed(2)}x`, `${row.vsOpenblasBest.toFixed(2)}x`);
    if (contenders.numpy) cells.push(row.numpy1.toFixed(1), row.numpy2.toFixed(1));
    if (contenders.torch) cells.push(row.torch1.toFixed(1), row.torch2.toFixed(1));
    if (bestOther) cells.push(`${row.vsBestContender.toFixed(2)}x`);
    cells.push(
      twin === null ? `skipped (> ${TWIN_MAX_FLOP / 1e9} GFLOP per call)` : twin.toFixed(2),
      twin === null ? '-' : `${(n1 / twin).toFixed(0)}x`,
    );
    table.push(cells);
  }
  console.log(table.toString());
  return { isa, threads: defaultThreads, peak1, peak2, peaks, widestIsa: widest, openblas,
    contenders: Object.fromEntries(Object.entries(contenders).map(([k, r]) => [k, { label: r.label, threads: r.threads }])),
    rows };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await run(benchArgs('node bench/kernels/gemm.mjs [--quick]'));
}
