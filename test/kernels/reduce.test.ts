import { describe, expect, it } from 'vitest';
import { native } from '../../lib/native.js';
import { colSum, firstNonFinite, mean, rowArgmax, sum, sumSquares } from '../../lib/kernels/reduce.js';
import * as nat from '../../lib/kernels/native/reduce.js';
import * as ref from '../../lib/kernels/reference/reduce.js';
import { testedIsas } from '../helpers/isa.js';
import { lcgArray } from '../helpers/random.js';

const SIZES = [1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 101];

const rand = (n: number, seed: number, lo = -1, hi = 1, offset = 0) => lcgArray(n, seed, lo, hi, offset);
const isas = testedIsas();

describe.runIf(native)('reduce: native on every ISA vs the TS twin', () => {
  for (const isa of isas)
    it(`colSum, rowArgmax, sum, sumSquares, mean [${isa}]`, () => {
      native!.setIsa(isa);
      for (const n of SIZES)
        for (const m of [1, 5, 64]) {
          const ldx = n + 2;
          const x = rand(m * ldx, n * 31 + m, -1, 1, 1); // byteOffset 4
          const ctx = `isa=${isa} m=${m} n=${n}`;
          for (const acc of [false, true]) {
            const out = rand(n, 9), outR = out.slice();
            nat.colSum(m, n, x, ldx, acc, out);
            ref.colSum(m, n, x, ldx, acc, outR);
            for (let j = 0; j < n; j++) expect(Math.abs(out[j] - outR[j]), `colSum ${ctx} j=${j}`).toBeLessThan(1e-5);
          }
          if (m > 1 && n > 2) { x[ldx + 2] = 5; x[ldx + n - 1] = 5; x[2 * ldx + n - 1] = NaN; }
          const am = nat.rowArgmax(m, n, x, ldx, new Int32Array(m));
          expect(Array.from(am), `argmax ${ctx}`).toEqual(Array.from(ref.rowArgmax(m, n, x, ldx, new Int32Array(m))));
          const flat = rand(m * n, n + m, -3, 3, 1);
          // Double accumulation in a different order: relative 1e-12.
          const near = (a: number, b: number, what: string) => expect(Math.abs(a - b), `${what} ${ctx}`).toBeLessThan(1e-12 * Math.max(1, Math.abs(b)));
          near(nat.sum(m * n, flat), ref.sum(m * n, flat), 'sum');
          near(nat.sumSquares(m * n, flat), ref.sumSquares(m * n, flat), 'sumSquares');
          near(nat.mean(m * n, flat), ref.mean(m * n, flat), 'mean');
        }
      expect(nat.mean(0, new Float32Array(0))).toBeNaN();
    });

  // Every position of the first Inf/-Inf/NaN across the vector blocks (4 vectors per test) and the scalar tail, a
  // later bad value that must not win, subnormals (finite), a view at a 4-byte offset, and the copy: every value.
  for (const isa of isas)
    it(`firstNonFinite with and without a copy [${isa}]`, () => {
      native!.setIsa(isa);
      for (const n of [0, 1, 15, 16, 63, 64, 65, 130, 257]) {
        const x = rand(n, n + 7, -2, 2, 1);
        if (n > 3) x[3] = 1e-40;
        const copy = new Float32Array(n + 1).fill(-7), copyR = copy.slice();
        expect(nat.firstNonFinite(n, x, copy)).toBe(-1);
        expect(ref.firstNonFinite(n, x, copyR)).toBe(-1);
        expect(Array.from(copy)).toEqual(Array.from(copyR));
        expect(nat.firstNonFinite(n, x, null)).toBe(-1);
        for (let at = 0; at < n; at++)
          for (const bad of [Infinity, -Infinity, NaN]) {
            const y = x.slice();
            y[at] = bad;
            if (at + 9 < n) y[at + 9] = NaN;
            const c = new Float32Array(n + 1).fill(-7);
            const ctx = `isa=${isa} n=${n} at=${at} bad=${bad}`;
            expect(nat.firstNonFinite(n, y, null), ctx).toBe(at);
            expect(nat.firstNonFinite(n, y, c), ctx).toBe(at);
            expect(ref.firstNonFinite(n, y, null), ctx).toBe(at);
            expect(Array.from(c.subarray(0, n)), ctx).toEqual(Array.from(y));
            expect(c[n], ctx).toBe(-7);
          }
      }
    });
});

