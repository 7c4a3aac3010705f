// useNativeOptimizers: tfjs's SGD, Momentum (plain and Nesterov), Adam, Adagrad and RMSProp (plain, momentum,
// centered) on 'simdnet' with the fused steps, against
// the same optimizers on 'cpu' (tfjs's own ops), over 6 steps of a small least-squares problem: weights and optimizer
// state within 1e-5 relative. The native step must actually run (counted on the addon), and tensors must not leak.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { native } from '../../lib/native.js';
import { useNativeOptimizers } from '../../lib/tfjs/index.js';
import { lcgArray } from '../helpers/random.js';

const A = lcgArray(64 * 48, 3, -1, 1), B = lcgArray(64 * 8, 4, -1, 1), W0 = lcgArray(48 * 8, 5, -0.5, 0.5);

function run(backend: string, make: () => tf.Optimizer, steps: number): { w: Float32Array; leaked: number } {
  tf.setBackend(backend);
  const w = tf.variable(tf.tensor2d(W0, [48, 8]), true, `w_${backend}_${Math.random()}`);
  const a = tf.tensor2d(A, [64, 48]), b = tf.tensor2d(B, [64, 8]);
  const opt = make();
  let afterFirst = 0;
  for (let s = 0; s < steps; s++) {
    opt.minimize(() => tf.mean(tf.squaredDifference(tf.matMul(a, w), b)) as tf.Scalar);
    if (s === 0) afterFirst = tf.memory().numTensors; // the optimizer's state exists from the first step on
  }
  return { w: Float32Array.from(w.dataSync()), leaked: tf.memory().numTensors - afterFirst };
}

/** Relative error in norm; NaN must sit at the same places on both sides (centered RMSProp's sqrt(ms - (mg^2 + eps))
 * is NaN for tfjs too wherever the gradient was tiny), and is then left out; a NaN on one side only gives Infinity. */
function relErr(a: Float32Array, b: Float32Array): number {
  let d = 0, r = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) || Number.isNaN(b[i])) {
      if (Number.isNaN(a[i]) !== Number.isNaN(b[i])) return Infinity;
      continue;
    }
    d += (a[i] - b[i]) ** 2; r += b[i] ** 2;
  }
  return Math.sqrt(d / Math.max(r, 1e-30));
}

describe.runIf(native)('useNativeOptimizers: fused steps with tfjs semantics', () => {
  useNativeOptimizers(tf);
  const cases: Array<[string, () => tf.Optimizer, string]> = [
    ['sgd', () => tf.train.sgd(0.1), 'sgd'],
    ['momentum', () => tf.train.momentum(0.05, 0.9), 'momentum'],
    ['momentum nesterov', () => tf.train.momentum(0.05, 0.9, true), 'momentum'],
    ['adam (defaults: epsilon from the backend)', () => tf.train.adam(0.02), 'adam'],
    ['adam (beta 0.8/0.99, epsilon 1e-4)', () => tf.train.adam(0.02, 0.8, 0.99, 1e-4), 'adam'],
    ['adagrad (defaults: initial accumulator 0.1)', () => tf.train.adagrad(0.05), 'tfjsAdagrad'],
    ['adagrad (initial accumulator 0.5)', () => tf.train.adagrad(0.05, 0.5), 'tfjsAdagrad'],
    ['rmsprop (defaults)', () => tf.train.rmsprop(0.01), 'tfjsRmsprop'],
    ['rmsprop (decay 0.8, momentum 0.5, epsilon 1e-3)', () => tf.train.rmsprop(0.01, 0.8, 0.5, 1e-3), 'tfjsRmsprop'],
    // epsilon 1e-12: tfjs subtracts it under the square root, and with its default 1e-7 most elements of this small
    // problem's first step go NaN (on 'cpu' as well), which would leave little to compare.
    ['rmsprop centered (momentum 0.3, epsilon 1e-12)', () => tf.train.rmsprop(0.01, 0.9, 0.3, 1e-12, true), 'tfjsRmsprop'],
    ['rmsprop centered (default epsilon: NaN where tfjs has NaN)', () => tf.train.rmsprop(0.01, 0.9, 0.3, undefined, true), 'tfjsRmsprop'],
  ];
  for (const [name, make, fn] of cases) {
    it(`${name}: 6 steps within 1e-5 of tfjs's own optimizer on cpu, through the native ${fn} step`, () => {
      const addon = native as Record<string, (...args: unknown[]) => unknown>;
      const original = addon[fn];
      let calls = 0;
      addon[fn] = (...args: unknown[]) => { calls++; return original(...args); };
      try {
        const cpu = run('cpu', make, 6);
        expect(calls).toBe(0); // cpu: tfjs's path
        const sim = run('simdnet', make, 6);
        expect(calls).toBe(6);
        expect(relErr(sim.w, cpu.w)).toBeLessThan(1e-5);
        expect(relErr(cpu.w, W0)).toBeGreaterThan(1e-2); // it moved
        if (!name.includes('NaN')) expect(cpu.w.filter(Number.isNaN).length).toBe(0);
        expect(sim.leaked).toBe(0);
        expect(cpu.leaked).toBe(0);
      } finally {
        addon[fn] = original;
      }
    });
  }
});

