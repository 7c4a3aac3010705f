import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { native } from '../../lib/native.js';
import { setBackend, getBackend } from '../../lib/backend.js';
import * as ref from '../../lib/kernels/reference/optim.js';
import * as nat from '../../lib/kernels/native/optim.js';
import * as pub from '../../lib/kernels/optim.js';
import { expectClose } from '../helpers/compare.js';
import { testedIsas } from '../helpers/isa.js';
import { mulberry32 } from '../helpers/random.js';
import { offsetView as view } from '../helpers/views.js';

type Impl = typeof ref;
const FIX = join(import.meta.dirname, '..', 'fixtures');
const isas = testedIsas();

interface Fixture {
  name: string; kernel: string; hyper: Record<string, number | boolean>; n: number; steps: number;
  w0: number[]; grads: number[][]; expected: number[][];
}
const fixtures: Fixture[] = readdirSync(FIX).filter((f) => f.startsWith('optim-'))
  .map((f) => JSON.parse(readFileSync(join(FIX, f), 'utf8')) as Fixture);

/** Replays a fixture through an implementation; returns the weights after every step. */
function replay(impl: Impl, fx: Fixture): Float32Array[] {
  const h = fx.hyper as Record<string, never>;
  const n = fx.n;
  const w = Float32Array.from(fx.w0);
  const s1 = new Float32Array(n), s2 = new Float32Array(n), s3 = new Float32Array(n);
  const out: Float32Array[] = [];
  for (let t = 1; t <= fx.steps; t++) {
    const g = Float32Array.from(fx.grads[t - 1]);
    switch (fx.kernel) {
      case 'sgd': impl.sgd(n, h.lr, h.wd, w, g); break;
      case 'momentum': impl.momentum(n, h.lr, h.mu, h.dampening, h.wd, h.nesterov, t === 1, w, g, s1); break;
      case 'adagrad':
        if (t === 1) s1.fill(h.initial);
        impl.adagrad(n, h.lr, h.eps, h.wd, w, g, s1);
        break;
      case 'rmsprop':
        impl.rmsprop(n, h.lr, h.rho, h.eps, h.wd, h.momentum, h.centered, w, g, s1, h.centered ? s2 : null, h.momentum > 0 ? s3 : null);
        break;
      case 'adam': {
        // bias corrections from the float32 betas, as the engines compute them
        const b1 = Math.fround(h.beta1), b2 = Math.fround(h.beta2);
        const args = { lr: h.lr, beta1: h.beta1, beta2: h.beta2, eps: h.eps, weightDecay: h.weightDecay,
          bc1: 1 - b1 ** t, bc2: 1 - b2 ** t, amsgrad: h.amsgrad, decoupled: h.decoupled };
        impl.adam(n, args, w, g, s1, s2, h.amsgrad ? s3 : null);
        break;
      }
      default: throw new Error(`unknown kernel ${fx.kernel}`);
    }
    out.push(w.slice());
  }
  return out;
}

describe('optimizers vs PyTorch 1.13 fixtures', () => {
  it('has the fixture files', () => expect(fixtures.length).toBeGreaterThanOrEqual(15));
  for (const fx of fixtures) {
    it(`${fx.name} (TS twin)`, () => {
      replay(ref, fx).forEach((w, t) => expectClose(w, fx.expected[t], 2e-6, 2e-5, `${fx.name} step ${t + 1} [ts]`));
    });
    for (const isa of isas) {
      it(`${fx.name} [${isa}]`, () => {
        native!.setIsa(isa);
        replay(nat, fx).forEach((w, t) => expectClose(w, fx.expected[t], 2e-6, 2e-5, `${fx.name} step ${t + 1} [${isa}]`));
      });
    }
  }
});

