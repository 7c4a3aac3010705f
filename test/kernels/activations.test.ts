import { describe, expect, it } from 'vitest';
import { native } from '../../lib/native.js';
import { activationBackward, activationForward } from '../../lib/kernels/activations.js';
import * as nat from '../../lib/kernels/native/activations.js';
import * as ref from '../../lib/kernels/reference/activations.js';
import { expectClose } from '../helpers/compare.js';
import { testedIsas } from '../helpers/isa.js';
import { lcgArray } from '../helpers/random.js';

type Kind = 'linear' | 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu';
const KINDS: Kind[] = ['linear', 'sigmoid', 'tanh', 'relu', 'leakyRelu'];
const SIZES = [1, 7, 8, 9, 15, 16, 17, 33, 101, 1000];
const ALPHA = 0.1;
// Per-op tolerance (relative, plus a tiny absolute floor for flushed sub-FLT_MIN results).
const RTOL: Record<Kind, number> = { linear: 0, sigmoid: 6e-7, tanh: 6e-7, relu: 0, leakyRelu: 0 };

const rand = (n: number, seed: number, lo = -10, hi = 10, offset = 0) => lcgArray(n, seed, lo, hi, offset);
const isas = testedIsas();

describe.runIf(native)('activations: native on every ISA vs the TS twin', () => {
  for (const isa of isas)
    for (const kind of KINDS)
      it(`${kind} [${isa}]`, () => {
        native!.setIsa(isa);
        for (const n of SIZES) {
          const x = rand(n, n * 7 + 1, -10, 10, 1); // byteOffset 4
          x[0] = 90; if (n > 2) { x[1] = -90; x[2] = NaN; }
          const y = new Float32Array(n), yr = new Float32Array(n);
          nat.activationForward(kind, ALPHA, n, x, y);
          ref.activationForward(kind, ALPHA, n, x, yr);
          const ctx = `${kind} forward isa=${isa} n=${n}`;
          expectClose(y, yr, 1e-37, RTOL[kind], ctx);
          const dy = rand(n, 3 + n, -2, 2, 1), dx = new Float32Array(n), dxr = new Float32Array(n);
          nat.activationBackward(kind, ALPHA, n, x, y, dy, dx);
          ref.activationBackward(kind, ALPHA, n, x, y, dy, dxr);
          expectClose(dx, dxr, 1e-7, 1e-6, `${kind} backward isa=${isa} n=${n}`);
          // In place
          const xi = x.slice();
          nat.activationForward(kind, ALPHA, n, xi, xi);
          expectClose(xi, y, 0, 0, `${ctx} in place`);
          const dyi = dy.slice();
          nat.activationBackward(kind, ALPHA, n, x, y, dyi, dyi);
          expectClose(dyi, dx, 0, 0, `${kind} backward in place isa=${isa}`);
        }
      });
});

describe('activations: gradients by central differences (float64 reference)', () => {
  for (const kind of KINDS)
    it(kind, () => {
      // In float64 end to end (the twin is plain JS over any typed array; as F64 below): with h = 1e-4 the quotient's
      // truncation error is ~h^2 |f'''| / 6 ~ 1e-9 and its rounding ~1e-16 / h, so a 1e-6 bound can catch a wrong
      // derivative formula, not only a wrong sign (float32 storage allowed no better than ~2e-3).
      const n = 64, h = 1e-4;
      const F64 = (a: Float64Array) => a as unknown as Float32Array;
      const x = Float64Array.from(rand(n, 5, -4, 4), (v) => (Math.abs(v) < 2 * h ? 0.5 : v)); // off the relu kink
      const y = ref.activationForward(kind, ALPHA, n, F64(x), F64(new Float64Array(n)));
      const dx = ref.activationBackward(kind, ALPHA, n, F64(x), y, F64(new Float64Array(n).fill(1)), F64(new Float64Array(n)));
      const f = (v: number) => ref.activationForward(kind, ALPHA, 1, F64(Float64Array.of(v)), F64(new Float64Array(1)))[0];
      for (let i = 0; i < n; i++) {
        const num = (f(x[i] + h) - f(x[i] - h)) / (2 * h);
        expect(Math.abs(dx[i] - num), `${kind} at x=${x[i]}`).toBeLessThan(1e-6 * Math.max(1, Math.abs(num)));
      }
    });
});

describe('activations: public API', () => {
  it('matches the twin through the public functions', () => {
    const x = rand(17, 1), y = new Float32Array(17);
    expect(activationForward('tanh', 0, 17, x, y)).toBe(y);
    expectClose(y, ref.activationForward('tanh', 0, 17, x, new Float32Array(17)), 0, 6e-7, 'public tanh');
  });
  it('rejects bad input with coded errors', () => {
    const x = new Float32Array(4), y = new Float32Array(4);
    const code = (c: string) => expect.objectContaining({ code: c });
    expect(() => activationForward('gelu' as Kind, 0, 4, x, y)).toThrow(code('SIMDNET_INVALID_ARGUMENT'));
    expect(() => activationForward('relu', NaN, 4, x, y)).toThrow(RangeError);
    expect(() => activationForward('relu', 0, -1, x, y)).toThrow(code('SIMDNET_INVALID_ARGUMENT'));
    expect(() => activationForward('relu', 0, 1.5, x, y)).toThrow(RangeError);
    expect(() => activationForward('relu', 0, 5, x, y)).toThrow(code('SIMDNET_BUFFER_TOO_SMALL'));
    expect(() => activationForward('relu', 0, 4, new Float64Array(4) as unknown as Float32Array, y)).toThrow(TypeError);
    expect(() => activationBackward('relu', 0, 4, x, y, y, new Float32Array(8).subarray(5))).toThrow(code('SIMDNET_BUFFER_TOO_SMALL'));
    const buf = new ArrayBuffer(16);
    const det = new Float32Array(buf);
    structuredClone(buf, { transfer: [buf] });
    expect(() => activationForward('relu', 0, 0, det, y)).toThrow(code('SIMDNET_DETACHED_BUFFER'));
  });
  it.runIf(native)('the addon itself rejects bad input with coded errors', () => {
    const x = new Float32Array(4), y = new Float32Array(4);
    const code = (c: string) => expect.objectContaining({ code: c });
    expect(() => native!.activationForward('gelu', 0, 4, x, y)).toThrow(code('SIMDNET_INVALID_ARGUMENT'));
    expect(() => native!.activationForward('relu', 0, -1, x, y)).toThrow(RangeError);
    expect(() => native!.activationForward('relu', 0, NaN, x, y)).toThrow(code('SIMDNET_INVALID_ARGUMENT'));
    expect(() => native!.activationForward('relu', 0, 4, x, new Float32Array(8).subarray(5))).toThrow(code('SIMDNET_BUFFER_TOO_SMALL'));
    expect(() => native!.activationForward('relu', 0, 4, new Int32Array(4), y)).toThrow(TypeError);
    expect(() => native!.activationBackward('relu', 0, 4, x, y, y)).toThrow(TypeError);
    const buf = new ArrayBuffer(16);
    const det = new Float32Array(buf);
    structuredClone(buf, { transfer: [buf] });
    expect(() => native!.activationForward('relu', 0, 0, det, y)).toThrow(code('SIMDNET_DETACHED_BUFFER'));
  });
});
