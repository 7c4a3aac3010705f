"""What the Python contenders of the benchmark suite share (bench/torch/train.py, bench/keras/train.py,
bench/kernels/torch-gemm.py): Fashion-MNIST IDX reading, the libraries a process has mapped, threadpoolctl's view,
the per-epoch protocol's statistics and the result line that bench/suite/common.mjs's runChild reads."""
import gzip
import json
import os
import struct
import sys

RESULT_PREFIX = 'SIMDNET_BENCH_RESULT '


def read_idx(path):
    import numpy as np  # here, not at the top: a --probe in a Python without numpy must fail on torch's import

    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        data = f.read()
    if data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise SystemExit(f'{path}: not a uint8 IDX file')
    ndims = data[3]
    shape = struct.unpack('>' + 'I' * ndims, data[4:4 + 4 * ndims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndims).reshape(shape)


def find(d, part, kind):
    stem = 'images-idx3-ubyte' if kind == 'images' else 'labels-idx1-ubyte'
    for name in (f'{part}-{stem}.gz', f'{part}-{stem}'):
        if os.path.exists(os.path.join(d, name)):
            return os.path.join(d, name)
    raise SystemExit(f'cannot find {part} {kind} in {d}')


def fashion_mnist(d, train_limit=0, test_limit=0):
    """(x_train, y_train, x_test, y_test): float32 pixels / 255 as n x 784, uint8 labels; limits keep the first n."""
    import numpy as np

    x_train = read_idx(find(d, 'train', 'images')).reshape(-1, 784).astype(np.float32) / 255
    y_train = read_idx(find(d, 'train', 'labels'))
    x_test = read_idx(find(d, 't10k', 'images')).reshape(-1, 784).astype(np.float32) / 255
    y_test = read_idx(find(d, 't10k', 'labels'))
    if train_limit:
        x_train, y_train = x_train[:train_limit], y_train[:train_limit]
    if test_limit:
        x_test, y_test = x_test[:test_limit], y_test[:test_limit]
    return x_train, y_train, x_test, y_test


def blas_libraries():
    """Real paths of the mapped shared libraries whose names hold blas, mkl or blis (/proc/self/maps, Linux)."""
    libs = set()
    try:
        with open('/proc/self/maps') as f:
            for line in f:
                path = line.split()[-1]
                base = os.path.basename(path)
                if path.startswith('/') and '.so' in base and any(s in base.lower() for s in ('blas', 'mkl', 'blis')):
                    libs.add(os.path.realpath(path))
    except OSError:
        pass
    return sorted(libs)


def threadpool():
    """threadpoolctl.threadpool_info() (BLAS and OpenMP pools: library, version, kernel, threads), or None."""
    try:
        import threadpoolctl
    except ImportError:
        return None
    return threadpoolctl.threadpool_info()


def median(xs):
    s = sorted(xs)
    m = len(s) // 2
    return s[m] if len(s) % 2 else (s[m - 1] + s[m]) / 2


def serve(facts, predict):
    """The paired-inference protocol (bench/suite/paired.mjs): READY with `facts`, then per stdin line `infer K [B]`
    one warm-up call and K timed calls of predict(B) (batches of B rows, default 1000) reported on one BLOCK line;
    `quit` or the end of stdin ends it."""
    import time

    print('SIMDNET_BENCH_READY ' + json.dumps(facts))
    sys.stdout.flush()
    for line in sys.stdin:
        words = line.split()
        if not words or words[0] == 'quit':
            break
        if words[0] != 'infer' or len(words) not in (2, 3) or not all(w.isdigit() for w in words[1:]):
            raise SystemExit(f'serve: bad command {line.strip()!r}')
        batch = int(words[2]) if len(words) == 3 else 1000
        predict(batch)
        seconds = []
        for _ in range(int(words[1])):
            t0 = time.perf_counter()
            predict(batch)
            seconds.append(time.perf_counter() - t0)
        print('SIMDNET_BENCH_BLOCK ' + json.dumps({'seconds': seconds}))
        sys.stdout.flush()


def emit(result):
    print(RESULT_PREFIX + json.dumps(result))
    sys.stdout.flush()
