// Part 1 of the suite: SGEMM GFLOP/s (2mnk / t) at the kernel benchmark shapes of BASELINES.md, for simdnet native
// (1 and 2 threads), OpenBLAS through numpy (1 and 2 threads, measured in this run: bench/kernels/openblas.mjs),
// simdnet's TS twin, tfjs-backend-cpu and tfjs-backend-wasm, with % of the FMA peak measured by the addon's fmaPeak
// probe at the contender's thread count. Every figure is 2mnk / the median single-call time (timeReps + median of
// common.mjs; OpenBLAS's script times its calls the same way, stat 'median'). Slow contenders skip shapes whose single
// call is estimated above `maxCallSeconds`.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { openblasFigures } from '../kernels/openblas.mjs';
import { blasVerdict, classifyBlas, NUMPY_BUNDLED, openblasKernel } from './blas.mjs';
import { benchDir, distDir, median, PYTHON, runChild, timeReps } from './common.mjs';
import { widestFmaPeak } from './fma-peak.mjs';
import { hasAvx512, hostInfo } from './host.mjs';

const require = createRequire(import.meta.url);

/** (M, K, N) as in BASELINES.md; transA: C = Aᵀ·B with A stored K x M (the dW = xᵀ·dy shape of a dense layer). */
export const FULL_SHAPES = [
  { m: 64, k: 64, n: 64 },
  { m: 256, k: 256, n: 256 },
  { m: 1024, k: 1024, n: 1024 },
  { m: 2048, k: 2048, n: 2048 },
  { m: 128, k: 784, n: 128 },
  { m: 128, k: 128, n: 64 },
  { m: 128, k: 64, n: 10 },
  { m: 784, k: 128, n: 128, transA: true },
];
export const QUICK_SHAPES = [
  { m: 64, k: 64, n: 64 },
  { m: 128, k: 64, n: 10 },
  { m: 64, k: 32, n: 48, transA: true },
];

export function shapeLabel(s) {
  return s.transA ? `Aᵀ·B (${s.m},${s.k},${s.n})` : s.m === s.k && s.k === s.n ? `${s.m}³` : `(${s.m},${s.k},${s.n})`;
}

function randomMatrix(len, seed) {
  const a = new Float32Array(len);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < len; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    a[i] = ((s >>> 0) / 4294967296) * 2 - 1;
  }
  return a;
}

/** timeReps's arguments per contender and shape; OpenBLAS's script gets the same (openblasContenders). */
function timing(quick) {
  return { minSeconds: quick ? 0.03 : 0.4, minReps: quick ? 3 : 5 };
}

async function tryImport(path) {
  if (!existsSync(path)) return { error: `${path.replace(distDir, 'dist')} not built` };
  try {
    return { mod: await import(path) };
  } catch (e) {
    return { error: e.message };
  }
}

/**
 * "OpenBLAS 1t (numpy)" and "OpenBLAS 2t (numpy)": numpy's matmul on Debian's libopenblas0-pthread, measured now in a
 * child process per thread count (Node is idle meanwhile) at the suite's shapes, with the suite's statistic and time
 * per shape (median of single calls for at least minSeconds and minReps calls, at most timeReps's default 1000).
 * They come back as contenders whose figures are already measured (`measured`: { gflops, reps } per shape), or as
 * contenders with an error (numpy or OpenBLAS missing, script failure): then the suite shows them as not measured.
 */
