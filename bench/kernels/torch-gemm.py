#!/usr/bin/env python3
"""SGEMM GFLOP/s (2mnk / t) of PyTorch's torch.matmul(a, b, out=c) on the CPU: the MKL contender of the suite's kernel
part (bench/suite/kernels.mjs; the pip wheel torch==2.x.0+cpu links MKL). Same spec, shapes, fill and statistic as
bench/kernels/openblas-gemm.py (its measure_median and measure are reused), so both Python contenders are timed alike;
run once per thread count with torch.set_num_threads(n) and OMP_NUM_THREADS=n.

Prints one line `SIMDNET_BENCH_RESULT {"torch": version, "blasInfo": BLAS_INFO, "blasLibraries": [...],
"cpuCapability": ..., "threads": n, "stat": ..., "rows": [{"gflops": ..., "reps": ...}, ...]}`. With
"requireBlas": ["mkl", "open", ...] in the spec and a BLAS_INFO outside it, rows is [] (nothing measured: the caller
refuses figures from the reference or an unidentified BLAS, bench/suite/blas.mjs, and needs no time spent on them).
"""
import importlib.util
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ beside the shared helpers in the source tree
sys.path.insert(0, os.path.join(HERE, '..', 'python'))
import benchcommon as bc  # noqa: E402

_spec = importlib.util.spec_from_file_location('openblas_gemm', os.path.join(HERE, 'openblas-gemm.py'))
ob = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ob)


def main():
    import numpy as np
    import torch

    spec = json.loads(sys.argv[1] if len(sys.argv) > 1 else sys.stdin.read())
    threads = int(spec.get('threads', 1))
    torch.set_num_threads(threads)
    budget_ms = float(spec.get('budgetMs', 400))
    stat = spec.get('stat', 'median')
    min_reps = int(spec.get('minReps', 3))
    max_reps = int(spec.get('maxReps', 1000))
    torch.ones(64, 64) @ torch.ones(64, 64)  # maps a lazily loaded BLAS before the maps are read
    m = re.search(r'BLAS_INFO=([^,\s]+)', torch.__config__.show())
    info = {
        'torch': torch.__version__,
        'blasInfo': m.group(1) if m else None,
        'blasLibraries': bc.blas_libraries(),
        'cpuCapability': getattr(getattr(torch.backends, 'cpu', None), 'get_cpu_capability', lambda: None)(),
        'threads': torch.get_num_threads(),
        'stat': stat,
    }
    allowed = spec.get('requireBlas')
    if allowed is not None and info['blasInfo'] not in allowed:
        bc.emit({**info, 'rows': []})
        return
    rows = []
    for s in spec['shapes']:
        mm, k, n = int(s['M']), int(s['K']), int(s['N'])
        ta, tb = bool(s.get('transA')), bool(s.get('transB'))
        a_st = torch.from_numpy((((np.arange(mm * k) % 13) - 6) * 0.01).astype(np.float32).reshape((k, mm) if ta else (mm, k)))
        b_st = torch.from_numpy((((np.arange(k * n) % 7) - 3) * 0.02).astype(np.float32).reshape((n, k) if tb else (k, n)))
        a = a_st.t() if ta else a_st
        b = b_st.t() if tb else b_st
        c = torch.empty((mm, n), dtype=torch.float32)
        fn = lambda: torch.matmul(a, b, out=c)  # noqa: E731
        flop = 2.0 * mm * n * k
        if stat == 'median':
            gflops, reps = ob.measure_median(fn, flop, budget_ms, min_reps, max_reps)
        else:
            gflops, reps = ob.measure(fn, flop, budget_ms)
        rows.append({'gflops': gflops, 'reps': reps})
    bc.emit({**info, 'rows': rows})


if __name__ == '__main__':
    main()
