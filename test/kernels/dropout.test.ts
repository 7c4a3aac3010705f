import { describe, expect, it } from 'vitest';
import { native } from '../../lib/native.js';
import { getBackend, setBackend } from '../../lib/backend.js';
import * as ref from '../../lib/kernels/reference/dropout.js';
import * as nat from '../../lib/kernels/native/dropout.js';
import { dropoutBackward, dropoutForward } from '../../lib/kernels/dropout.js';
import { uniform01 } from '../../lib/kernels/reference/rng.js';
import { firstDiff } from '../helpers/compare.js';
import { testedIsas } from '../helpers/isa.js';
import { mulberryArray } from '../helpers/random.js';

const isas = testedIsas();
const rand = (n: number, seed: number) => mulberryArray(n, seed, -2, 2);

describe('dropout twin follows the definition', () => {
  it('keeps element i iff uniform01(seed, stream, offset + i) >= rate and scales by 1/(1-rate)', () => {
    const n = 101, rate = 0.35, offset = 6;
    const x = rand(n, 1), y = new Float32Array(n), m = new Uint8Array(n);
    ref.dropoutForward(n, rate, 11, 22, offset, x, y, m);
    const scale = Math.fround(1 / Math.fround(1 - Math.fround(rate)));
    for (let i = 0; i < n; i++) {
      const keep = uniform01(11, 22, offset + i) >= Math.fround(rate);
      expect(m[i], `index ${i}`).toBe(keep ? 1 : 0);
      expect(y[i], `index ${i}`).toBe(Math.fround(x[i] * (keep ? scale : 0))); // x * mask * scale: -0 for x < 0
    }
  });
  it('a dropped NaN or Inf stays NaN (x * mask * scale, as PyTorch), on both backends and every ISA', () => {
    const n = 37, startIsa = native?.isa();
    for (const special of [NaN, Infinity]) {
      const x = new Float32Array(n).fill(special);
      const impls: [string, typeof ref][] = [['ts', ref]];
      if (native) for (const isa of isas) impls.push([isa, nat]);
      for (const [name, impl] of impls) {
        if (name !== 'ts') native!.setIsa(name);
        const y = new Float32Array(n), m = new Uint8Array(n);
        impl.dropoutForward(n, 0.5, 7, 3, 0, x, y, m);
        const dx = impl.dropoutBackward(n, 0.5, m, x, new Float32Array(n));
        expect(m.includes(0) && m.includes(1), name).toBe(true);
        for (let i = 0; i < n; i++) {
          const want = Number.isNaN(special) || !m[i] ? NaN : Infinity;
          expect(y[i], `${name} y[${i}]`).toBe(want);
          expect(dx[i], `${name} dx[${i}]`).toBe(want);
        }
      }
    }
    if (startIsa) native!.setIsa(startIsa);
  });
  it('keep rate within 6 binomial sd, mean preserved', () => {
    const n = 100000;
    for (const rate of [0.2, 0.5, 0.75]) {
      const x = new Float32Array(n).fill(1), y = new Float32Array(n), m = new Uint8Array(n);
      dropoutForward(n, rate, 7, 3, 0, x, y, m);
      const kept = m.reduce((s, b) => s + b, 0);
      expect(Math.abs(kept - n * (1 - rate))).toBeLessThan(6 * Math.sqrt(n * rate * (1 - rate)));
      expect(Math.abs(y.reduce((s, v) => s + v, 0) / n - 1)).toBeLessThan(0.02);
    }
  });
  it('rate 0 is the identity; different streams give different masks', () => {
    const x = rand(50, 2), y = new Float32Array(50), m = new Uint8Array(50);
    dropoutForward(50, 0, 1, 1, 0, x, y, m);
    expect(Array.from(y)).toEqual(Array.from(x));
    expect(m.every((b) => b === 1)).toBe(true);
    const m2 = new Uint8Array(1000), m3 = new Uint8Array(1000), z = new Float32Array(1000);
    dropoutForward(1000, 0.5, 1, 1, 0, z, z.slice(), m2);
    dropoutForward(1000, 0.5, 1, 2, 0, z, z.slice(), m3);
    expect(m2.filter((b, i) => b === m3[i]).length).toBeLessThan(600);
  });
});

