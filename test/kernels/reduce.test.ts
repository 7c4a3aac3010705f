import { afterAll, describe, expect, it } from 'vitest';
import { native } from '../../lib/native.js';
import { colSum, mean, rowArgmax, sum, sumSquares } from '../../lib/kernels/reduce.js';
import * as nat from '../../lib/kernels/native/reduce.js';
import * as ref from '../../lib/kernels/reference/reduce.js';

const SIZES = [1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 101];

function rand(n: number, seed: number, lo = -1, hi = 1, offset = 0): Float32Array {
  const buf = new Float32Array(n + offset).subarray(offset);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    buf[i] = lo + ((hi - lo) * (s >>> 8)) / 16777216;
  }
  return buf;
}

const isas: string[] = native ? native.availableIsas() : [];
const initialIsa = native?.isa();
afterAll(() => { if (native && initialIsa) native.setIsa(initialIsa); });

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
  });
});
