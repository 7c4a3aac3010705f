#!/usr/bin/python3
"""SGEMM GFLOP/s (2mnk / t) of numpy's matmul: the OpenBLAS figures of bench/kernels/gemm.mjs and of the suite's
kernels part (bench/suite/kernels.mjs), both run through bench/kernels/openblas.mjs.

Also the other contenders of bench/kernels/gemm.mjs, in a venv's Python (contenderFigures of openblas.mjs):
"contender": "torch" times torch.mm(a, b, out=c) (PyTorch's CPU BLAS: MKL in the x86 wheels) at "threads"
(torch.set_num_threads); "unsetEnv": [...] drops those variables before numpy loads its OpenBLAS (a venv wheel's own).
Run with Debian's /usr/bin/python3 (Debian's numpy) and OpenBLAS's thread count in the environment, as
bench/kernels/openblas.mjs does:
  OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread \
    /usr/bin/python3 bench/kernels/openblas-gemm.py '{"budgetMs": 30, "shapes": [{"M": 64, "K": 64, "N": 64}]}'
The JSON (argv[1], or stdin when there is no argument) is {"budgetMs": ms per shape (default 400), "shapes": [...],
"requireOpenblas": true to measure nothing (rows: []) when numpy's BLAS is not OpenBLAS, "stat": "best" (default) or
"median", "minReps"/"maxReps" (median only; default 3 / 1000)} or just the list of shapes;
a shape is {M, K, N, transA?, transB?} with the row-major meaning of gemm.mjs: op(A) is M x K (A stored
K x M when transA), op(B) is K x N (B stored N x K when transB). The transposed cases pass a.T / b.T views, which
numpy's matmul hands to cblas_sgemm as a transpose flag (no copy), like the native call.

Statistic: "best" (gemm.mjs) is the best GFLOP/s over short batches of calls, the same procedure as measure() in
gemm.mjs; "median" (bench/suite/kernels.mjs) times single calls, after 3 warm-up calls, until budgetMs have passed and
at least minReps calls (at most maxReps) and reports 2mnk / median call time, the same procedure as timeReps + median
in bench/suite/common.mjs, so the suite's OpenBLAS rows use the statistic of its other contenders.

Prints one line `SIMDNET_BENCH_RESULT {"blas": ..., "openblas": ..., "stat": ..., "rows": [{"gflops": ..., "reps": ...},
...]}` (`reps`: calls timed for the median, batches for best-of; the prefix is
what bench/suite/common.mjs's runChild looks for). `blas` is the BLAS that numpy actually loaded, read from
/proc/self/maps: the libopenblas*.so path when OpenBLAS is mapped, else the libblas.so.3 path (Debian's reference
BLAS, ~4 GFLOP/s, when libopenblas0-pthread is missing), else null. `openblas` is {config, threads} from
openblas_get_config / openblas_get_num_threads when OpenBLAS is loaded (so the thread count is the one in effect),
else null. Without requireOpenblas it measures whatever BLAS numpy uses; the caller decides what to do with that.
"""
import ctypes
import json
import sys
import time

RESULT_PREFIX = 'SIMDNET_BENCH_RESULT '


def loaded_blas():
    """(path of the BLAS numpy mapped or None, OpenBLAS info or None), from /proc/self/maps (Linux only)."""
    try:
        with open('/proc/self/maps') as f:
            paths = {line.split()[-1] for line in f if '/' in line}
    except OSError:
        return None, None
    # Debian's libopenblas*.so, or the one numpy 2.x wheels bundle (numpy.libs/libscipy_openblas64_-<hash>.so).
    names = sorted(p for p in paths if 'openblas' in p.rsplit('/', 1)[-1] and '.so' in p)
    if not names:
        ref = sorted(p for p in paths if p.endswith('/libblas.so.3') or '/libblas.so' in p)
        return (ref[0] if ref else None), None
    path = names[0]
    info = {'config': None, 'threads': None}
    try:
        # threadpoolctl (where installed) names the kernel OpenBLAS picked for this CPU, e.g. SkylakeX or Haswell
        from threadpoolctl import threadpool_info
        for pool in threadpool_info():
            if pool.get('internal_api') == 'openblas':
                info['config'] = f"OpenBLAS {pool.get('version')} kernel {pool.get('architecture')}"
                info['threads'] = int(pool.get('num_threads'))
                return path, info
    except ImportError:
        pass
    try:
        # Already loaded by numpy: dlopen returns the same handle, so these report the state numpy's calls see.
        lib = ctypes.CDLL(path)
        # scipy-openblas (numpy 2.x wheels) prefixes and suffixes its symbols: scipy_openblas_get_config64_.
        for pre, suf in (('', ''), ('scipy_', '64_'), ('scipy_', '')):
            if hasattr(lib, f'{pre}openblas_get_config{suf}'):
                get_config = getattr(lib, f'{pre}openblas_get_config{suf}')
                get_config.restype = ctypes.c_char_p
                info['config'] = get_config().decode()
                info['threads'] = int(getattr(lib, f'{pre}openblas_get_num_threads{suf}')())
                break
    except (OSError, AttributeError):
        pass
    return path, info


def threadpool_info():
    """threadpoolctl's view (OpenBLAS version, the kernel it picked as 'architecture', threads), or None."""
    try:
        import threadpoolctl
    except ImportError:
        return None
    return threadpoolctl.threadpool_info()