describe('penalties and clipping vs fixtures and by hand', () => {
  const pen = JSON.parse(readFileSync(join(FIX, 'penalty.json'), 'utf8'));
  const clip = JSON.parse(readFileSync(join(FIX, 'clip.json'), 'utf8'));
  const impls: [string, Impl][] = [['ts', ref], ...isas.map((i) => [i, nat] as [string, Impl])];
  for (const [name, impl] of impls) {
    it(`penalty gradient/value and clip [${name}]`, () => {
      if (name !== 'ts') native!.setIsa(name);
      for (const c of pen.cases) {
        const g = Float32Array.from(pen.g0);
        impl.addPenaltyGrad(pen.n, c.l1, c.l2, Float32Array.from(pen.w), g);
        expectClose(g, pen.g0.map((x: number, i: number) => x + c.grad[i]), 1e-7, 1e-6, `penalty l1=${c.l1} l2=${c.l2} [${name}]`);
        expect(impl.penaltyValue(pen.n, c.l1, c.l2, Float32Array.from(pen.w))).toBeCloseTo(c.value, 6);
      }
      const g = Float32Array.from(clip.g);
      impl.clipValue(clip.n, clip.clipValue, g);
      expect(Array.from(g)).toEqual(clip.clipped.map(Math.fround));
      // clip by global norm: scale = clipNorm / max(norm, clipNorm)
      let ss = 0;
      for (const x of clip.g.map(Math.fround)) ss += x * x;
      const s = clip.clipNorm / Math.max(Math.sqrt(ss), clip.clipNorm);
      expect(s).toBeCloseTo(clip.scale, 12);
      const h = Float32Array.from(clip.g);
      impl.scaleInplace(clip.n, s, h);
      expectClose(h, clip.g.map((x: number) => Math.fround(Math.fround(x) * Math.fround(s))), 0, 0, `scale [${name}]`);
      // by hand: sign(0) = 0, NaN survives clipping
      const w3 = new Float32Array([-2, 0, 3]), g3 = new Float32Array([0, 1, 0]);
      impl.addPenaltyGrad(3, 0.25, 0.5, w3, g3);
      expect(Array.from(g3)).toEqual([-2.25, 1, 3.25]);
      const gn = new Float32Array([NaN, 5, -5, 0.5]);
      impl.clipValue(4, 1, gn);
      expect(Number.isNaN(gn[0])).toBe(true);
      expect(Array.from(gn.subarray(1))).toEqual([1, -1, 0.5]);
    });
  }
});

describe('optimizer steps worked out by hand', () => {
  const impls: [string, Impl][] = [['ts', ref], ...isas.map((i) => [i, nat] as [string, Impl])];
  for (const [name, impl] of impls) {
    it(`first steps [${name}]`, () => {
      if (name !== 'ts') native!.setIsa(name);
      const n = 19; // one 8-wide body twice + leftovers
      const fill = (v: number) => new Float32Array(n).fill(v);
      // sgd: 1 - 0.1*(0.5 + 0.1*1) = 0.94
      let w = fill(1);
      impl.sgd(n, 0.1, 0.1, w, fill(0.5));
      expectClose(w, fill(0.94), 1e-7, 0, `sgd [${name}]`);
      // momentum, first step: buffer = g (dampening ignored), w = -0.1; second: b = 1.9, w = -0.29
      w = fill(0);
      const b = fill(123);
      impl.momentum(n, 0.1, 0.9, 0.5, 0, false, true, w, fill(1), b);
      expectClose(b, fill(1), 0, 0, `momentum buffer [${name}]`);
      impl.momentum(n, 0.1, 0.9, 0, 0, false, false, w, fill(1), b);
      expectClose(w, fill(-0.29), 1e-6, 0, `momentum [${name}]`);
      // nesterov first step: 0 - 0.1 * (1 + 0.9*1) = -0.19
      w = fill(0);
      impl.momentum(n, 0.1, 0.9, 0, 0, true, true, w, fill(1), fill(0));
      expectClose(w, fill(-0.19), 1e-6, 0, `nesterov [${name}]`);
      // adam step 1: m/bc1 = g, v/bc2 = g^2 -> w -= lr * g/(|g| + eps) = lr * sign(g); adamw first shrinks by 1 - lr*wd
      w = fill(1);
      impl.adam(n, { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, bc1: 1 - 0.9, bc2: 1 - 0.999, amsgrad: false, decoupled: false }, w, fill(-3), fill(0), fill(0), null);
      expectClose(w, fill(1.01), 1e-6, 0, `adam [${name}]`);
      w = fill(1);
      impl.adam(n, { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.5, bc1: 1 - 0.9, bc2: 1 - 0.999, amsgrad: true, decoupled: true }, w, fill(-3), fill(0), fill(0), fill(0));
      expectClose(w, fill(1.005), 1e-6, 0, `adamw [${name}]`);
      // adagrad: s = 4, w = 1 - 0.1*2/2 = 0.9
      w = fill(1);
      const s = fill(0);
      impl.adagrad(n, 0.1, 0, 0, w, fill(2), s);
      expectClose(s, fill(4), 0, 0, `adagrad state [${name}]`);
      expectClose(w, fill(0.9), 1e-7, 0, `adagrad [${name}]`);
      // centered rmsprop, rho 0.9: v = 0.4, a = 0.2, var = 0.36 -> w = 1 - 0.01*2/0.6
      w = fill(1);
      impl.rmsprop(n, 0.01, 0.9, 0, 0, 0, true, w, fill(2), fill(0), fill(0), null);
      expectClose(w, fill(1 - 0.02 / 0.6), 1e-6, 0, `rmsprop centered [${name}]`);
    });
  }
});