// tfjs-layers fit with each optimizer: 'cpu' (tfjs's own) against 'simdnet' with the fused steps, 12 steps from the
// same weights (losses and every weight within 1e-5 relative), then numTensors flat across a 20-epoch fit.
describe.runIf(native)('useNativeOptimizers under tfjs-layers fit', () => {
  useNativeOptimizers(tf);
  const N = 96, IN = 12, OUT = 4;
  const X = lcgArray(N * IN, 21, -1, 1);
  const Y = new Float32Array(N * OUT);
  for (let i = 0; i < N; i++) Y[i * OUT + (i * 7) % OUT] = 1;

  function model(): tf.Sequential {
    const m = tf.sequential();
    m.add(tf.layers.dense({ units: 24, activation: 'relu', inputShape: [IN], kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }));
    m.add(tf.layers.dense({ units: OUT, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }));
    return m;
  }

  async function fit(backend: string, make: () => tf.Optimizer, epochs: number) {
    await tf.setBackend(backend);
    const m = model();
    m.compile({ optimizer: make(), loss: 'categoricalCrossentropy' });
    const x = tf.tensor2d(X, [N, IN]), y = tf.tensor2d(Y, [N, OUT]);
    const losses: number[] = [], counts: number[] = [];
    await m.fit(x, y, { batchSize: 16, epochs, shuffle: false, verbose: 0, callbacks: {
      onBatchEnd: async (_b, logs) => { losses.push(logs!.loss as number); },
      onEpochEnd: async () => { counts.push(tf.memory().numTensors); },
    } });
    const weights = m.getWeights().map((w) => Float32Array.from(w.dataSync()));
    tf.dispose([x, y]);
    m.dispose();
    return { losses, weights, counts };
  }

  for (const [name, make] of [
    ['adam', () => tf.train.adam(0.01)], ['sgd', () => tf.train.sgd(0.2)], ['momentum', () => tf.train.momentum(0.05, 0.9)],
    ['adagrad', () => tf.train.adagrad(0.1)], ['rmsprop', () => tf.train.rmsprop(0.01)],
  ] as Array<[string, () => tf.Optimizer]>) {
    it(`${name}: 12 fit steps on simdnet match cpu within 1e-5; numTensors flat over 20 epochs`, async () => {
      const cpu = await fit('cpu', make, 2), sim = await fit('simdnet', make, 2);
      expect(sim.losses.length).toBe(12);
      expect(cpu.losses[11]).toBeLessThan(cpu.losses[0]);
      cpu.losses.forEach((l, i) => expect(Math.abs(sim.losses[i] - l) / l, `loss ${i}`).toBeLessThan(1e-5));
      sim.weights.forEach((w, i) => expect(relErr(w, cpu.weights[i]), `weight ${i}`).toBeLessThan(1e-5));
      const long = await fit('simdnet', make, 20);
      expect(new Set(long.counts).size, `numTensors per epoch: ${long.counts}`).toBe(1);
    });
  }
});