describe('reduce: public API', () => {
  it('computes the expected values', () => {
    const x = Float32Array.of(1, 2, 3, 4, 5, 6);
    expect(Array.from(colSum(2, 3, x, 3, false, new Float32Array(3)))).toEqual([5, 7, 9]);
    expect(Array.from(colSum(2, 2, x, 3, true, Float32Array.of(1, 1)))).toEqual([6, 8]);
    expect(Array.from(rowArgmax(2, 3, Float32Array.of(1, 3, 3, NaN, 9, NaN), 3, new Int32Array(2)))).toEqual([1, 0]);
    expect(sum(6, x)).toBe(21);
    expect(sumSquares(3, x)).toBe(14);
    expect(mean(6, x)).toBe(3.5);
    const y = Float32Array.of(1, 2, Infinity, NaN), c = new Float32Array(4);
    expect(firstNonFinite(4, y)).toBe(2);
    expect(firstNonFinite(2, y)).toBe(-1);
    expect(firstNonFinite(4, y, c)).toBe(2);
    expect(Array.from(c)).toEqual([1, 2, Infinity, NaN]);
  });
  it('rejects bad input with coded errors', () => {
    const x = new Float32Array(6);
    const code = (c: string) => expect.objectContaining({ code: c });
    expect(() => colSum(2, 3, x, 2, false, new Float32Array(3))).toThrow(code('SIMDNET_INVALID_ARGUMENT'));
    expect(() => colSum(3, 3, x, 3, false, new Float32Array(3))).toThrow(code('SIMDNET_BUFFER_TOO_SMALL'));
    expect(() => colSum(2, 3, x, 3, 1 as unknown as boolean, new Float32Array(3))).toThrow(TypeError);
    expect(() => rowArgmax(2, 3, x, 3, new Float32Array(2) as unknown as Int32Array)).toThrow(TypeError);
    expect(() => sum(7, x)).toThrow(code('SIMDNET_BUFFER_TOO_SMALL'));
    expect(() => sumSquares(NaN, x)).toThrow(RangeError);
    expect(() => mean(-1, x)).toThrow(RangeError);
    expect(() => firstNonFinite(7, x)).toThrow(code('SIMDNET_BUFFER_TOO_SMALL'));
    expect(() => firstNonFinite(6, x, new Float32Array(5))).toThrow(code('SIMDNET_BUFFER_TOO_SMALL'));
    expect(() => firstNonFinite(4, x, x.subarray(2))).toThrow(code('SIMDNET_INVALID_ARGUMENT'));
    expect(() => firstNonFinite(2, x, [0, 0] as unknown as Float32Array)).toThrow(TypeError);
  });
  it.runIf(native)('the addon itself rejects bad input with coded errors', () => {
    const x = new Float32Array(6);
    const code = (c: string) => expect.objectContaining({ code: c });
    expect(() => native!.colSum(2, 3, x, 2, false, new Float32Array(3))).toThrow(code('SIMDNET_INVALID_ARGUMENT'));
    expect(() => native!.colSum(2, 3, x.subarray(1), 3, false, new Float32Array(3))).toThrow(code('SIMDNET_BUFFER_TOO_SMALL'));
    expect(() => native!.colSum(2, 3, x, 3, 'yes', new Float32Array(3))).toThrow(TypeError);
    expect(() => native!.rowArgmax(2, 3, x, 3, new Int32Array(1))).toThrow(code('SIMDNET_BUFFER_TOO_SMALL'));
    expect(() => native!.sum(1.5, x)).toThrow(RangeError);
    expect(() => native!.sumSquares(2, null)).toThrow(TypeError);
    const buf = new ArrayBuffer(24);
    const det = new Float32Array(buf);
    structuredClone(buf, { transfer: [buf] });
    expect(() => native!.mean(0, det)).toThrow(code('SIMDNET_DETACHED_BUFFER'));
    expect(() => native!.firstNonFinite(3, det, null)).toThrow(code('SIMDNET_DETACHED_BUFFER'));
    expect(() => native!.firstNonFinite(3, x, det)).toThrow(code('SIMDNET_DETACHED_BUFFER'));
    expect(() => native!.firstNonFinite(6, x, new Float32Array(5))).toThrow(code('SIMDNET_BUFFER_TOO_SMALL'));
    expect(() => native!.firstNonFinite(4, x, x.subarray(1))).toThrow(code('SIMDNET_INVALID_ARGUMENT'));
    expect(() => native!.firstNonFinite(2, x, 'copy')).toThrow(TypeError);
  });
});