// Seeded pseudo-random floats (mulberry32) in offset + scale * [-1, 1).
function rand(n: number, seed: number, scale = 1, offset = 0): Float32Array {
  const next = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = offset + scale * (next() * 2 - 1);
  return out;
}

// Buffers go through offsetView: views at byteOffset 4 (element 0 and the last one must stay untouched).

describe.runIf(native)('native == TS twin, every ISA, tile-edge sizes, offset views', () => {
  const sizes = [1, 7, 8, 9, 17, 101];
  type Run = (impl: Impl, n: number, b: Float32Array[]) => void;
  const ops: [string, Run][] = [
    ['sgd', (im, n, [w, g]) => im.sgd(n, 0.1, 0.01, w, g)],
    ['momentum', (im, n, [w, g, s1]) => im.momentum(n, 0.1, 0.9, 0.1, 0.01, false, false, w, g, s1)],
    ['nesterov-first', (im, n, [w, g, s1]) => im.momentum(n, 0.1, 0.9, 0, 0.01, true, true, w, g, s1)],
    ['adagrad', (im, n, [w, g, s1]) => im.adagrad(n, 0.1, 1e-7, 0.01, w, g, s1)],
    ['rmsprop', (im, n, [w, g, s1]) => im.rmsprop(n, 0.01, 0.9, 1e-7, 0, 0, false, w, g, s1, null, null)],
    ['rmsprop-centered-momentum', (im, n, [w, g, s1, s2, s3]) => im.rmsprop(n, 0.01, 0.9, 1e-7, 0.01, 0.5, true, w, g, s1, s2, s3)],
    ['adam', (im, n, [w, g, s1, s2]) => im.adam(n, { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, bc1: 0.271, bc2: 0.003, amsgrad: false, decoupled: false }, w, g, s3of(s1), s2, null)],
    ['adamw-amsgrad', (im, n, [w, g, s1, s2, s3]) => im.adam(n, { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, bc1: 0.271, bc2: 0.003, amsgrad: true, decoupled: true }, w, g, s3, s2, s1)],
    ['penalty', (im, n, [w, g]) => im.addPenaltyGrad(n, 0.01, 0.02, w, g)],
    ['clip+scale', (im, n, [, g]) => { im.clipValue(n, 0.2, g); im.scaleInplace(n, 0.7, g); }],
  ];
  function s3of(x: Float32Array) { return x; }
  const buffers = (n: number, seed: number) => [
    rand(n, seed, 1), rand(n, seed + 1, 0.5), rand(n, seed + 2, 0.5, 0.6), rand(n, seed + 3, 0.05, 0.05), rand(n, seed + 4, 0.2),
  ];
  for (const isa of isas) {
    for (const [name, run] of ops) {
      it(`${name} [${isa}]`, () => {
        native!.setIsa(isa);
        for (const n of sizes) {
          const want = buffers(n, n * 10);
          const got = want.map(view);
          run(ref, n, want);
          run(nat, n, got);
          got.forEach((b, k) => {
            expectClose(b, want[k], 1e-6, 1e-5, `${name} buffer ${k} n=${n} [${isa}]`);
            const big = new Float32Array(b.buffer);
            expect([big[0], big[n + 1]], `guard elements n=${n}`).toEqual([777, 777]);
          });
        }
        for (const n of sizes) {
          const w = rand(n, 5 + n);
          // the addon takes l1, l2 as float32 (0.3f != 0.3): relative 1e-6
          expectClose([nat.penaltyValue(n, 0.3, 0.7, view(w))], [ref.penaltyValue(n, 0.3, 0.7, w)], 0, 1e-6, `penalty value n=${n} [${isa}]`);
        }
      });
    }
  }
});

