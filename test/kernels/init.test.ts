import { describe, expect, it } from 'vitest';
import { native } from '../../lib/native.js';
import type { InitKind, InitSpec } from '../../lib/engine/engine.js';
import * as ref from '../../lib/kernels/reference/init.js';
import * as refRng from '../../lib/kernels/reference/rng.js';
import * as nat from '../../lib/kernels/native/init.js';
import * as natRng from '../../lib/kernels/native/rng.js';
import { initFill } from '../../lib/kernels/init.js';
import { philox4x32, philoxWord, uniform01 } from '../../lib/kernels/rng.js';
import { setBackend } from '../../lib/backend.js';
import { firstDiff } from '../helpers/compare.js';
import { testedIsas } from '../helpers/isa.js';

const isas = testedIsas();

// Random123 kat_vectors ("philox4x32 10"): counter words c0..c3, key k0 k1, expected outputs.
const KATS = [
  { c: [0, 0, 0, 0], k: [0, 0], out: [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8] },
  { c: [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], k: [0xa4093822, 0x299f31d0], out: [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1] },
];

describe('philox (reference)', () => {
  it('matches the Random123 known answers', () => {
    for (const t of KATS) {
      const out = new Uint32Array(4);
      refRng.philoxBlock(t.c[0], t.c[1], t.c[2], t.c[3], t.k[0], t.k[1], out, 0);
      expect(Array.from(out)).toEqual(t.out);
    }
    expect(Array.from(refRng.philox4x32(0, 0, 0))).toEqual(KATS[0].out);
  });
  it('maps words and uniforms as documented', () => {
    const b = refRng.philox4x32(5, 7, 3);
    for (let j = 0; j < 4; j++) {
      expect(refRng.philoxWord(5, 7, 12 + j)).toBe(b[j]);
      expect(refRng.uniform01(5, 7, 12 + j)).toBe((b[j] >>> 8) / 2 ** 24);
    }
  });
  it('splits 53-bit seeds, streams and counters into both words', () => {
    const big = 2 ** 53 - 3;
    const out = refRng.philox4x32(big, big - 1, big - 2);
    const [k0, k1] = refRng.split64(big);
    expect(k0 + k1 * 2 ** 32).toBe(big);
    const want = new Uint32Array(4);
    const [s0, s1] = refRng.split64(big - 1), [c0, c1] = refRng.split64(big - 2);
    refRng.philoxBlock(c0, c1, s0, s1, k0, k1, want, 0);
    expect(out).toEqual(want);
  });
});

describe.runIf(native)('philox (native == TS)', () => {
  it('gives the same words for many seeds/streams/counters', () => {
    const vals = [0, 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 12345, 2 ** 53];
    for (const seed of vals) for (const stream of vals) for (const ctr of vals)
      expect(natRng.philox4x32(seed, stream, ctr)).toEqual(refRng.philox4x32(seed, stream, ctr));
  });
  it('public API validates and agrees on both backends', () => {
    setBackend('native');
    const a = [philox4x32(1, 2, 3), philoxWord(1, 2, 7), uniform01(1, 2, 7)];
    setBackend('js');
    const b = [philox4x32(1, 2, 3), philoxWord(1, 2, 7), uniform01(1, 2, 7)];
    setBackend('native');
    expect(a).toEqual(b);
    expect(() => philox4x32(-1, 0, 0)).toThrow(expect.objectContaining({ code: 'SIMDNET_INVALID_ARGUMENT' }));
    expect(() => philox4x32(0.5, 0, 0)).toThrow(RangeError);
    expect(() => philox4x32('1' as unknown as number, 0, 0)).toThrow(TypeError);
    expect(() => native!.philox4x32(2 ** 54, 0, 0)).toThrow(expect.objectContaining({ code: 'SIMDNET_INVALID_ARGUMENT' }));
    expect(() => native!.philox4x32(0, NaN, 0)).toThrow(RangeError);
  });
});