async function openblasContenders(quick) {
  const shapes = quick ? QUICK_SHAPES : FULL_SHAPES;
  const ob = await openblasFigures(
    // The suite's (m, k, n, transA) means what the script's (M, K, N, transA) means: op(A) = Aᵀ with A stored K x M.
    shapes.map((s) => ({ M: s.m, K: s.k, N: s.n, transA: !!s.transA })),
    // The timeReps arguments runKernels uses for the Node contenders (maxReps: timeReps's default).
    { budgetMs: timing(quick).minSeconds * 1000, stat: 'median', minReps: timing(quick).minReps, maxReps: 1000,
      timeoutMs: quick ? 120_000 : 600_000 },
  );
  return [1, 2].map((threads) => {
    const name = `OpenBLAS ${threads}t (numpy)`;
    if (ob.error) return { name, error: ob.error };
    const tp = openblasKernel(ob.threadpool);
    return {
      name,
      threads,
      isa: tp?.kernel ? `OpenBLAS kernel ${tp.kernel} (threadpoolctl)` : null,
      measured: shapes.map((s, i) => ({ gflops: ob.gflops[threads][i], reps: ob.reps[threads][i] })),
      info: { blas: ob.blas, config: ob.config, numpy: ob.numpy, stat: ob.stat, openblasThreads: ob.threads[threads], threadpool: tp },
    };
  });
}

/**
 * "MKL 1t (PyTorch)" and "MKL 2t (PyTorch)": torch.matmul(a, b, out=c) in PYTHON (the pip wheel links MKL), measured
 * now by bench/kernels/torch-gemm.py with the suite's statistic, one child per thread count after a probe (no shapes)
 * that says which BLAS this torch calls. A torch on the reference BLAS, or on one nobody can name, is not measured
 * (bench/suite/blas.mjs): its rows say why instead.
 */
async function torchGemmContenders(quick) {
  const shapes = quick ? QUICK_SHAPES : FULL_SHAPES;
  const script = join(benchDir, 'kernels', 'torch-gemm.py');
  const run = (threads, list) =>
    runChild(PYTHON, [script, JSON.stringify({
      threads, stat: 'median', budgetMs: timing(quick).minSeconds * 1000, minReps: timing(quick).minReps, maxReps: 1000,
      shapes: list.map((s) => ({ M: s.m, K: s.k, N: s.n, transA: !!s.transA })),
    })], { env: { OMP_NUM_THREADS: String(threads) }, timeoutMs: quick ? 120_000 : 600_000 });
  const probe = await run(1, []);
  const names = [1, 2].map((t) => `MKL ${t}t (PyTorch)`);
  if (probe.error) {
    const why = /No module named 'torch'/.test(probe.error) ? `no torch in ${PYTHON}` : probe.error.split('\n')[0];
    return names.map((name) => ({ name, error: `not installed: ${why}` }));
  }
  const blas = classifyBlas({ blasInfo: probe.blasInfo, libraries: probe.blasLibraries, ignore: NUMPY_BUNDLED });
  const verdict = blasVerdict(blas);
  if (!verdict.ok) return names.map((name) => ({ name, error: `not measured: ${verdict.why}`, blas }));
  const out = [];
  for (const threads of [1, 2]) {
    const name = `MKL ${threads}t (PyTorch)`;
    const r = await run(threads, shapes);
    if (r.error || r.rows?.length !== shapes.length) {
      out.push({ name, error: r.error?.split('\n')[0] ?? `torch-gemm.py returned ${r.rows?.length} rows` });
      continue;
    }
    out.push({
      name: blas.kind === 'mkl' ? name : `${blas.name} ${threads}t (PyTorch)`,
      threads,
      isa: r.cpuCapability ? `torch CPU capability ${r.cpuCapability}` : null,
      measured: r.rows.map((x) => ({ gflops: x.gflops, reps: x.reps })),
      info: { torch: r.torch, blas: blas.name, blasInfo: r.blasInfo, torchThreads: r.threads, stat: r.stat, cpuCapability: r.cpuCapability },
    });
  }
  return out;
}

/**
 * Each contender: { name, threads, prepare(shape) -> run() (sync or async) }, { name, threads, measured: [{ gflops,
 * reps }] per shape, info } (measured in another process), or { name, error }.
 */
