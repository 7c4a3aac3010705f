#!/usr/bin/python3
"""PyTorch contender of the simdnet benchmark suite (bench/suite.mjs runs it with Debian's /usr/bin/python3).

Same protocol as the Node contenders (bench/suite/train-worker.mjs): Fashion-MNIST, 784-128(ReLU)-64(ReLU)-10,
softmax cross-entropy (nn.CrossEntropyLoss on logits is softmax + categorical CE fused), Adam lr 1e-3, batch 128,
reshuffled every epoch; seconds per epoch, test accuracy after epochs 5 and 10, inference on the test set with
batches of 1000, peak RSS. Prints one line `SIMDNET_BENCH_RESULT {json}` at the end.

Debian's python3-torch links the generic libblas.so.3, which the alternatives system points at the reference BLAS or,
once libopenblas0-pthread is installed, at OpenBLAS; the result names the BLAS library actually mapped.
"""
import argparse
import gzip
import json
import os
import resource
import struct
import sys
import time

import numpy as np
import torch
from torch import nn


def read_idx(path):
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


def blas_libraries():
    """Shared libraries with BLAS in their name that this process has mapped (what torch's sgemm calls into)."""
    libs = set()
    with open('/proc/self/maps') as f:
        for line in f:
            path = line.split()[-1]
            base = os.path.basename(path)
            if any(s in base for s in ('blas', 'mkl', 'blis')) and path.startswith('/'):
                libs.add(os.path.realpath(path))
    return sorted(libs)


def blas_name(libs):
    joined = ' '.join(libs)
    if 'openblas' in joined:
        return 'OpenBLAS'
    if 'mkl' in joined:
        return 'MKL'
    if 'blis' in joined:
        return 'BLIS'
    if libs:
        return 'reference BLAS (netlib)'
    return 'none found'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default='/usr/share/datasets/fashion-mnist')
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--epochs', type=int, default=5)
    ap.add_argument('--batch-size', type=int, default=128)
    ap.add_argument('--max-batches', type=int, default=0, help='time only this many batches of one epoch (0: full epochs)')
    ap.add_argument('--train-limit', type=int, default=0)
    ap.add_argument('--test-limit', type=int, default=0)
    ap.add_argument('--seed', type=int, default=1)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    x_train = torch.from_numpy(read_idx(find(args.data, 'train', 'images')).reshape(-1, 784).astype(np.float32) / 255)
    y_train = torch.from_numpy(read_idx(find(args.data, 'train', 'labels')).astype(np.int64))
    x_test = torch.from_numpy(read_idx(find(args.data, 't10k', 'images')).reshape(-1, 784).astype(np.float32) / 255)
    y_test = torch.from_numpy(read_idx(find(args.data, 't10k', 'labels')).astype(np.int64))
    if args.train_limit:
        x_train, y_train = x_train[:args.train_limit], y_train[:args.train_limit]
    if args.test_limit:
        x_test, y_test = x_test[:args.test_limit], y_test[:args.test_limit]
    n = x_train.shape[0]
    bs = args.batch_size

    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(args.seed)

    def run_batches(order, count):
        model.train()
        for b in range(count):
            idx = order[b * bs:(b + 1) * bs]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x_train[idx]), y_train[idx])
            loss.backward()
            opt.step()

    def accuracy():
        model.eval()
        with torch.no_grad():
            pred = torch.cat([model(x_test[i:i + 1000]).argmax(1) for i in range(0, x_test.shape[0], 1000)])
        return float((pred == y_test).float().mean())

    batches_per_epoch = (n + bs - 1) // bs
    epoch_seconds = []
    acc = {}
    extrapolated_from = None
    if args.max_batches:
        count = min(args.max_batches, batches_per_epoch)
        run_batches(torch.randperm(n, generator=gen), min(3, count))  # warm-up
        order = torch.randperm(n, generator=gen)
        t0 = time.perf_counter()
        run_batches(order, count)
        dt = time.perf_counter() - t0
        samples = min(count * bs, n)
        epoch_seconds.append(dt * n / samples)
        extrapolated_from = count
    else:
        for e in range(args.epochs):
            order = torch.randperm(n, generator=gen)
            t0 = time.perf_counter()
            run_batches(order, batches_per_epoch)
            epoch_seconds.append(time.perf_counter() - t0)
            if e + 1 in (5, 10) or e + 1 == args.epochs:
                acc[str(e + 1)] = accuracy()

    model.eval()
    infer = []
    with torch.no_grad():
        for rep in range(6):
            t0 = time.perf_counter()
            for i in range(0, x_test.shape[0], 1000):
                model(x_test[i:i + 1000])
            if rep > 0:
                infer.append(time.perf_counter() - t0)
    libs = blas_libraries()
    # Median over epochs after the first (the first carries one-off costs) when there are several.
    steady = sorted(epoch_seconds[1:] if len(epoch_seconds) > 2 else epoch_seconds)
    sec = steady[len(steady) // 2]
    result = {
        'contender': f'pytorch-{args.threads}t',
        'framework': f'PyTorch {torch.__version__}',
        'threads': torch.get_num_threads(),
        'blas': blas_name(libs),
        'blasLibraries': libs,
        'trainSamples': n,
        'testSamples': int(x_test.shape[0]),
        'batchSize': bs,
        'epochSeconds': epoch_seconds,
        'secondsPerEpoch': sec,
        'samplesPerSecond': n / sec,
        'extrapolatedFromBatches': extrapolated_from,
        'accuracy': acc,
        'inferenceSeconds': sorted(infer)[len(infer) // 2],
        # ru_maxrss is in KiB on Linux (getrusage(2)).
        'peakRssBytes': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }
    print('SIMDNET_BENCH_RESULT ' + json.dumps(result))
    sys.stdout.flush()


if __name__ == '__main__':
    main()
