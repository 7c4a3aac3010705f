#!/usr/bin/env python3
"""PyTorch contender of the simdnet benchmark suite (bench/suite.mjs runs it with the pip venv's Python for PyTorch 2.x,
and with Debian's /usr/bin/python3 for python3-torch 1.13 + OpenBLAS).

Same protocol as the Node contenders (bench/suite/train-worker.mjs): Fashion-MNIST, 784-128(ReLU)-64(ReLU)-10,
softmax cross-entropy (nn.CrossEntropyLoss on logits is softmax + categorical CE fused), Adam lr 1e-3, batch 128,
reshuffled every epoch; one training run of `epochs` epochs, each epoch's time taken from the end of the previous one
(the shuffle counts, as it does inside a fit call); test accuracy after the run; inference on the test set with
batches of 1000 (median of 5 after a warm-up); peak RSS. Prints one line `SIMDNET_BENCH_RESULT {json}` at the end.

--serve (the suite's paired inference, bench/suite/paired.mjs): after training, print `SIMDNET_BENCH_READY {json}`,
then answer each stdin line `infer K [B]` with one warm-up and K timed inference calls (batches of B, default 1000)
on one line `SIMDNET_BENCH_BLOCK {"seconds": [...]}`, until `quit` or the end of stdin.

--probe prints only what this torch is and runs on (version, BLAS_INFO, mapped BLAS libraries, CPU capability,
threadpoolctl), without data: the suite decides from it whether to train at all (bench/suite/blas.mjs: no figures
from the reference BLAS), and reads it again from the training run's own report.
"""
import argparse
import os
import re
import resource
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ beside the shared helpers in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'python'))
import benchcommon as bc  # noqa: E402


def torch_facts(torch):
    config = torch.__config__.show()
    m = re.search(r'BLAS_INFO=([^,\s]+)', config)
    cap = None
    try:
        cap = torch.backends.cpu.get_cpu_capability()  # 'AVX512', 'AVX2', 'DEFAULT' (PyTorch >= 2.0)
    except AttributeError:
        m2 = re.search(r'CPU capability usage: (\S+)', config)
        cap = m2.group(1) if m2 else None
    return {
        'framework': f'PyTorch {torch.__version__}',
        'torchVersion': torch.__version__,
        'blasInfo': m.group(1) if m else None,
        'mklDnn': bool(getattr(torch.backends, 'mkldnn', None) and torch.backends.mkldnn.is_available()),
        'cpuCapability': cap,
        'blasLibraries': bc.blas_libraries(),
        'threadpool': bc.threadpool(),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', default='/usr/share/datasets/fashion-mnist')
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--epochs', type=int, default=10)
    ap.add_argument('--batch-size', type=int, default=128)
    ap.add_argument('--train-limit', type=int, default=0)
    ap.add_argument('--test-limit', type=int, default=0)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--infer-calls', type=int, default=20, help='timed inference calls (after one warm-up)')
    ap.add_argument('--probe', action='store_true', help='report the torch build and BLAS, train nothing')
    ap.add_argument('--serve', action='store_true', help='after training, time inference blocks on request (stdin)')
    args = ap.parse_args()

    import torch
    from torch import nn

    torch.set_num_threads(args.threads)
    if args.probe:
        # One small matmul first, so a lazily loaded BLAS is mapped when the maps are read.
        torch.ones(64, 64) @ torch.ones(64, 64)
        bc.emit({'threads': torch.get_num_threads(), **torch_facts(torch)})
        return
    torch.manual_seed(args.seed)
    xtr, ytr, xte, yte = bc.fashion_mnist(args.data, args.train_limit, args.test_limit)
    x_train, y_train = torch.from_numpy(xtr), torch.from_numpy(ytr.astype('int64'))
    x_test, y_test = torch.from_numpy(xte), torch.from_numpy(yte.astype('int64'))
    n = x_train.shape[0]
    bs = args.batch_size

    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(args.seed)
    batches = (n + bs - 1) // bs

    epoch_seconds = []
    last = time.perf_counter()
    model.train()
    for _ in range(args.epochs):
        order = torch.randperm(n, generator=gen)
        for b in range(batches):
            idx = order[b * bs:(b + 1) * bs]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x_train[idx]), y_train[idx])
            loss.backward()
            opt.step()
        now = time.perf_counter()
        epoch_seconds.append(now - last)
        last = now

    model.eval()

    def predict(batch=1000):
        return torch.cat([model(x_test[i:i + batch]) for i in range(0, x_test.shape[0], batch)])

    with torch.no_grad():
        accuracy = float((predict().argmax(1) == y_test).float().mean())
        if args.serve:
            bc.serve({'threads': torch.get_num_threads(), **torch_facts(torch), 'accuracy': accuracy}, predict)
            return
        infer = []
        for rep in range(args.infer_calls + 1):
            t0 = time.perf_counter()
            predict()
            if rep > 0:
                infer.append(time.perf_counter() - t0)
    bc.emit({
        'threads': torch.get_num_threads(),
        **torch_facts(torch),
        'trainSamples': n,
        'testSamples': int(x_test.shape[0]),
        'batchSize': bs,
        'epochSeconds': epoch_seconds,
        'accuracy': accuracy,
        'inferenceSeconds': bc.median(infer),
        'inferenceRuns': infer,
        # ru_maxrss is in KiB on Linux (getrusage(2)).
        'peakRssBytes': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    })


if __name__ == '__main__':
    main()
