#!/usr/bin/env bash
# Makes the repo-local Python venv (.venv, git-ignored) that bench/suite.mjs uses for its pip contenders when
# SIMDNET_BENCH_PYTHON is not set: PyTorch 2.13 (CPU wheel: MKL + oneDNN), Keras 3 on tensorflow-cpu, numpy 2.x (its
# bundled OpenBLAS is the GEMM contender) and threadpoolctl (which BLAS and which kernel numpy loaded).
# Offline: pip reads the machine's configured wheel folder and index mirror (pip config list), never retries a
# network fetch (--retries 0). Usage: bash bench/setup-venv.sh [venv dir, default .venv]; then `npm run bench`.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${1:-.venv}"
python="${PYTHON:-python3}"
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --retries 0 'torch==2.13.0+cpu' numpy keras tensorflow-cpu threadpoolctl
"$venv/bin/python" - <<'PY'
import keras, numpy, tensorflow, threadpoolctl, torch
print(f'torch {torch.__version__} (BLAS_INFO from its build: see torch.__config__.show()), numpy {numpy.__version__}, '
      f'keras {keras.__version__} on tensorflow {tensorflow.__version__}, threadpoolctl {threadpoolctl.__version__}')
PY
if [ "$venv" = .venv ]; then
  echo "venv ready: .venv (bench/suite.mjs uses .venv/bin/python by itself; SIMDNET_BENCH_PYTHON overrides it)"
else
  echo "venv ready: $venv (run the suite with SIMDNET_BENCH_PYTHON=$venv/bin/python)"
fi
