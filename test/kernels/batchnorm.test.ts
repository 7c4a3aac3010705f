import { describe, expect, it } from 'vitest';
import { native } from '../../lib/native.js';
import * as ref from '../../lib/kernels/reference/batchnorm.js';
import * as nat from '../../lib/kernels/native/batchnorm.js';
import { batchNormBackward, batchNormForwardInfer, batchNormForwardTrain } from '../../lib/kernels/batchnorm.js';
import { expectClose as expectCloseAny } from '../helpers/compare.js';
import { testedIsas } from '../helpers/isa.js';
import { mulberryArray as rand } from '../helpers/random.js';
import { offsetView as view } from '../helpers/views.js';

const isas = testedIsas();
// Every value compared here is finite: a NaN on either side fails.
const expectClose = (got: ArrayLike<number>, want: ArrayLike<number>, atol: number, rtol: number, ctx: string) =>
  expectCloseAny(got, want, atol, rtol, ctx, { nanEqual: false });
const F = (a: Float64Array) => a as unknown as Float32Array; // the twin only indexes: float64 arrays run it in float64

describe('batch norm twin: gradient check by central differences in float64', () => {
  for (const affine of [true, false]) {
    it(`dx, dgamma, dbeta (${affine ? 'gamma/beta' : 'no scale/center'})`, () => {
      const m = 5, n = 3, eps = 1e-3, h = 1e-6;
      const x = Float64Array.from(rand(m * n, 1, -2, 2)), r = Float64Array.from(rand(m * n, 2));
      const gamma = Float64Array.from(rand(n, 3, 0.5, 1.5)), beta = Float64Array.from(rand(n, 4));
      const loss = (xx: Float64Array, g: Float64Array, b: Float64Array) => {
        const y = new Float64Array(m * n);
        ref.batchNormForwardTrain(m, n, 0.9, eps, F(xx), affine ? F(g) : null, affine ? F(b) : null, null, null,
          F(new Float64Array(n)), F(new Float64Array(n)), F(y));
        return y.reduce((s, v, i) => s + v * r[i], 0);
      };
      const sm = new Float64Array(n), si = new Float64Array(n), y = new Float64Array(m * n);
      ref.batchNormForwardTrain(m, n, 0.9, eps, F(x), affine ? F(gamma) : null, affine ? F(beta) : null, null, null, F(sm), F(si), F(y));
      const dx = new Float64Array(m * n), dg = new Float64Array(n), db = new Float64Array(n);
      ref.batchNormBackward(m, n, F(x), F(r), affine ? F(gamma) : null, F(sm), F(si), F(dx), F(dg), F(db));
      const numeric = (arr: Float64Array, i: number) => {
        const keep = arr[i];
        arr[i] = keep + h;
        const up = loss(x, gamma, beta);
        arr[i] = keep - h;
        const down = loss(x, gamma, beta);
        arr[i] = keep;
        return (up - down) / (2 * h);
      };
      for (let i = 0; i < m * n; i++) expect(Math.abs(dx[i] - numeric(x, i)), `dx[${i}]`).toBeLessThan(1e-6);
      if (affine) {
        for (let j = 0; j < n; j++) {
          expect(Math.abs(dg[j] - numeric(gamma, j)), `dgamma[${j}]`).toBeLessThan(1e-6);
          expect(Math.abs(db[j] - numeric(beta, j)), `dbeta[${j}]`).toBeLessThan(1e-6);
        }
      }
    });
  }
  it('normalizes to mean 0 / variance 1 and updates running stats the Keras way', () => {
    const m = 64, n = 4;
    const x = rand(m * n, 9, -3, 5), y = new Float32Array(m * n), sm = new Float32Array(n), si = new Float32Array(n);
    const rm = new Float32Array(n), rv = new Float32Array(n).fill(1);
    batchNormForwardTrain(m, n, 0.99, 1e-3, x, null, null, rm, rv, sm, si, y);
    for (let j = 0; j < n; j++) {
      let s = 0, ss = 0, mean = 0;
      for (let i = 0; i < m; i++) mean += x[i * n + j] / m;
      let v = 0;
      for (let i = 0; i < m; i++) v += (x[i * n + j] - mean) ** 2 / m; // biased
      for (let i = 0; i < m; i++) {
        s += y[i * n + j];
        ss += y[i * n + j] ** 2;
      }
      expect(Math.abs(s / m)).toBeLessThan(1e-5);
      expect(ss / m).toBeCloseTo(v / (v + 1e-3), 4);
      expect(rm[j]).toBeCloseTo(0.01 * mean, 6);
      expect(rv[j]).toBeCloseTo(0.99 + 0.01 * v, 6);
    }
  });
});