def measure(fn, flop, budget_ms):
    """Best GFLOP/s over short batches (about 0.2 ms each, or one call when a call is longer) for about budget_ms in
    total (at least 3 batches): the same procedure as measure() in gemm.mjs, so both sides are timed alike."""
    fn()  # warm-up (OpenBLAS's thread pool and buffers)
    t0 = time.perf_counter()
    fn()
    one = max(1e-7, time.perf_counter() - t0)
    iters = max(1, int(2e-4 / one))
    end = time.perf_counter() + budget_ms / 1e3
    best = 0.0
    batches = 0
    while True:
        t0 = time.perf_counter()
        for _ in range(iters):
            fn()
        dt = time.perf_counter() - t0
        best = max(best, flop * iters / dt / 1e9)
        batches += 1
        if (time.perf_counter() >= end and batches >= 3) or batches >= 100000:
            return best, batches


def measure_median(fn, flop, budget_ms, min_reps, max_reps):
    """(GFLOP/s of the median single-call time, calls timed): timeReps + median of bench/suite/common.mjs, with the
    suite's warm-up (3 calls, or 1 when a call takes 0.5 s or more, where the suite would warm up less too)."""
    t0 = time.perf_counter()
    fn()  # warm-up (OpenBLAS's thread pool and buffers)
    if time.perf_counter() - t0 < 0.5:
        fn()
        fn()
    times = []
    start = time.perf_counter()
    while len(times) < max_reps and (len(times) < min_reps or time.perf_counter() - start < budget_ms / 1e3):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    mid = len(times) // 2
    med = times[mid] if len(times) % 2 else (times[mid - 1] + times[mid]) / 2
    return flop / med / 1e9, len(times)


def torch_info(torch):
    """'torch <version>, MKL <yes|no>, oneDNN <yes|no>, CPU capability <AVX512|AVX2|...>': what torch.mm runs on."""
    mkl = 'yes' if torch.backends.mkl.is_available() else 'no'
    mkldnn = 'yes' if torch.backends.mkldnn.is_available() else 'no'
    try:
        cap = torch.backends.cpu.get_cpu_capability()
    except AttributeError:
        cap = '?'
    return f'torch {torch.__version__}, MKL {mkl}, oneDNN {mkldnn}, CPU capability {cap}'


def main():
    import os

    spec = json.loads(sys.argv[1] if len(sys.argv) > 1 else sys.stdin.read())
    if isinstance(spec, list):
        spec = {'shapes': spec}
    # OpenBLAS reads OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE when numpy loads it: a host may set them for an older
    # OpenBLAS, and they slow a current one (a venv's numpy wheel), so a benchmark of that one drops them first.
    for name in spec.get('unsetEnv', []):
        os.environ.pop(name, None)
    contender = spec.get('contender', 'numpy')
    if contender not in ('numpy', 'torch'):
        raise SystemExit(f'openblas-gemm.py: unknown contender {contender!r} (numpy or torch)')
    import numpy as np
    budget_ms = float(spec.get('budgetMs', 400))
    stat = spec.get('stat', 'best')
    if stat not in ('best', 'median'):
        raise SystemExit(f'openblas-gemm.py: unknown stat {stat!r} (best or median)')
    min_reps = int(spec.get('minReps', 3))
    max_reps = int(spec.get('maxReps', 1000))
    # numpy's extension links the BLAS, so it is mapped once numpy is imported (maps read before any matmul).
    torch = None
    if contender == 'torch':
        import torch  # noqa: F811
        torch.set_num_threads(int(spec.get('threads', 1)))
    blas, openblas = loaded_blas()
    if torch is not None:
        blas, openblas = torch_info(torch), None
    elif spec.get('requireOpenblas') and openblas is None:
        # Not OpenBLAS: the caller will drop the figures, so do not spend its time measuring them (Debian's reference
        # BLAS needs ~4 s per 2048^3 call).
        result = {'blas': blas, 'openblas': None, 'numpy': np.__version__, 'stat': stat, 'rows': []}
        print(RESULT_PREFIX + json.dumps(result))
        return
    rows = []
    for s in spec['shapes']:
        m, k, n = int(s['M']), int(s['K']), int(s['N'])
        ta, tb = bool(s.get('transA')), bool(s.get('transB'))
        # Same fill as makeArgs in gemm.mjs, in storage order (timing does not depend on it, but no denormals).
        a_st = (((np.arange(m * k) % 13) - 6) * 0.01).astype(np.float32).reshape((k, m) if ta else (m, k))
        b_st = (((np.arange(k * n) % 7) - 3) * 0.02).astype(np.float32).reshape((n, k) if tb else (k, n))
        a = a_st.T if ta else a_st
        b = b_st.T if tb else b_st
        c = np.empty((m, n), dtype=np.float32)
        fn = lambda: np.matmul(a, b, out=c)  # noqa: E731
        if torch is not None:
            # torch.mm on views of the same storage (a transposed operand stays a strided view, as in numpy)
            ta_, tb_, tc_ = torch.from_numpy(a_st), torch.from_numpy(b_st), torch.from_numpy(c)
            ta_ = ta_.t() if ta else ta_
            tb_ = tb_.t() if tb else tb_
            fn = lambda: torch.mm(ta_, tb_, out=tc_)  # noqa: E731
        flop = 2.0 * m * n * k
        if stat == 'median':
            gflops, reps = measure_median(fn, flop, budget_ms, min_reps, max_reps)
        else:
            gflops, reps = measure(fn, flop, budget_ms)
        rows.append({'gflops': gflops, 'reps': reps})
    result = {'blas': blas, 'openblas': openblas, 'numpy': np.__version__, 'stat': stat, 'rows': rows,
              'threadpool': threadpool_info(),
              'threads': torch.get_num_threads() if torch is not None else None}
    print(RESULT_PREFIX + json.dumps(result))


if __name__ == '__main__':
    main()