describe.runIf(native)('dropout native == TS, bit for bit, every ISA', () => {
  const sizes = [1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 65, 101, 1031];
  for (const isa of isas) {
    it(`forward/backward masks and values [${isa}]`, () => {
      native!.setIsa(isa);
      for (const rate of [0, 0.1, 0.5, 0.9]) {
        for (const offset of [0, 1, 2, 3, 2 ** 34 - 2, 2 ** 40 * 5 + 3]) {
          for (const n of sizes) {
            const ctx = `rate ${rate} offset ${offset} n ${n} [${isa}]`;
            const x = rand(n, n + offset);
            const yw = new Float32Array(n), mw = new Uint8Array(n);
            ref.dropoutForward(n, rate, 2 ** 40 + 17, 3 * 2 ** 40 + 9, offset, x, yw, mw);
            // outputs as views at byteOffset 4 with guard elements
            const yb = new Float32Array(n + 2).fill(5), mb = new Uint8Array(n + 2).fill(9);
            const y = yb.subarray(1, n + 1), m = mb.subarray(1, n + 1);
            // the input as a view at byteOffset 4 too (a misaligned SIMD load must still read the right floats)
            const xv = new Float32Array(n + 1);
            xv.set(x, 1);
            nat.dropoutForward(n, rate, 2 ** 40 + 17, 3 * 2 ** 40 + 9, offset, xv.subarray(1), y, m);
            expect(firstDiff(m, mw), `mask ${ctx}`).toBe('');
            expect(firstDiff(y, yw), `y ${ctx}`).toBe('');
            expect([yb[0], yb[n + 1], mb[0], mb[n + 1]], `guards ${ctx}`).toEqual([5, 5, 9, 9]);
            const dxw = ref.dropoutBackward(n, rate, mw, x, new Float32Array(n));
            const dxb = new Float32Array(n + 2).fill(5);
            const dx = nat.dropoutBackward(n, rate, m, xv.subarray(1), dxb.subarray(1, n + 1));
            expect(firstDiff(dx, dxw), `dx ${ctx}`).toBe('');
            expect([dxb[0], dxb[n + 1]], `dx guards ${ctx}`).toEqual([5, 5]);
          }
        }
      }
    });
  }
  it('public API gives the same result on both backends, in place too', () => {
    const n = 77, x = rand(n, 4);
    const before = getBackend();
    const run = (b: 'native' | 'js') => {
      setBackend(b);
      const y = x.slice(), m = new Uint8Array(n);
      dropoutForward(n, 0.3, 9, 9, 9, y, y, m);
      dropoutBackward(n, 0.3, m, y, y);
      return [y, m] as const;
    };
    const [y1, m1] = run('native');
    const [y2, m2] = run('js');
    setBackend(before);
    expect(firstDiff(m1, m2)).toBe('');
    expect(firstDiff(y1, y2)).toBe('');
  });
});

describe('dropout validation', () => {
  const f = (n: number) => new Float32Array(n), u = (n: number) => new Uint8Array(n);
  it.each([
    ['rate 1', () => dropoutForward(1, 1, 0, 0, 0, f(1), f(1), u(1)), RangeError],
    ['rate rounding to 1', () => dropoutForward(1, 0.99999999, 0, 0, 0, f(1), f(1), u(1)), RangeError],
    ['negative rate', () => dropoutForward(1, -0.1, 0, 0, 0, f(1), f(1), u(1)), RangeError],
    ['fractional seed', () => dropoutForward(1, 0.1, 0.5, 0, 0, f(1), f(1), u(1)), RangeError],
    ['offset + n > 2^53', () => dropoutForward(2, 0.1, 0, 0, 2 ** 53 - 1, f(2), f(2), u(2)), RangeError],
    ['short mask', () => dropoutForward(2, 0.1, 0, 0, 0, f(2), f(2), u(1)), RangeError],
    ['Int8Array mask', () => dropoutForward(1, 0.1, 0, 0, 0, f(1), f(1), new Int8Array(1) as unknown as Uint8Array), TypeError],
    ['short dx', () => dropoutBackward(2, 0.1, u(2), f(2), f(1)), RangeError],
  ])('rejects %s', (_, fn, type) => {
    expect(fn).toThrow(type as ErrorConstructor);
    expect(fn).toThrow(expect.objectContaining({ code: expect.stringMatching(/^SIMDNET_/) }));
  });
  it.runIf(native)('the addon re-checks', () => {
    const N = native!;
    expect(() => N.dropoutForward(1, 1, 0, 0, 0, f(1), f(1), u(1))).toThrow(RangeError);
    expect(() => N.dropoutForward(1, 0.99999999, 0, 0, 0, f(1), f(1), u(1))).toThrow(RangeError);
    expect(() => N.dropoutForward(1, 0.5, -1, 0, 0, f(1), f(1), u(1))).toThrow(RangeError);
    expect(() => N.dropoutForward(1, 0.5, 0, 2 ** 54, 0, f(1), f(1), u(1))).toThrow(RangeError);
    expect(() => N.dropoutForward(2, 0.5, 0, 0, 0, f(2), f(2), u(1))).toThrow(expect.objectContaining({ code: 'SIMDNET_BUFFER_TOO_SMALL' }));
    expect(() => N.dropoutForward(1, 0.5, 0, 0, 0, f(1), f(1), f(1))).toThrow(TypeError);
    expect(() => N.dropoutBackward(1, 0.5, u(1), f(1))).toThrow(TypeError);
  });
});