describe('public API validation', () => {
  const f = (n: number) => new Float32Array(n);
  const adamArgs = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, bc1: 0.1, bc2: 0.001, amsgrad: false, decoupled: false };
  const cases: [string, () => unknown, ErrorConstructor, string][] = [
    ['negative n', () => pub.sgd(-1, 0.1, 0, f(1), f(1)), RangeError, 'SIMDNET_INVALID_ARGUMENT'],
    ['short g', () => pub.sgd(4, 0.1, 0, f(4), f(3)), RangeError, 'SIMDNET_BUFFER_TOO_SMALL'],
    ['NaN lr', () => pub.sgd(1, NaN, 0, f(1), f(1)), RangeError, 'SIMDNET_INVALID_ARGUMENT'],
    ['Float64Array', () => pub.sgd(1, 0.1, 0, new Float64Array(1) as unknown as Float32Array, f(1)), TypeError, 'SIMDNET_INVALID_ARGUMENT'],
    ['nesterov with dampening', () => pub.momentum(1, 0.1, 0.9, 0.1, 0, true, true, f(1), f(1), f(1)), RangeError, 'SIMDNET_INVALID_ARGUMENT'],
    ['string flag', () => pub.momentum(1, 0.1, 0.9, 0, 0, 'no' as unknown as boolean, true, f(1), f(1), f(1)), TypeError, 'SIMDNET_INVALID_ARGUMENT'],
    ['centered without gradAvg', () => pub.rmsprop(1, 0.1, 0.9, 1e-7, 0, 0, true, f(1), f(1), f(1), null, null), TypeError, 'SIMDNET_INVALID_ARGUMENT'],
    ['momentum without buf', () => pub.rmsprop(1, 0.1, 0.9, 1e-7, 0, 0.5, false, f(1), f(1), f(1), null, null), TypeError, 'SIMDNET_INVALID_ARGUMENT'],
    ['rho = 1', () => pub.rmsprop(1, 0.1, 1, 1e-7, 0, 0, false, f(1), f(1), f(1), null, null), RangeError, 'SIMDNET_INVALID_ARGUMENT'],
    ['amsgrad without vmax', () => pub.adam(1, { ...adamArgs, amsgrad: true }, f(1), f(1), f(1), f(1), null), TypeError, 'SIMDNET_INVALID_ARGUMENT'],
    ['bc1 = 0', () => pub.adam(1, { ...adamArgs, bc1: 0 }, f(1), f(1), f(1), f(1), null), RangeError, 'SIMDNET_INVALID_ARGUMENT'],
    ['negative clip', () => pub.clipValue(1, -1, f(1)), RangeError, 'SIMDNET_INVALID_ARGUMENT'],
    ['negative l2', () => pub.penaltyValue(1, 0, -1, f(1)), RangeError, 'SIMDNET_INVALID_ARGUMENT'],
  ];
  for (const backend of native ? (['native', 'js'] as const) : (['js'] as const)) {
    it.each(cases)(`rejects %s [${backend}]`, (_, fn, type, code) => {
      const before = getBackend();
      setBackend(backend);
      try {
        expect(fn).toThrow(type);
        expect(fn).toThrow(expect.objectContaining({ code }));
      } finally {
        setBackend(before);
      }
    });
  }
  it.runIf(native)('the addon re-checks every argument (never crashes)', () => {
    const N = native!;
    expect(() => N.sgd(2, 0.1, 0, f(2), f(1))).toThrow(expect.objectContaining({ code: 'SIMDNET_BUFFER_TOO_SMALL' }));
    expect(() => N.sgd(1.5, 0.1, 0, f(2), f(2))).toThrow(RangeError);
    expect(() => N.sgd(1, 1e39, 0, f(2), f(2))).toThrow(RangeError);
    expect(() => N.sgd(1, 0.1, 0, f(2))).toThrow(TypeError);
    expect(() => N.momentum(1, 0.1, 0.9, 0, 0, 1, true, f(1), f(1), f(1))).toThrow(TypeError);
    expect(() => N.rmsprop(1, 0.1, 0.9, 1e-7, 0, 0, true, f(1), f(1), f(1), null, null)).toThrow(TypeError);
    expect(() => N.rmsprop(1, 0.1, 0.9, 1e-7, 0, 0.9, false, f(1), f(1), f(1), null, undefined)).toThrow(TypeError);
    expect(() => N.adam(1, 0.1, 0.9, 0.99, 1e-8, 0, 0.1, 0.01, true, false, f(1), f(1), f(1), f(1), null)).toThrow(TypeError);
    expect(() => N.adam(1, 0.1, 0.9, 0.99, 1e-8, 0, 0, 0.01, false, false, f(1), f(1), f(1), f(1), null)).toThrow(RangeError);
    expect(() => N.clipValue(1, -1, f(1))).toThrow(RangeError);
    const ab = new ArrayBuffer(8);
    const v = new Float32Array(ab);
    structuredClone(ab, { transfer: [ab] });
    expect(() => N.scaleInplace(0, 2, v)).toThrow(expect.objectContaining({ code: 'SIMDNET_DETACHED_BUFFER' }));
  });
});
