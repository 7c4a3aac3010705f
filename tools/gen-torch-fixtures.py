#!/usr/bin/python3
"""Generates test/fixtures/optim-*.json: a few optimizer steps of PyTorch on a small parameter.

Run with Debian's python (it has torch 1.13):  /usr/bin/python3 tools/gen-torch-fixtures.py
Each optimizer file holds: the torch version, the optimizer and its hyper-parameters (PyTorch names and ours),
the initial float32 weights w0, the gradient of each step and the weights after each step. Floats are written as
the shortest decimal of the float32 value (exact round trip). n = 37 covers the SIMD bodies (8 and 4 wide) and
their leftovers. Also writes penalty.json (Keras L1/L2 penalty value and gradient via autograd) and clip.json
(torch.clamp and the global norm used by clip-by-norm).
"""
import json
import os
import struct

import numpy as np
import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures')
N, STEPS = 37, 5


def f32(x):
    """Shortest decimal that round-trips the float32 value (what Math.fround(JSON number) gives back)."""
    return [float(np.format_float_positional(np.float32(v), unique=True)) for v in np.asarray(x, dtype=np.float32).ravel()]


def write(name, obj):
    obj['generator'] = 'tools/gen-torch-fixtures.py'
    obj['torch'] = torch.__version__
    with open(os.path.join(OUT, name), 'w') as f:
        json.dump(obj, f, indent=1)
        f.write('\n')


# (file name, torch optimizer, torch kwargs, our kernel, our hyper-parameters, adagrad initial accumulator)
CONFIGS = [
    ('sgd', torch.optim.SGD, dict(lr=0.1), 'sgd', dict(lr=0.1, wd=0.0)),
    ('sgd-wd', torch.optim.SGD, dict(lr=0.05, weight_decay=0.01), 'sgd', dict(lr=0.05, wd=0.01)),
    ('momentum', torch.optim.SGD, dict(lr=0.1, momentum=0.9), 'momentum',
     dict(lr=0.1, mu=0.9, dampening=0.0, wd=0.0, nesterov=False)),
    ('momentum-dampening-wd', torch.optim.SGD, dict(lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.02),
     'momentum', dict(lr=0.05, mu=0.8, dampening=0.3, wd=0.02, nesterov=False)),
    ('nesterov', torch.optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01), 'momentum',
     dict(lr=0.1, mu=0.9, dampening=0.0, wd=0.01, nesterov=True)),
    ('adagrad', torch.optim.Adagrad, dict(lr=0.1), 'adagrad', dict(lr=0.1, eps=1e-10, wd=0.0, initial=0.0)),
    ('adagrad-init-wd', torch.optim.Adagrad, dict(lr=0.05, initial_accumulator_value=0.1, weight_decay=0.01, eps=1e-7),
     'adagrad', dict(lr=0.05, eps=1e-7, wd=0.01, initial=0.1)),
    ('rmsprop', torch.optim.RMSprop, dict(lr=0.01, alpha=0.9, eps=1e-7), 'rmsprop',
     dict(lr=0.01, rho=0.9, eps=1e-7, wd=0.0, momentum=0.0, centered=False)),
    ('rmsprop-centered', torch.optim.RMSprop, dict(lr=0.01, alpha=0.99, eps=1e-8, centered=True), 'rmsprop',
     dict(lr=0.01, rho=0.99, eps=1e-8, wd=0.0, momentum=0.0, centered=True)),
    ('rmsprop-momentum-wd', torch.optim.RMSprop, dict(lr=0.01, alpha=0.9, eps=1e-7, momentum=0.5, weight_decay=0.01),
     'rmsprop', dict(lr=0.01, rho=0.9, eps=1e-7, wd=0.01, momentum=0.5, centered=False)),
    ('rmsprop-centered-momentum', torch.optim.RMSprop, dict(lr=0.005, alpha=0.9, eps=1e-6, momentum=0.9, centered=True),
     'rmsprop', dict(lr=0.005, rho=0.9, eps=1e-6, wd=0.0, momentum=0.9, centered=True)),
    ('adam', torch.optim.Adam, dict(lr=0.01), 'adam',
     dict(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8, weightDecay=0.0, amsgrad=False, decoupled=False)),
    ('adam-amsgrad-wd', torch.optim.Adam, dict(lr=0.01, betas=(0.8, 0.99), eps=1e-7, weight_decay=0.01, amsgrad=True),
     'adam', dict(lr=0.01, beta1=0.8, beta2=0.99, eps=1e-7, weightDecay=0.01, amsgrad=True, decoupled=False)),
    ('adamw', torch.optim.AdamW, dict(lr=0.01, weight_decay=0.05), 'adam',
     dict(lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8, weightDecay=0.05, amsgrad=False, decoupled=True)),
    ('adamw-amsgrad', torch.optim.AdamW, dict(lr=0.02, betas=(0.9, 0.95), weight_decay=0.1, amsgrad=True), 'adam',
     dict(lr=0.02, beta1=0.9, beta2=0.95, eps=1e-8, weightDecay=0.1, amsgrad=True, decoupled=True)),
]


