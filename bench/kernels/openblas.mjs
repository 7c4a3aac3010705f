// OpenBLAS SGEMM figures measured in the same run as simdnet's, for bench/kernels/gemm.mjs (best of batches) and the
// suite's kernels part, bench/suite/kernels.mjs (median of single calls, like its other contenders). Both call
// openblasFigures() below, which runs openblas-gemm.py -- numpy's matmul(a, b, out=c) in the suite's PYTHON
// (bench/suite/common.mjs: SIMDNET_BENCH_PYTHON, else .venv/bin/python, else python3; a numpy 2.x wheel brings its own
// OpenBLAS; a Debian numpy gets Debian's libopenblas0-pthread, the BASELINES.md setup, first in LD_LIBRARY_PATH) --
// in one child process per thread count (numpy's import costs ~0.1 s per process, so not one per shape), with
// OPENBLAS_NUM_THREADS set.
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PYTHON, runChild } from '../suite/common.mjs';

/** Debian's libopenblas0-pthread: numpy's libblas.so.3 resolves here first when it leads LD_LIBRARY_PATH. */
export const OPENBLAS_DIR = '/usr/lib/x86_64-linux-gnu/openblas-pthread';
export const OPENBLAS_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'openblas-gemm.py');

/**
 * OpenBLAS GFLOP/s for every shape ({ M, K, N, transA?, transB? }, row-major: op(A) is M x K, A stored K x M when
 * transA; op(B) is K x N, B stored N x K when transB), through numpy in one child process per entry of `threads`.
 * Options: budgetMs per shape; stat 'best' (best of ~0.2 ms batches, gemm.mjs's procedure) or 'median' (median of
 * single calls for at least budgetMs and minReps calls, at most maxReps: timeReps + median of bench/suite/common.mjs);
 * timeoutMs per child (guards against a hung child only).
 * Returns { blas, config, numpy, stat, threads: { [n]: thread count OpenBLAS reports }, gflops: { [n]: [...] },
 * reps: { [n]: [...] } } (arrays parallel to `shapes`), or { error } (one line) when Python/numpy is missing, the
 * script fails, or the BLAS numpy loaded is not OpenBLAS (its figures would be another library's, so none are
 * returned, and the script is told not to spend time measuring them).
 */
