/**
 * Optimizers: option validation and config round trip, then the engine's update pipeline (step counter, bias
 * corrections, state per parameter, clipping) against float64 PyTorch formulas on a one-weight model where
 * loss = (w x - y)^2 with x = 1, y = 0, so grad = 2 w.
 */
import { describe, expect, it } from 'vitest';
import { Dense, Optimizer, Sequential, optimizers, schedules } from '../../lib/index.js';
import { BACKENDS, codeOf } from '../models/backends.js';

describe('optimizer options', () => {
  it('fills documented defaults and validates', () => {
    expect(optimizers.adam().spec).toMatchObject({ kind: 'adam', learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, amsgrad: false, weightDecay: 0 });
    expect(optimizers.adamw().spec.weightDecay).toBe(0.01);
    expect(optimizers.sgd().spec.learningRate).toBe(0.01);
    expect(optimizers.momentum().spec.momentum).toBe(0.9);
    expect(optimizers.rmsprop().spec).toMatchObject({ rho: 0.9, epsilon: 1e-8, momentum: 0, centered: false });
    expect(optimizers.adagrad().spec).toMatchObject({ epsilon: 1e-10, initialAccumulatorValue: 0 });
    expect(codeOf(() => optimizers.adam({ learningRate: -1 }))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(codeOf(() => optimizers.adam({ beta1: 1 }))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(codeOf(() => optimizers.sgd({ clipNorm: 0 }))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(codeOf(() => optimizers.momentum({ momentum: 0, nesterov: true }))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(codeOf(() => optimizers.rmsprop({ centered: 'yes' as never }))).toBe('SIMDNET_INVALID_ARGUMENT');
  });

  it('round-trips through getConfig, schedules included', () => {
    const o = optimizers.rmsprop({ learningRate: schedules.stepDecay({ initialLearningRate: 0.1, stepSize: 2 }), centered: true, clipValue: 3 });
    const r = Optimizer.fromConfig(JSON.parse(JSON.stringify(o.getConfig())));
    expect(r.spec).toEqual(o.spec);
    expect(r.learningRateAt(5)).toBe(o.learningRateAt(5));
  });
});

function oneWeight(backend: 'js' | 'native', opt: Optimizer, w0 = 1) {
  const m = new Sequential([new Dense({ units: 1, inputShape: [1], useBias: false })]);
  m.compile({ optimizer: opt, loss: 'mse', backend, seed: 0 });
  m.setWeights([Float32Array.of(w0)]);
  return m;
}

function run(m: Sequential, steps: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < steps; i++) {
    m.engine.trainStep(Float32Array.of(1), Float32Array.of(0), 1);
    out.push(m.getWeights()[0].data()[0]);
  }
  return out;
}

/** float64 PyTorch reference for the same problem (grad = 2w). */
function reference(kind: string, o: Record<string, number | boolean>, steps: number, w0 = 1): number[] {
  let w = w0, m = 0, v = 0, vmax = 0, buf = 0, sq = 0, ga = 0, sum = (o.initialAccumulatorValue as number) ?? 0;
  const lr = o.lr as number;
  const out: number[] = [];
  for (let t = 1; t <= steps; t++) {
    let g = 2 * w;
    if (kind === 'sgd') w -= lr * g;
    else if (kind === 'momentum') {
      const mu = o.momentum as number;
      buf = t === 1 ? g : mu * buf + g;
      w -= lr * (o.nesterov ? g + mu * buf : buf);
    } else if (kind === 'adagrad') {
      sum += g * g;
      w -= (lr * g) / (Math.sqrt(sum) + (o.eps as number));
    } else if (kind === 'rmsprop') {
      const rho = o.rho as number;
      sq = rho * sq + (1 - rho) * g * g;
      let avg = sq;
      if (o.centered) {
        ga = rho * ga + (1 - rho) * g;
        avg = sq - ga * ga;
      }
      const den = Math.sqrt(avg) + (o.eps as number);
      if ((o.momentum as number) > 0) {
        buf = (o.momentum as number) * buf + g / den;
        w -= lr * buf;
      } else w -= (lr * g) / den;
    } else {
      const b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = (o.wd as number) ?? 0;
      if (kind === 'adamw') w *= 1 - lr * wd;
      else g += wd * w;
      m = b1 * m + (1 - b1) * g;
      v = b2 * v + (1 - b2) * g * g;
      vmax = Math.max(vmax, v);
      const vh = (o.amsgrad ? vmax : v) / (1 - b2 ** t);
      w -= (lr * (m / (1 - b1 ** t))) / (Math.sqrt(vh) + eps);
    }
    out.push(w);
  }
  return out;
}

describe.each(BACKENDS)('engine update pipeline (%s)', (backend) => {
  const cases: [string, Optimizer, string, Record<string, number | boolean>][] = [
    ['sgd', optimizers.sgd({ learningRate: 0.1 }), 'sgd', { lr: 0.1 }],
    ['momentum', optimizers.momentum({ learningRate: 0.05, momentum: 0.9 }), 'momentum', { lr: 0.05, momentum: 0.9 }],
    ['nesterov', optimizers.momentum({ learningRate: 0.05, momentum: 0.8, nesterov: true }), 'momentum', { lr: 0.05, momentum: 0.8, nesterov: true }],
    // PyTorch's and Keras's SGD(momentum=...): sgd() with momentum > 0 is momentum SGD, not plain SGD
    ['sgd with momentum', optimizers.sgd({ learningRate: 0.05, momentum: 0.9 }), 'momentum', { lr: 0.05, momentum: 0.9 }],
    ['sgd with nesterov', optimizers.sgd({ learningRate: 0.05, momentum: 0.8, nesterov: true }), 'momentum', { lr: 0.05, momentum: 0.8, nesterov: true }],
    ['adagrad', optimizers.adagrad({ learningRate: 0.3, initialAccumulatorValue: 0.1 }), 'adagrad', { lr: 0.3, eps: 1e-10, initialAccumulatorValue: 0.1 }],
    ['rmsprop', optimizers.rmsprop({ learningRate: 0.01 }), 'rmsprop', { lr: 0.01, rho: 0.9, eps: 1e-8, momentum: 0 }],
    ['rmsprop centered+momentum', optimizers.rmsprop({ learningRate: 0.01, centered: true, momentum: 0.5 }), 'rmsprop', { lr: 0.01, rho: 0.9, eps: 1e-8, momentum: 0.5, centered: true }],
    ['adam', optimizers.adam({ learningRate: 0.1 }), 'adam', { lr: 0.1 }],
    ['adam amsgrad + L2', optimizers.adam({ learningRate: 0.1, amsgrad: true, weightDecay: 0.1 }), 'adam', { lr: 0.1, amsgrad: true, wd: 0.1 }],
    ['adamw', optimizers.adamw({ learningRate: 0.1, weightDecay: 0.5 }), 'adamw', { lr: 0.1, wd: 0.5 }],
  ];
  it.each(cases)('%s follows the PyTorch formulas over 5 steps', (_name, opt, kind, o) => {
    const got = run(oneWeight(backend, opt), 5);
    const want = reference(kind, o, 5);
    got.forEach((g, i) => expect(Math.abs(g - want[i]), `step ${i + 1}: got ${g}, want ${want[i]}`).toBeLessThan(1e-5 * Math.max(1, Math.abs(want[i]))));
  });

  it('clipValue clamps each element before the update; clipNorm scales the global norm', () => {
    // grad = 2w = 2; clipValue 0.5 -> w = 1 - 0.1 * 0.5
    expect(run(oneWeight(backend, optimizers.sgd({ learningRate: 0.1, clipValue: 0.5 })), 1)[0]).toBeCloseTo(0.95, 6);
    // two weights (x = [1, 1], w = [3, 4]): loss = (3 + 4)^2 -> grad = [14, 14], norm 14*sqrt(2); clipNorm 1 -> each 1/sqrt(2)
    const m = new Sequential([new Dense({ units: 1, inputShape: [2], useBias: false })]);
    m.compile({ optimizer: optimizers.sgd({ learningRate: 0.1, clipNorm: 1 }), loss: 'mse', backend, seed: 0 });
    m.setWeights([Float32Array.of(3, 4)]);
    m.engine.trainStep(Float32Array.of(1, 1), Float32Array.of(0), 1);
    const w = m.getWeights()[0].data();
    expect(w[0]).toBeCloseTo(3 - 0.1 / Math.SQRT2, 6);
    expect(w[1]).toBeCloseTo(4 - 0.1 / Math.SQRT2, 6);
  });

  it('the step counter drives bias correction and resets with resetOptimizer()', () => {
    const m = oneWeight(backend, optimizers.adam({ learningRate: 0.1 }));
    run(m, 3);
    expect(m.engine.step).toBe(3);
    m.engine.resetOptimizer();
    expect(m.engine.step).toBe(0);
    m.setWeights([Float32Array.of(1)]);
    expect(run(m, 1)[0]).toBeCloseTo(reference('adam', { lr: 0.1 }, 1)[0], 6);
  });
});
