import { afterAll, describe, expect, it } from 'vitest';
import { native } from '../../lib/native.js';
import * as pub from '../../lib/kernels/losses.js';
import * as nat from '../../lib/kernels/native/losses.js';
import * as ref from '../../lib/kernels/reference/losses.js';

const COLS = [1, 3, 4, 7, 8, 9, 16, 17, 33, 101];
const EPS = 1e-7;

function rand(n: number, seed: number, lo: number, hi: number, offset = 0): Float32Array {
  const buf = new Float32Array(n + offset).subarray(offset);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    buf[i] = lo + ((hi - lo) * (s >>> 8)) / 16777216;
  }
  return buf;
}
function normRows(t: Float32Array, m: number, n: number): Float32Array {
  for (let r = 0; r < m; r++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += t[r * n + j];
    for (let j = 0; j < n; j++) t[r * n + j] /= s;
  }
  return t;
}

type Impl = typeof ref;
// Every loss as (impl, input, grad) => loss over fixed targets, so the same cases drive native, twin and gradients.
function cases(m: number, n: number, seed: number) {
  const tb = rand(m * n, seed, 0, 1, 1);
  const tc = normRows(rand(m * n, seed + 1, 0, 1, 1), m, n);
  const labels = new Int32Array(m).map((_, r) => (r * 7 + 3) % n);
  const p = rand(m * n, seed + 2, 0.05, 0.95, 1);
  const z = rand(m * n, seed + 3, -6, 6, 1);
  return [
    { name: 'mse', input: p, run: (L: Impl, x: Float32Array, g: Float32Array | null) => L.mse(m, n, tb, x, g) },
    { name: 'bceProb', input: p, run: (L: Impl, x: Float32Array, g: Float32Array | null) => L.bceProb(m, n, EPS, tb, x, g) },
    { name: 'bceLogits', input: z, run: (L: Impl, x: Float32Array, g: Float32Array | null) => L.bceLogits(m, n, tb, x, g) },
    { name: 'cceProb', input: p, run: (L: Impl, x: Float32Array, g: Float32Array | null) => L.cceProb(m, n, EPS, tc, x, g) },
    { name: 'softmaxCce', input: z, run: (L: Impl, x: Float32Array, g: Float32Array | null) => L.softmaxCce(m, n, 0.7, tc, x, g) },
    { name: 'sparseSoftmaxCce', input: z, run: (L: Impl, x: Float32Array, g: Float32Array | null) => L.sparseSoftmaxCce(m, n, 1.5, labels, x, g) },
  ];
}

const isas: string[] = native ? native.availableIsas() : [];
const initialIsa = native?.isa();
afterAll(() => { if (native && initialIsa) native.setIsa(initialIsa); });

describe.runIf(native)('losses: native on every ISA vs the TS twin', () => {
  for (const isa of isas)
    it(`all losses [${isa}]`, () => {
      native!.setIsa(isa);
      for (const n of COLS)
        for (const m of [1, 4]) {
          for (const c of cases(m, n, n * 13 + m)) {
            const ctx = `${c.name} isa=${isa} m=${m} n=${n}`;
            const g = new Float32Array(m * n), gr = new Float32Array(m * n);
            const l = c.run(nat as Impl, c.input, g), lr = c.run(ref, c.input, gr);
            expect(Math.abs(l - lr), `${ctx} loss ${l} vs ${lr}`).toBeLessThan(1e-7 + 2e-6 * Math.abs(lr));
            for (let i = 0; i < m * n; i++)
              if (!(Math.abs(g[i] - gr[i]) <= 1e-8 + 1e-5 * Math.abs(gr[i]))) throw new Error(`${ctx} grad index ${i} got ${g[i]} expected ${gr[i]}`);
            expect(c.run(nat as Impl, c.input, null)).toBe(l);
            const alias = c.input.slice(); // grad aliases the prediction
            expect(c.run(nat as Impl, alias, alias)).toBe(l);
            expect(Array.from(alias)).toEqual(Array.from(g));
          }
        }
    });
});

describe('losses: gradients by central differences (float64 reference)', () => {
  for (const c of cases(3, 5, 99))
    it(c.name, () => {
      const x64 = new Float64Array(c.input) as unknown as Float32Array; // float64 storage for the differences
      const g = new Float64Array(x64.length) as unknown as Float32Array;
      c.run(ref, x64, g);
      const h = 1e-6;
      for (let i = 0; i < x64.length; i++) {
        const x0 = x64[i];
        x64[i] = x0 + h; const up = c.run(ref, x64, null);
        x64[i] = x0 - h; const dn = c.run(ref, x64, null);
        x64[i] = x0;
        const num = (up - dn) / (2 * h);
        expect(Math.abs(g[i] - num), `${c.name} index ${i} got ${g[i]} expected ${num}`).toBeLessThan(1e-7 + 1e-5 * Math.abs(num));
      }
    });
});

