/**
 * The element-wise losses (meanAbsoluteError, huber, logCosh, hinge, squaredHinge, kullbackLeiblerDivergence, poisson)
 * against Keras 3 (test/fixtures/keras-losses.json, written by tools/fixtures/keras-losses.py): value and gradient of
 * the kernels (pure TS twin and native on every ISA), then both engines end to end; plus central differences.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Dense, Sequential, optimizers } from '../../lib/index.js';
import { native } from '../../lib/native.js';
import * as ref from '../../lib/kernels/reference/losses.js';
import * as nat from '../../lib/kernels/native/losses.js';
import { elementwise, type ElemLossKind } from '../../lib/kernels/losses.js';
import type { LossName } from '../../lib/engine/engine.js';
import { BACKENDS } from '../models/backends.js';
import { testedIsas } from '../helpers/isa.js';
import { lcg } from '../helpers/random.js';

interface Case {
  kind: ElemLossKind; options: { delta?: number; labels?: string }; m: number; n: number;
  yTrue: number[]; yPred: number[]; sampleWeight: number[] | null; loss: number; grad: number[];
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/keras-losses.json', import.meta.url), 'utf8')) as { cases: Case[] };
const LOSS_OF: Record<ElemLossKind, LossName> = {
  mae: 'meanAbsoluteError', huber: 'huber', logCosh: 'logCosh', hinge: 'hinge', squaredHinge: 'squaredHinge',
  kld: 'kullbackLeiblerDivergence', poisson: 'poisson',
};
const param = (c: Case) => (c.kind === 'huber' ? c.options.delta! : 1e-7);
const label = (c: Case) => `${c.kind} ${JSON.stringify(c.options)}${c.sampleWeight ? ' weighted' : ''}`;
const REL = 1e-5;

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, rel = REL): void {
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  const bad: string[] = [];
  for (let i = 0; i < expected.length; i++)
    if (!(Math.abs(actual[i] - expected[i]) <= rel * scale + 1e-9)) bad.push(`[${i}] ${actual[i]} vs ${expected[i]}`);
  expect(bad, what).toEqual([]);
}

describe('element-wise loss kernels match Keras 3 (value and d/dy_pred)', () => {
  it('the fixture covers every loss, weighted and not', () => {
    expect(new Set(fixture.cases.map((c) => c.kind)).size).toBe(7);
    expect(fixture.cases.filter((c) => c.sampleWeight).length).toBe(fixture.cases.length / 2);
  });

  const impls: [string, typeof ref.elementwise, string | null][] = [['ts twin', ref.elementwise, null]];
  for (const isa of testedIsas()) impls.push([`native ${isa}`, nat.elementwise, isa]);
  for (const [name, fn, isa] of impls) {
    it(name, () => {
      if (isa) native!.setIsa(isa);
      for (const c of fixture.cases) {
        const t = Float32Array.from(c.yTrue), p = Float32Array.from(c.yPred);
        const w = c.sampleWeight ? Float32Array.from(c.sampleWeight) : null;
        const g = new Float32Array(c.m * c.n);
        const v = fn(c.kind, c.m, c.n, param(c), t, p, w, g);
        expect(Math.abs(v - c.loss), `${label(c)} loss ${v} vs ${c.loss}`).toBeLessThanOrEqual(REL * Math.abs(c.loss));
        expectClose(g, c.grad, `${label(c)} grad`);
        // Without grad: the same value; grad aliasing p: the same gradient.
        expect(fn(c.kind, c.m, c.n, param(c), t, p, w, null)).toBe(v);
        const pa = p.slice();
        fn(c.kind, c.m, c.n, param(c), t, pa, w, pa);
        expect(pa).toEqual(g);
      }
    });
  }
});

describe('central differences of the element-wise losses (float64 twin; native within float32 rounding)', () => {
  const kinds: ElemLossKind[] = ['mae', 'huber', 'logCosh', 'hinge', 'squaredHinge', 'kld', 'poisson'];
  for (const kind of kinds) {
    it(kind, () => {
      const m = 4, n = 3, r = lcg(7 + kinds.indexOf(kind));
      const t = Float32Array.from({ length: m * n }, () => (kind === 'hinge' || kind === 'squaredHinge' ? (r() > 0.5 ? 1 : 0) : kind === 'poisson' ? Math.floor(4 * r()) : r()));
      const p = Float32Array.from({ length: m * n }, () => (kind === 'kld' ? 0.05 + 0.9 * r() : kind === 'poisson' ? 0.2 + 3 * r() : 4 * r() - 2));
      const w = Float32Array.from({ length: m }, () => 2 * r());
      const c = kind === 'huber' ? 0.7 : 1e-7;
      for (const weights of [null, w]) {
        const g = new Float32Array(m * n);
        ref.elementwise(kind, m, n, c, t, p, weights, g);
        const gn = new Float32Array(m * n);
        if (native) elementwise(kind, m, n, c, t, p, weights, gn);
        for (let i = 0; i < m * n; i++) {
          const h = 1e-3, q = Float32Array.from(p);
          // Kinks (|e| = delta, e = 0, 1 - t'p = 0) are not at these random points; central differences of float64
          // math on float32-representable steps.
          q[i] = p[i] + h; const up = ref.elementwise(kind, m, n, c, t, q, weights, null);
          q[i] = p[i] - h; const down = ref.elementwise(kind, m, n, c, t, q, weights, null);
          const du = Math.fround(p[i] + h) - p[i], dd = Math.fround(p[i] - h) - p[i];
          const num = (up - down) / (du - dd);
          expect(Math.abs(g[i] - num), `${kind} [${i}] analytic ${g[i]} vs numeric ${num}`).toBeLessThanOrEqual(1e-4 * Math.abs(num) + 1e-6);
          if (native) expect(Math.abs(gn[i] - num), `${kind} native [${i}]`).toBeLessThanOrEqual(1e-4 * Math.abs(num) + 1e-6);
        }
      }
    });
  }
});

describe('both engines train with the element-wise losses as Keras computes them', () => {
  // One linear Dense layer with an identity kernel: its output is x = y_pred exactly, so the engine's loss is Keras's
  // value, and one SGD step moves the kernel by -lr * x^T g with g = Keras's d(loss)/d(y_pred).
  const cases = fixture.cases.filter((c) => !c.sampleWeight);
  for (const backend of BACKENDS) {
    it(backend, () => {
      for (const c of cases) {
        const { m, n } = c;
        const model = new Sequential([new Dense({ units: n, inputShape: [n], useBias: false })]);
        const lr = 64;
        model.compile({ optimizer: optimizers.sgd({ learningRate: lr }), loss: LOSS_OF[c.kind], backend, seed: 1,
          ...(c.kind === 'huber' ? { huberDelta: c.options.delta } : {}) });
        const eye = new Float32Array(n * n);
        for (let i = 0; i < n; i++) eye[i * n + i] = 1;
        model.setWeights([eye]);
        const x = Float32Array.from(c.yPred), y = Float32Array.from(c.yTrue);
        const ev = model.evaluate(x, y, { batchSize: m }) as { loss: number } | number;
        const evLoss = typeof ev === 'number' ? ev : ev.loss;
        expect(Math.abs(evLoss - c.loss), `${label(c)} evaluate ${evLoss} vs ${c.loss}`).toBeLessThanOrEqual(REL * Math.abs(c.loss));
        const logs = model.trainOnBatch(x, y);
        expect(Math.abs(logs.loss - c.loss), `${label(c)} trainOnBatch`).toBeLessThanOrEqual(REL * Math.abs(c.loss));
        const k = model.getWeights()[0].data();
        const want = new Float64Array(n * n), got = new Float64Array(n * n);
        for (let i = 0; i < n; i++)
          for (let j = 0; j < n; j++) {
            let s = 0;
            for (let r = 0; r < m; r++) s += c.yPred[r * n + i] * c.grad[r * n + j];
            want[i * n + j] = s;
            got[i * n + j] = (eye[i * n + j] - k[i * n + j]) / lr;
          }
        expectClose(got, want, `${label(c)} kernel step`, 2e-5);
        model.dispose();
      }
    });
  }
});