async function contenders(quick) {
  const list = [];
  const nativeGemm = await tryImport(join(distDir, 'kernels', 'native', 'gemm.js'));
  const nativeMod = await tryImport(join(distDir, 'native.js'));
  // The ceiling for every percentage: the widest ISA's FMA peak (bench/native/fma-peak.cc), not simdnet's fmaPeak(),
  // which runs its GEMM table's chains (an avx512 tier still on AVX2 GEMM code would report the AVX2 peak).
  const widest = widestFmaPeak({ avx512: hasAvx512(hostInfo().flags), ms: quick ? 50 : 300 });
  const peak = widest.error ? {} : widest.gflops;
  const simdnetPeak = {};
  let isa = null;
  if (nativeGemm.mod && nativeMod.mod?.native) {
    const g = nativeGemm.mod;
    isa = nativeMod.mod.native.isa?.() ?? null;
    for (const threads of [1, 2]) {
      if (typeof g.fmaPeak === 'function') simdnetPeak[threads] = g.fmaPeak(quick ? 50 : 300, threads);
      list.push({
        name: `simdnet native ${threads}t`,
        threads,
        isa,
        prepare: (s, a, b, c) => {
          const args = { transA: !!s.transA, m: s.m, n: s.n, k: s.k, a, b, c };
          return typeof g.gemmThreads === 'function' ? () => g.gemmThreads(args, threads) : () => g.gemm(args);
        },
      });
    }
  } else {
    list.push({ name: 'simdnet native', error: nativeGemm.error ?? nativeMod.error ?? 'native addon not loaded' });
  }
  list.push(...(await openblasContenders(quick)));
  list.push(...(await torchGemmContenders(quick)));
  const ref = await tryImport(join(distDir, 'kernels', 'reference', 'gemm.js'));
  if (ref.mod) {
    list.push({ name: 'simdnet TS twin', threads: 1, slow: true, prepare: (s, a, b, c) => () => ref.mod.gemm({ transA: !!s.transA, m: s.m, n: s.n, k: s.k, a, b, c }) });
  } else list.push({ name: 'simdnet TS twin', error: ref.error });
  const tf = await import('@tensorflow/tfjs');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/');
  for (const backend of ['cpu', 'wasm']) {
    list.push({
      name: `tfjs-${backend}`,
      threads: 1,
      slow: backend === 'cpu',
      setup: async () => {
        await tf.setBackend(backend);
        await tf.ready();
      },
      prepare: (s, a, b) => {
        // Tensors are created once per shape; each call runs matMul and reads the result back (dataSync), which
        // is what a caller needs, and what forces tfjs to finish the work.
        const ta = tf.tensor2d(a, s.transA ? [s.k, s.m] : [s.m, s.k]);
        const tb = tf.tensor2d(b, [s.k, s.n]);
        const run = () => {
          const c = tf.matMul(ta, tb, !!s.transA, false);
          c.dataSync();
          c.dispose();
        };
        run.dispose = () => {
          ta.dispose();
          tb.dispose();
        };
        return run;
      },
    });
  }
  return { list, peak, isa, widest, simdnetPeak };
}

/** The contenders a later round of the kernels section measures again (--kernel-rounds): the native GEMMs. */
export const ROUND_CONTENDERS = /^(simdnet native|OpenBLAS|MKL)/;