describe('losses: public API', () => {
  it('is stable for extreme logits and clipped probabilities', () => {
    const z = Float32Array.of(90, -90, 1e30, -1e30), t = Float32Array.of(1, 0, 0, 1);
    expect(Number.isFinite(pub.bceLogits(1, 4, t, z, new Float32Array(4)))).toBe(true);
    expect(Number.isFinite(pub.softmaxCce(1, 4, 1, t, z, new Float32Array(4)))).toBe(true);
    expect(Number.isFinite(pub.bceProb(1, 4, EPS, t, Float32Array.of(0, 1, 1, 0), null))).toBe(true);
    expect(pub.bceLogits(1, 4, t, Float32Array.of(0, NaN, 0, 0), null)).toBeNaN();
  });
  it('rejects bad input with coded errors', () => {
    const a = new Float32Array(6), b = new Float32Array(6);
    const code = (c: string) => expect.objectContaining({ code: c });
    expect(() => pub.sparseSoftmaxCce(2, 3, 1, Int32Array.of(0, 3), a, null)).toThrow(code('SIMDNET_INVALID_ARGUMENT'));
    expect(() => pub.sparseSoftmaxCce(2, 3, 1, Int32Array.of(-1, 0), a, null)).toThrow(RangeError);
    expect(() => pub.sparseSoftmaxCce(2, 3, 1, Int32Array.of(0), a, null)).toThrow(code('SIMDNET_BUFFER_TOO_SMALL'));
    expect(() => pub.sparseSoftmaxCce(2, 3, 1, a as unknown as Int32Array, a, null)).toThrow(TypeError);
    expect(() => pub.mse(2, 4, a, b, null)).toThrow(code('SIMDNET_BUFFER_TOO_SMALL'));
    expect(() => pub.mse(2, 3, a, b, b.subarray(1))).toThrow(code('SIMDNET_BUFFER_TOO_SMALL'));
    expect(() => pub.bceProb(2, 3, 0, a, b, null)).toThrow(RangeError);
    expect(() => pub.cceProb(2, 3, 0.7, a, b, null)).toThrow(code('SIMDNET_INVALID_ARGUMENT'));
    expect(() => pub.bceLogits(2, 3.5, a, b, null)).toThrow(RangeError);
    expect(() => pub.softmaxCce(2, 3, -1, a, b, null)).toThrow(RangeError);
    expect(() => pub.softmaxCce(2, 3, 1, a, [] as unknown as Float32Array, null)).toThrow(TypeError);
  });
  it.runIf(native)('the addon itself rejects bad input with coded errors and gives NaN for bad labels', () => {
    const a = new Float32Array(6), b = new Float32Array(6);
    const code = (c: string) => expect.objectContaining({ code: c });
    expect(native!.lossSparseSoftmaxCce(2, 3, 1, Int32Array.of(0, 7), a, null)).toBeNaN();
    expect(() => native!.lossSparseSoftmaxCce(2, 3, 1, Int32Array.of(0), a, null)).toThrow(code('SIMDNET_BUFFER_TOO_SMALL'));
    expect(() => native!.lossMse(2, 3, a, b, new Int32Array(6))).toThrow(TypeError);
    expect(() => native!.lossMse(-2, 3, a, b, null)).toThrow(RangeError);
    expect(() => native!.lossBceProb(2, 3, NaN, a, b, null)).toThrow(code('SIMDNET_INVALID_ARGUMENT'));
    expect(() => native!.lossCceProb(2, 3, 0.5, a, b, null)).toThrow(RangeError);
    expect(() => native!.lossSoftmaxCce(2, 3, 0, a, b, null)).toThrow(RangeError);
    expect(() => native!.lossBceLogits(2, 3, a, b.subarray(2), null)).toThrow(code('SIMDNET_BUFFER_TOO_SMALL'));
    const buf = new ArrayBuffer(24);
    const det = new Float32Array(buf);
    structuredClone(buf, { transfer: [buf] });
    expect(() => native!.lossMse(0, 0, det, b, null)).toThrow(code('SIMDNET_DETACHED_BUFFER'));
  });
});