def run(name, opt_cls, kwargs, kernel, hyper, seed):
    g = torch.Generator().manual_seed(seed)
    w0 = torch.randn(N, generator=g, dtype=torch.float32)
    grads = [torch.randn(N, generator=g, dtype=torch.float32) * 0.5 for _ in range(STEPS)]
    # Make some gradients shrink so amsgrad's max matters, and put exact zeros in.
    grads[3] = grads[3] * 0.1
    grads[2][5] = 0.0
    p = torch.nn.Parameter(w0.clone())
    opt = opt_cls([p], **kwargs)
    after = []
    for t in range(STEPS):
        opt.zero_grad()
        p.grad = grads[t].clone()
        opt.step()
        after.append(f32(p.detach()))
    write(f'optim-{name}.json', dict(
        name=name, torchOptimizer=opt_cls.__name__, torchArgs={k: list(v) if isinstance(v, tuple) else v for k, v in kwargs.items()},
        kernel=kernel, hyper=hyper, n=N, steps=STEPS, w0=f32(w0), grads=[f32(x) for x in grads], expected=after))


def penalties():
    g = torch.Generator().manual_seed(7)
    w = torch.randn(N, generator=g, dtype=torch.float64)
    w[3] = 0.0  # sign(0) = 0 in the L1 gradient
    w = w.float().double()  # float32-representable
    cases = []
    for l1, l2 in [(0.01, 0.0), (0.0, 0.001), (0.003, 0.02)]:
        x = w.clone().requires_grad_(True)
        # Keras: l1 * sum(|w|) + l2 * sum(w^2); torch's abs has gradient sign(w), 0 at 0, like TF's.
        loss = l1 * x.abs().sum() + l2 * (x * x).sum()
        loss.backward()
        cases.append(dict(l1=l1, l2=l2, value=float(loss), grad=[float(v) for v in x.grad]))
    write('penalty.json', dict(n=N, w=f32(w), g0=f32(torch.randn(N, generator=g) * 0.1), cases=cases))


def clip():
    g = torch.Generator().manual_seed(11)
    x = torch.randn(N, generator=g, dtype=torch.float32) * 2
    clipped = torch.clamp(x, -1.5, 1.5)
    norm = float(torch.linalg.vector_norm(x.double()))
    write('clip.json', dict(n=N, g=f32(x), clipValue=1.5, clipped=f32(clipped), norm=norm,
                            clipNorm=3.0, scale=3.0 / max(norm, 3.0)))


def main():
    os.makedirs(OUT, exist_ok=True)
    for i, c in enumerate(CONFIGS):
        run(*c, seed=100 + i)
    penalties()
    clip()
    print(f'wrote {len(CONFIGS) + 2} files to {os.path.normpath(OUT)}')


if __name__ == '__main__':
    main()