export async function runKernels({ quick = false, log = () => {}, maxCallSeconds = quick ? 0.5 : 4, only = null } = {}) {
  const shapes = quick ? QUICK_SHAPES : FULL_SHAPES;
  const { list, peak, isa, widest, simdnetPeak } = await contenders(quick);
  const results = [];
  const isas = {}; // contender name -> the ISA or kernel it ran
  const external = {}; // contender name -> what it ran on (OpenBLAS: library path, config, numpy version, statistic)
  for (const c of list) {
    if (only && !only.test(c.name)) continue;
    if (c.isa) isas[c.name] = c.isa;
    if (c.error) {
      results.push({ contender: c.name, error: c.error });
      log(`  ${c.name}: skipped (${c.error})`);
      continue;
    }
    if (c.measured) {
      results.push(...shapes.map((s, i) => {
        const { gflops, reps } = c.measured[i];
        const p = peak[c.threads];
        log(`  ${c.name} ${shapeLabel(s)}: ${gflops.toFixed(2)} GFLOP/s`);
        const pctPeak = p ? (100 * gflops) / p : null;
        return { contender: c.name, threads: c.threads, shape: shapeLabel(s), gflops, reps, pctPeak };
      }));
      if (c.info) external[c.name] = c.info;
      continue;
    }
    await c.setup?.();
    let gflops = null; // latest measured rate, to estimate the cost of the next shape
    for (const s of shapes) {
      const flop = 2 * s.m * s.n * s.k;
      if (gflops && flop / (gflops * 1e9) > maxCallSeconds) {
        results.push({ contender: c.name, shape: shapeLabel(s), skipped: `estimated ${(flop / (gflops * 1e9)).toFixed(1)} s per call` });
        continue;
      }
      const a = randomMatrix(s.m * s.k, 1);
      const b = randomMatrix(s.k * s.n, 2);
      const cc = new Float32Array(s.m * s.n);
      const run = c.prepare(s, a, b, cc);
      // Warm-up: the first calls pay one-off costs (tfjs-cpu's first matMuls of a shape take 40-100 ms each).
      const estimate = gflops ? flop / (gflops * 1e9) : 0;
      if (estimate < 0.5) await timeReps(run, { minSeconds: 0, minReps: 3, maxReps: 3 });
      const reps = await timeReps(run, timing(quick));
      run.dispose?.();
      const t = median(reps);
      gflops = flop / t / 1e9;
      const p = peak[c.threads];
      const row = { contender: c.name, threads: c.threads, shape: shapeLabel(s), gflops, reps: reps.length, pctPeak: p ? (100 * gflops) / p : null };
      results.push(row);
      log(`  ${c.name} ${row.shape}: ${gflops.toFixed(2)} GFLOP/s`);
    }
  }
  return {
    shapes: shapes.map(shapeLabel),
    fmaPeakGflops: peak, // the widest ISA's, or {} when the probe could not run (peakError says why)
    peakIsa: widest.error ? null : widest.isa,
    peakError: widest.error ?? null,
    simdnetFmaPeakGflops: simdnetPeak, // simdnet's fmaPeak(): its GEMM table's chains on `simdnetIsa`
    simdnetIsa: isa,
    isas,
    statistic: 'median of single-call times',
    external,
    results,
  };
}

/**
 * Merges later rounds of the kernels section into the first (suite --kernel-rounds N): on a shared host a
 * contender's 2-thread figures can fall for a second or two at a time (the second vCPU's slow phases), and the
 * contenders are timed one after the other, so one round can catch one contender in such a phase and not the next.
 * Each contender then gets the median over the rounds of its per-round figure (and the min-max spread), every
 * contender alike; the FMA peak is the highest seen in any round (the conservative denominator).
 */
export function mergeKernelRounds(first, later) {
  const rounds = [first, ...later];
  for (const r of first.results) {
    if (typeof r.gflops !== 'number') continue;
    const all = rounds.map((k) => k.results.find((x) => x.contender === r.contender && x.shape === r.shape)?.gflops).filter((g) => typeof g === 'number');
    if (all.length < 2) continue;
    const sorted = [...all].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    r.rounds = all;
    r.gflops = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    r.spread = [sorted[0], sorted[sorted.length - 1]];
  }
  for (const key of ['fmaPeakGflops', 'simdnetFmaPeakGflops'])
    for (const k of later)
      for (const [t, g] of Object.entries(k[key] ?? {}))
        if (typeof g === 'number' && !(first[key]?.[t] >= g)) (first[key] ??= {})[t] = g;
  for (const r of first.results) {
    const p = first.fmaPeakGflops?.[r.threads];
    if (typeof r.gflops === 'number' && p) r.pctPeak = (100 * r.gflops) / p;
  }
  first.rounds = rounds.length;
  first.statistic = `median over ${rounds.length} rounds (min-max in brackets) of the median of single-call times; later rounds time only the native GEMMs`;
  return first;
}
