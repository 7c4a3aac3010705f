// The engine's split step (engine.gradientSums + engine.applyGradientSums, docs/engine.md "Distributed training"):
// together they are one trainStep -- same weights, optimizer state, step counter and logs -- on both engines,
// including penalties, clipping and an uneven batch; sums of two half batches applied with the whole count are the
// whole batch's step. No MPI needed.
import { describe, expect, it } from 'vitest';
import { JsEngine } from '../../lib/engine/js-engine.js';
import { NativeEngine } from '../../lib/engine/native-engine.js';
import type { Engine, PlanSpec } from '../../lib/engine/engine.js';
import { native } from '../../lib/native.js';

function plan(kind: 'sgd' | 'adam' | 'rmsprop'): PlanSpec {
  return {
    inputSize: 5,
    layers: [
      { name: 'd1', type: 'dense', inputSize: 5, units: 7, useBias: true, activation: { kind: 'tanh' },
        kernelInitializer: { kind: 'glorotUniform' }, biasInitializer: { kind: 'zeros' },
        kernelRegularizer: { l1: 1e-3, l2: 1e-2 }, biasRegularizer: null },
      { name: 'd2', type: 'dense', inputSize: 7, units: 3, useBias: true, activation: { kind: 'softmax' },
        kernelInitializer: { kind: 'glorotUniform' }, biasInitializer: { kind: 'zeros' }, kernelRegularizer: null, biasRegularizer: null },
    ],
    loss: 'categoricalCrossentropy', metrics: ['accuracy'],
    optimizer: { kind, learningRate: 0.05, clipNorm: 0.5, ...(kind === 'rmsprop' ? { momentum: 0.3 } : {}) }, seed: 11,
  };
}
function data(n: number): { x: Float32Array; y: Float32Array } {
  let s = 99;
  const r = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const x = Float32Array.from({ length: n * 5 }, () => r() * 2 - 1);
  const y = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) y[i * 3 + Math.floor(r() * 3)] = 1;
  return { x, y };
}
const flat = (e: Engine) => e.getParams().flatMap((p) => [...p]).concat(e.getOptimizerState().flatMap((p) => [...p]));

const engines: [string, (p: PlanSpec) => Engine][] = [['js', (p) => new JsEngine(p)]];
if (native) engines.push(['native', (p) => new NativeEngine(p)]);

describe.each(engines)('split step on the %s engine', (_name, make) => {
  for (const kind of ['sgd', 'adam', 'rmsprop'] as const) {
    it(`${kind}: gradientSums + applyGradientSums = trainStep (batch 8 and an uneven 5), half batches add up`, () => {
      const a = make(plan(kind)), b = make(plan(kind)), c = make(plan(kind));
      const g = new Float32Array(a.gradientSize());
      expect(a.gradientSize()).toBe(5 * 7 + 7 + 7 * 3 + 3);
      for (const n of [8, 5, 8]) {
        const { x, y } = data(n);
        const la = a.trainStep(x, y, n);
        const lb = b.gradientSums(x, y, n, g);
        b.applyGradientSums(g, n);
        expect(lb.loss).toBeCloseTo(la.loss, 6);
        expect(lb.accuracy).toBe(la.accuracy);
        // halves: rows [0, 4) and [4, n) summed, applied with the count n (what two ranks do)
        const h1 = new Float32Array(g.length), h2 = new Float32Array(g.length);
        c.gradientSums(x, y, 4, h1);
        c.gradientSums(x.subarray(4 * 5), y.subarray(4 * 3), n - 4, h2);
        for (let i = 0; i < g.length; i++) h1[i] += h2[i];
        c.applyGradientSums(h1, n);
      }
      expect(b.step).toBe(3);
      expect(c.step).toBe(3);
      const fa = flat(a), fb = flat(b), fc = flat(c);
      for (let i = 0; i < fa.length; i++) {
        expect(Math.abs(fb[i] - fa[i])).toBeLessThanOrEqual(1e-6 + 1e-5 * Math.abs(fa[i]));
        expect(Math.abs(fc[i] - fa[i])).toBeLessThanOrEqual(1e-6 + 1e-5 * Math.abs(fa[i]));
      }
    });
  }

  it('gradientSumsAsync + applyGradientSumsAsync equal the synchronous pair bit for bit (out in native memory or not)', async () => {
    const a = make(plan('adam')), b = make(plan('adam')), c = make(plan('adam'));
    const ga = new Float32Array(a.gradientSize()), gb = new Float32Array(a.gradientSize());
    const gc = native ? (native.allocF32(a.gradientSize()) as Float32Array) : new Float32Array(a.gradientSize());
    for (const n of [8, 5]) {
      const { x, y } = data(n);
      const la = a.gradientSums(x, y, n, ga);
      a.applyGradientSums(ga, n);
      const lb = await b.gradientSumsAsync(x, y, n, gb);
      expect([...gb]).toEqual([...ga]);
      await b.applyGradientSumsAsync(gb, n);
      const lc = await c.gradientSumsAsync(x, y, n, gc);
      expect([...gc]).toEqual([...ga]);
      await c.applyGradientSumsAsync(gc, n, a.getLearningRate());
      expect(lb).toEqual(la);
      expect(lc).toEqual(la);
    }
    expect(flat(b)).toEqual(flat(a));
    expect(flat(c)).toEqual(flat(a));
    expect(b.step).toBe(2);
  });

  it.runIf(_name === 'native')('reads while a job runs see one whole state: the one before the job, or after it', async () => {
    const e = make(plan('adam'));
    const { x, y } = data(8);
    const g = new Float32Array(e.gradientSize());
    for (let k = 0; k < 3; k++) {
      await e.gradientSumsAsync(x, y, 8, g);
      const before = flat(e);
      const p = e.applyGradientSumsAsync(g, 8);
      // served from the published copy (publishing held across the two reads): the job may be half-way through
      const during = (e as NativeEngine).consistentRead(() => flat(e));
      await p;
      const after = flat(e);
      expect(after).not.toEqual(before);
      expect(during.every((v, i) => v === before[i]) || during.every((v, i) => v === after[i])).toBe(true);
    }
  });

  it('bad arguments are coded errors', () => {
    const e = make(plan('sgd'));
    const { x, y } = data(4);
    expect(() => e.gradientSums(x, y, 4, new Float32Array(3))).toThrow(expect.objectContaining({ code: 'SIMDNET_BUFFER_TOO_SMALL' }));
    expect(() => e.applyGradientSums(new Float32Array(e.gradientSize()), 0)).toThrow(/count/);
  });
});