const KINDS: InitKind[] = ['zeros', 'ones', 'constant', 'randomUniform', 'randomNormal', 'truncatedNormal',
  'glorotUniform', 'glorotNormal', 'heUniform', 'heNormal', 'lecunUniform', 'lecunNormal'];
const SPECS: InitSpec[] = [
  ...KINDS.map((kind) => ({ kind })),
  { kind: 'constant', value: 0.3 },
  { kind: 'randomUniform', minval: -3, maxval: 7.1 },
  { kind: 'randomNormal', mean: 0.5, stddev: 2.2 },
  { kind: 'truncatedNormal', mean: -1, stddev: 0.01 },
];

describe.runIf(native)('initFill native == TS, bit for bit', () => {
  for (const isa of isas) {
    it(`every kind [${isa}]`, () => {
      native!.setIsa(isa);
      for (const spec of SPECS) {
        // n around the Philox block (4 words) and the normal pairs, a prime above 100, a layer's weights
        for (const [fanIn, fanOut, n] of [[1, 1, 1], [2, 1, 2], [3, 1, 3], [4, 1, 4], [5, 1, 5], [3, 3, 7], [2, 4, 8],
          [3, 3, 9], [7, 3, 21], [784, 128, 100352], [13, 200, 131]]) {
          const seed = 20240501, stream = 5;
          const want = ref.initFill(spec, fanIn, fanOut, seed, stream, n, new Float32Array(n));
          const buf = new Float32Array(n + 2).fill(9);  // written through a view at byteOffset 4
          const got = nat.initFill(spec, fanIn, fanOut, seed, stream, n, buf.subarray(1, n + 1));
          expect(firstDiff(got, want), `${JSON.stringify(spec)} ${fanIn}x${fanOut} n=${n} [${isa}]`).toBe('');
          expect([buf[0], buf[n + 1]], `guards n=${n}`).toEqual([9, 9]);
        }
      }
    });
  }
  it('writes through a view at byteOffset 4 and leaves the rest alone', () => {
    const buf = new Float32Array(12).fill(9);
    nat.initFill({ kind: 'heNormal' }, 4, 4, 1, 1, 10, buf.subarray(1, 11));
    const want = ref.initFill({ kind: 'heNormal' }, 4, 4, 1, 1, 10, new Float32Array(10));
    expect(Array.from(buf.subarray(1, 11))).toEqual(Array.from(want));
    expect(buf[0]).toBe(9);
    expect(buf[11]).toBe(9);
  });
});

describe('initFill statistics (reference)', () => {
  const n = 100000, fi = 200, fo = 50;
  const cases: [InitKind, number, number][] = [
    // kind, expected std, bound on |w|
    ['glorotUniform', Math.sqrt(2 / (fi + fo)), Math.sqrt(6 / (fi + fo))],
    ['heUniform', Math.sqrt(2 / fi), Math.sqrt(6 / fi)],
    ['lecunUniform', Math.sqrt(1 / fi), Math.sqrt(3 / fi)],
    ['glorotNormal', Math.sqrt(2 / (fi + fo)), (2 * Math.sqrt(2 / (fi + fo))) / 0.87962566103423978],
    ['heNormal', Math.sqrt(2 / fi), (2 * Math.sqrt(2 / fi)) / 0.87962566103423978],
    ['lecunNormal', Math.sqrt(1 / fi), (2 * Math.sqrt(1 / fi)) / 0.87962566103423978],
  ];
  for (const [kind, sd, bound] of cases) {
    it(`${kind}: mean ~ 0, std ~ ${sd.toFixed(4)}, within the bound`, () => {
      const w = initFill({ kind }, fi, fo, 3, 9, n, new Float32Array(n));
      let s = 0, s2 = 0, mx = 0;
      for (const x of w) {
        s += x;
        s2 += x * x;
        mx = Math.max(mx, Math.abs(x));
      }
      const mean = s / n, std = Math.sqrt(s2 / n - mean * mean);
      expect(Math.abs(mean)).toBeLessThan(0.05 * sd);
      expect(Math.abs(std / sd - 1)).toBeLessThan(0.015);
      expect(mx).toBeLessThanOrEqual(bound * (1 + 1e-6));
      expect(mx).toBeGreaterThan(0.9 * bound);
    });
  }
  it('constant/zeros/ones fill exactly', () => {
    expect(Array.from(initFill({ kind: 'constant', value: 0.1 }, 1, 1, 0, 0, 3, new Float32Array(3)))).toEqual([0.1, 0.1, 0.1].map(Math.fround));
    expect(Array.from(initFill({ kind: 'ones' }, 1, 1, 0, 0, 2, new Float32Array(2)))).toEqual([1, 1]);
    expect(Array.from(initFill({ kind: 'zeros' }, 1, 1, 0, 0, 2, new Float32Array(2).fill(5)))).toEqual([0, 0]);
  });
});

