// Which BLAS a Python contender actually ran on, and whether its figures may stand against simdnet's.
// Issue 10: `npm run bench` once ran Debian's PyTorch on the reference BLAS (libblas.so.3 from libblas3, ~4 GFLOP/s)
// and printed "17x PyTorch: met". A contender is what a user would run: one on the reference BLAS, or on a BLAS
// nobody can name, is "not measured", never a ratio -- in the kernel section and in the training section alike.
//
// The Python side reports what it sees (bench/torch/train.py, bench/kernels/*-gemm.py):
//   blasInfo   torch's build setting BLAS_INFO (torch.__config__.show(): 'mkl' for the pip wheels, which link MKL
//              statically, so no MKL library appears in /proc/self/maps), or null;
//   libraries  real paths of the shared libraries mapped in the process whose names hold blas, mkl or blis
//              (/proc/self/maps): Debian's libblas.so.3 resolves to .../blas/libblas.so.3.x (reference) or to
//              .../openblas-pthread/libblas.so.3 (OpenBLAS) depending on what libopenblas0-pthread installed;
//   threadpool threadpoolctl.threadpool_info() when importable (numpy's bundled OpenBLAS: its version and kernel).
// `ignore` drops libraries that belong to something else in the process: torch's scripts import numpy, whose
// bundled libscipy_openblas is mapped but is not what torch's GEMMs call.

/** numpy's own bundled BLAS: mapped in a torch process, never called by torch. */
export const NUMPY_BUNDLED = /\/numpy(\.libs)?\//;

/**
 * Returns { kind: 'mkl' | 'openblas' | 'blis' | 'reference' | 'unknown', name, library } from the Python side's
 * report. `library`: the path that decided, when a mapped library did.
 */
export function classifyBlas({ blasInfo = null, libraries = [], ignore = null } = {}) {
  const libs = (libraries ?? []).filter((p) => typeof p === 'string' && !(ignore && ignore.test(p)));
  const base = (p) => p.slice(p.lastIndexOf('/') + 1);
  const info = typeof blasInfo === 'string' ? blasInfo.toLowerCase() : null;
  const hit = (re) => libs.find((p) => re.test(p));
  // A build setting names the library torch calls; MKL in the pip wheel is linked statically, so only it says so.
  if (info === 'mkl') return { kind: 'mkl', name: 'MKL', library: hit(/mkl/i) ?? null };
  let p = hit(/openblas/i);
  if (p) return { kind: 'openblas', name: 'OpenBLAS', library: p };
  p = libs.find((x) => /mkl/i.test(base(x)));
  if (p) return { kind: 'mkl', name: 'MKL', library: p };
  p = libs.find((x) => /blis/i.test(base(x)));
  if (p) return { kind: 'blis', name: 'BLIS', library: p };
  // A generic libblas.so that is none of the above: the netlib reference implementation (Debian's libblas3).
  p = libs.find((x) => /^libblas\.so/.test(base(x)));
  if (p) return { kind: 'reference', name: 'reference BLAS (netlib)', library: p };
  if (info === 'open' || info === 'openblas') return { kind: 'openblas', name: 'OpenBLAS', library: null };
  return { kind: 'unknown', name: 'unidentified BLAS', library: null };
}

/**
 * Whether figures from a contender on this BLAS may be printed (and ratios taken against them):
 * { ok: true } or { ok: false, why } with why = 'reference BLAS' or 'BLAS not identified'.
 */
export function blasVerdict(blas) {
  if (!blas || blas.kind === 'unknown') return { ok: false, why: 'BLAS not identified' };
  if (blas.kind === 'reference') return { ok: false, why: 'reference BLAS' };
  return { ok: true };
}

/** The kernel that threadpoolctl says an OpenBLAS uses ('SkylakeX', 'Haswell', 'Zen', ...), or null. */
export function openblasKernel(threadpool) {
  const e = (threadpool ?? []).find((x) => x && x.internal_api === 'openblas');
  return e ? { kernel: e.architecture ?? null, version: e.version ?? null, threads: e.num_threads ?? null, library: e.filepath ?? null } : null;
}