describe.runIf(native)('batch norm native == TS, every ISA, sizes, views', () => {
  for (const isa of isas) {
    it(`forward train/infer and backward [${isa}]`, () => {
      native!.setIsa(isa);
      for (const m of [1, 3, 32]) {
        for (const n of [1, 7, 8, 9, 17, 101, 255, 256, 257]) {  // 256: the driver's column block
          for (const affine of [true, false]) {
            const ctx = `m=${m} n=${n} affine=${affine} [${isa}]`;
            const x = rand(m * n, m * 100 + n, -2, 3), dy = rand(m * n, 5);
            const gamma = affine ? rand(n, 6, 0.5, 1.5) : null, beta = affine ? rand(n, 7) : null;
            const run = (impl: typeof ref, wrap: (a: Float32Array) => Float32Array) => {
              const rm = wrap(rand(n, 8, -0.1, 0.1)), rv = wrap(rand(n, 9, 0.9, 1.1));
              const sm = wrap(new Float32Array(n)), si = wrap(new Float32Array(n)), y = wrap(new Float32Array(m * n));
              impl.batchNormForwardTrain(m, n, 0.9, 1e-3, wrap(x), gamma && wrap(gamma), beta && wrap(beta), rm, rv, sm, si, y);
              const yi = wrap(new Float32Array(m * n));
              impl.batchNormForwardInfer(m, n, 1e-3, wrap(x), gamma && wrap(gamma), beta && wrap(beta), rm, rv, yi);
              const dx = wrap(new Float32Array(m * n)), dg = wrap(new Float32Array(n)), db = wrap(new Float32Array(n));
              impl.batchNormBackward(m, n, wrap(x), wrap(dy), gamma && wrap(gamma), sm, si, dx, dg, db);
              return { rm, rv, sm, si, y, yi, dx, dg, db };
            };
            const want = run(ref, (a) => a.slice());
            const got = run(nat, view);
            expectClose(got.sm, want.sm, 1e-6, 1e-5, `mean ${ctx}`);
            expectClose(got.si, want.si, 1e-5, 1e-4, `invStd ${ctx}`);
            expectClose(got.rm, want.rm, 1e-6, 1e-5, `runningMean ${ctx}`);
            expectClose(got.rv, want.rv, 1e-6, 1e-5, `runningVar ${ctx}`);
            expectClose(got.y, want.y, 1e-5, 1e-4, `y ${ctx}`);
            expectClose(got.yi, want.yi, 1e-5, 1e-4, `inference y ${ctx}`);
            expectClose(got.dx, want.dx, 1e-4, 1e-3, `dx ${ctx}`);
            expectClose(got.dg, want.dg, 1e-4, 1e-4, `dgamma ${ctx}`);
            expectClose(got.db, want.db, 1e-5, 1e-5, `dbeta ${ctx}`);
            const guard = new Float32Array(got.y.buffer);
            expect([guard[0], guard[m * n + 1]], `guards ${ctx}`).toEqual([777, 777]);
          }
        }
      }
    });
    it(`a large mean against a small spread keeps float accuracy, as the twin does [${isa}]`, () => {
      native!.setIsa(isa);
      // raw features such as years or prices: mean 1e4, std 0.01 (a folded x*a + (beta - mean*a) was 0.05 off)
      const m = 64, n = 9;
      const x = new Float32Array(m * n).map((_, i) => 1e4 + 0.01 * Math.sin(i * 1.3));
      const y = (impl: typeof ref) =>
        impl.batchNormForwardTrain(m, n, 0.9, 1e-12, x, null, null, null, null, new Float32Array(n), new Float32Array(n), new Float32Array(m * n));
      expectClose(y(nat), y(ref), 1e-5, 1e-5, `y [${isa}]`);
    });
  }
});

describe('batch norm validation', () => {
  const f = (k: number) => new Float32Array(k);
  it.each([
    ['m = 0 in training', () => batchNormForwardTrain(0, 2, 0.9, 1e-3, f(0), null, null, null, null, f(2), f(2), f(0)), RangeError],
    ['short x', () => batchNormForwardTrain(2, 2, 0.9, 1e-3, f(3), null, null, null, null, f(2), f(2), f(4)), RangeError],
    ['short gamma', () => batchNormForwardTrain(2, 2, 0.9, 1e-3, f(4), f(1), null, null, null, f(2), f(2), f(4)), RangeError],
    ['momentum > 1', () => batchNormForwardTrain(2, 2, 1.5, 1e-3, f(4), null, null, null, null, f(2), f(2), f(4)), RangeError],
    ['eps 0', () => batchNormForwardInfer(2, 2, 0, f(4), null, null, f(2), f(2), f(4)), RangeError],
    ['eps underflowing float32', () => batchNormForwardInfer(2, 2, 1e-50, f(4), null, null, f(2), f(2), f(4)), RangeError],
    ['Array for dy', () => batchNormBackward(1, 1, f(1), [1] as unknown as Float32Array, null, f(1), f(1), f(1), null, null), TypeError],
    ['short dbeta', () => batchNormBackward(1, 2, f(2), f(2), null, f(2), f(2), f(2), null, f(1)), RangeError],
  ])('rejects %s', (_, fn, type) => {
    expect(fn).toThrow(type as ErrorConstructor);
    expect(fn).toThrow(expect.objectContaining({ code: expect.stringMatching(/^SIMDNET_/) }));
  });
  it.runIf(native)('the addon re-checks', () => {
    const N = native!;
    expect(() => N.batchNormForwardTrain(0, 2, 0.9, 1e-3, f(0), null, null, null, null, f(2), f(2), f(0))).toThrow(RangeError);
    expect(() => N.batchNormForwardTrain(2, 2, 0.9, 1e-3, f(3), null, null, null, null, f(2), f(2), f(4))).toThrow(expect.objectContaining({ code: 'SIMDNET_BUFFER_TOO_SMALL' }));
    expect(() => N.batchNormForwardTrain(2 ** 30, 2 ** 30, 0.9, 1e-3, f(3), null, null, null, null, f(2), f(2), f(4))).toThrow(RangeError);
    expect(() => N.batchNormForwardInfer(1, 1, 0, f(1), null, null, f(1), f(1), f(1))).toThrow(RangeError);
    expect(() => N.batchNormForwardInfer(1, 1, 1e-3, f(1), null, null, null, f(1), f(1))).toThrow(TypeError);
    expect(() => N.batchNormBackward(1, 1, f(1), f(1), 'g', f(1), f(1), f(1), null, null)).toThrow(TypeError);
  });
});