describe('initFill validation', () => {
  const w = new Float32Array(4);
  it.each([
    [() => initFill({ kind: 'nope' as InitKind }, 1, 1, 0, 0, 4, w), TypeError],
    [() => initFill(null as unknown as InitSpec, 1, 1, 0, 0, 4, w), TypeError],
    [() => initFill({ kind: 'heNormal' }, 0, 1, 0, 0, 4, w), RangeError],
    [() => initFill({ kind: 'heNormal' }, 1, 1, -1, 0, 4, w), RangeError],
    [() => initFill({ kind: 'heNormal' }, 1, 1, 0, 0, 5, w), RangeError],
    [() => initFill({ kind: 'heNormal' }, 1, 1, 0, 0, 4, new Float64Array(4) as unknown as Float32Array), TypeError],
    [() => initFill({ kind: 'randomUniform', minval: 1, maxval: 1 }, 1, 1, 0, 0, 4, w), RangeError],
    [() => initFill({ kind: 'randomNormal', stddev: -1 }, 1, 1, 0, 0, 4, w), RangeError],
    [() => initFill({ kind: 'constant', value: NaN }, 1, 1, 0, 0, 4, w), RangeError],
  ])('rejects bad input %#', (fn, type) => {
    expect(fn).toThrow(type as ErrorConstructor);
    expect(fn).toThrow(expect.objectContaining({ code: expect.stringMatching(/^SIMDNET_/) }));
  });
  it.runIf(native)('the addon re-checks (never crashes)', () => {
    const f = native!.initFill as (...a: unknown[]) => unknown;
    expect(() => f(99, 1, 1, 0, 0, 1, 0, 0, 4, w)).toThrow(RangeError);
    expect(() => f(0, 0, 1, 0, 0, 1, 0, 0, 4, w)).toThrow(RangeError);
    expect(() => f(0, 1, 1, 0, 0, 1, 0, 0, 5, w)).toThrow(expect.objectContaining({ code: 'SIMDNET_BUFFER_TOO_SMALL' }));
    expect(() => f(0, 1, 1, 0, 0, 1, 0, 0, 4, [1, 2, 3, 4])).toThrow(TypeError);
    expect(() => f(3, 1, 1, 0, 2, 1, 0, 0, 4, w)).toThrow(RangeError);
    expect(() => f(0, 1, 1, 0, 0, 1, 0, 2 ** 60, 4, w)).toThrow(RangeError);
    expect(() => f(0, 1, 1, 1e39, 0, 1, 0, 0, 4, w)).toThrow(RangeError);
    const ab = new ArrayBuffer(16);
    const v = new Float32Array(ab);
    structuredClone(ab, { transfer: [ab] });
    expect(() => f(0, 1, 1, 0, 0, 1, 0, 0, 0, v)).toThrow(expect.objectContaining({ code: 'SIMDNET_DETACHED_BUFFER' }));
  });
});