export async function openblasFigures(
  shapes,
  { budgetMs = 400, stat = 'best', minReps = 3, maxReps = 1000, threads = [1, 2], timeoutMs = 600_000 } = {},
) {
  const spec = JSON.stringify({
    budgetMs,
    stat,
    minReps,
    maxReps,
    requireOpenblas: true,
    shapes: shapes.map(({ M, K, N, transA = false, transB = false }) => ({ M, K, N, transA, transB })),
  });
  const ldPath = [OPENBLAS_DIR, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  const out = { blas: null, config: null, numpy: null, stat, threads: {}, gflops: {}, reps: {}, threadpool: null };
  for (const n of threads) {
    const t = String(n);
    const r = await runChild(PYTHON, [OPENBLAS_SCRIPT, spec], {
      // OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE may be set on this machine kind for older OpenBLAS builds; they slow a
      // current numpy's, so both are removed for this child only (threadpoolctl then reports the kernel it picked).
      env: { OPENBLAS_NUM_THREADS: t, OMP_NUM_THREADS: t, LD_LIBRARY_PATH: ldPath, OPENBLAS_CORETYPE: undefined, OPENBLAS_L2_SIZE: undefined },
      timeoutMs,
    });
    if (r.error) {
      // runChild's error is `<cmd> exited with <code>: <stderr tail>`; keep it to one line (first and last lines:
      // the exit status and, for a Python exception, its message, e.g. "No module named 'numpy'").
      const lines = r.error.split('\n').filter((l) => l.trim());
      const msg = lines.length > 1 ? `${lines[0]} ... ${lines.at(-1).trim()}` : lines[0];
      return { error: `${basename(OPENBLAS_SCRIPT)} failed: ${msg}` };
    }
    if (!r.blas || !/\/[^/]*openblas[^/]*\.so/.test(r.blas)) {
      return {
        error: `numpy loaded ${r.blas ?? 'no BLAS that /proc/self/maps shows'}, not OpenBLAS ` +
          `(Debian: install libopenblas0-pthread, which provides ${OPENBLAS_DIR})`,
      };
    }
    if (!Array.isArray(r.rows) || r.rows.length !== shapes.length) {
      return { error: `${basename(OPENBLAS_SCRIPT)} returned ${r.rows?.length} rows for ${shapes.length} shapes` };
    }
    if (r.stat !== stat) {
      return { error: `${basename(OPENBLAS_SCRIPT)} reported stat ${r.stat}, asked for ${stat} (an older script?)` };
    }
    out.blas ??= r.blas;
    out.config ??= r.openblas?.config ?? null;
    out.numpy ??= r.numpy ?? null;
    out.threads[n] = r.openblas?.threads ?? null;
    out.threadpool ??= r.threadpool ?? null;
    out.gflops[n] = r.rows.map((x) => x.gflops);
    out.reps[n] = r.rows.map((x) => x.reps ?? null);
  }
  return out;
}

/**
 * The venv contenders of bench/kernels/gemm.mjs: what `pip install numpy torch` gives on this machine, each timed by
 * openblas-gemm.py in the venv's Python, one child process per thread count:
 *   - 'numpy': numpy 2.x's bundled OpenBLAS (its own DYNAMIC_ARCH build, SkylakeX kernels on an AVX-512 CPU), with
 *     OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE dropped before numpy loads it (a host may set them for an older OpenBLAS;
 *     they slow this one) and OPENBLAS_NUM_THREADS = the thread count;
 *   - 'torch': torch.mm (MKL in the x86 wheels) after torch.set_num_threads(n).
 * The Python is the suite's (bench/suite/common.mjs PYTHON: SIMDNET_BENCH_PYTHON, else the repo's .venv made by
 * bench/setup-venv.sh, else python3); SIMDNET_BENCH_VENV=<dir> overrides it with <dir>/bin/python. Returns { label, kernel, threads: { [n]: reported },
 * gflops: { [n]: [...] } } or { error } (one line) when the venv, the package or OpenBLAS is missing.
 */
const VENV_PYTHON = process.env.SIMDNET_BENCH_VENV ? join(process.env.SIMDNET_BENCH_VENV, 'bin', 'python') : PYTHON;

export async function contenderFigures(
  shapes,
  contender,
  { budgetMs = 400, stat = 'best', threads = [1, 2], timeoutMs = 600_000 } = {},
) {
  const python = VENV_PYTHON;
  const out = { label: null, kernel: null, threads: {}, gflops: {} };
  for (const n of threads) {
    const t = String(n);
    const spec = JSON.stringify({
      budgetMs,
      stat,
      contender,
      threads: n,
      requireOpenblas: contender === 'numpy',
      unsetEnv: ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE'],
      shapes: shapes.map(({ M, K, N, transA = false, transB = false }) => ({ M, K, N, transA, transB })),
    });
    const r = await runChild(python, [OPENBLAS_SCRIPT, spec], {
      env: { OPENBLAS_NUM_THREADS: t, OMP_NUM_THREADS: t, MKL_NUM_THREADS: t },
      timeoutMs,
    });
    if (r.error) return { error: `${contender} (${python}): ${r.error.split('\n').filter((l) => l.trim()).at(-1)}` };
    if (!Array.isArray(r.rows) || r.rows.length !== shapes.length)
      return { error: `${contender}: no figures (BLAS loaded: ${r.blas ?? 'none that /proc/self/maps shows'})` };
    out.label ??= contender === 'torch' ? r.blas : `numpy ${r.numpy}, ${r.openblas?.config ?? r.blas}`;
    out.kernel ??= r.openblas?.config ?? r.blas;
    out.threads[n] = contender === 'torch' ? r.threads : r.openblas?.threads ?? null;
    out.gflops[n] = r.rows.map((x) => x.gflops);
  }
  return out;
}
