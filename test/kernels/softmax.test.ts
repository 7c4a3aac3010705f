import { afterAll, describe, expect, it } from 'vitest';
import { native } from '../../lib/native.js';
import { softmaxBackward, softmaxForward } from '../../lib/kernels/softmax.js';
import * as nat from '../../lib/kernels/native/softmax.js';
import * as ref from '../../lib/kernels/reference/softmax.js';

const SIZES = [1, 3, 4, 5, 7, 8, 9, 16, 17, 33, 101];

function rand(n: number, seed: number, lo = -5, hi = 5, offset = 0): Float32Array {
  const buf = new Float32Array(n + offset).subarray(offset);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    buf[i] = lo + ((hi - lo) * (s >>> 8)) / 16777216;
  }
  return buf;
}
function expectClose(got: Float32Array, want: Float32Array, atol: number, rtol: number, ctx: string): void {
  for (let i = 0; i < want.length; i++) {
    const g = got[i], w = want[i];
    const ok = Number.isNaN(w) ? Number.isNaN(g) : Math.abs(g - w) <= atol + rtol * Math.abs(w);
    if (!ok) throw new Error(`${ctx}: index ${i} got ${g} expected ${w}`);
  }
}

const isas: string[] = native ? native.availableIsas() : [];
const initialIsa = native?.isa();
afterAll(() => { if (native && initialIsa) native.setIsa(initialIsa); });

describe.runIf(native)('softmax: native on every ISA vs the TS twin', () => {
  for (const isa of isas)
    it(`forward and backward [${isa}]`, () => {
      native!.setIsa(isa);
      for (const n of SIZES)
        for (const temp of [1, 0.5, 3]) {
          const m = 3;
          const x = rand(m * n, n + 1, -20, 20, 1); // byteOffset 4
          if (n > 4) { x[0] = 90; x[1] = -90; x[n + 2] = NaN; } // row 1 is NaN
          const y = nat.softmaxForward(m, n, temp, x, new Float32Array(m * n));
          const yr = ref.softmaxForward(m, n, temp, x, new Float32Array(m * n));
          const ctx = `isa=${isa} m=${m} n=${n} T=${temp}`;
          expectClose(y, yr, 1e-10, 2e-6, `forward ${ctx}`);
          const xi = x.slice();
          nat.softmaxForward(m, n, temp, xi, xi);
          expectClose(xi, y, 0, 0, `forward in place ${ctx}`);
          const dy = rand(m * n, 7 * n, -1, 1, 1);
          const dx = nat.softmaxBackward(m, n, temp, y, dy, new Float32Array(m * n));
          const dxr = ref.softmaxBackward(m, n, temp, y, dy, new Float32Array(m * n));
          expectClose(dx, dxr, 2e-6, 1e-5, `backward ${ctx}`);
          const dyi = dy.slice();
          nat.softmaxBackward(m, n, temp, y, dyi, dyi);
          expectClose(dyi, dx, 0, 0, `backward in place ${ctx}`);
        }
    });
});

describe('softmax: backward by central differences (float64 reference)', () => {
  it('vector-Jacobian product', () => {
    const m = 2, n = 7, temp = 0.7, h = 1e-3;
    const x = rand(m * n, 3), w = rand(m * n, 4, -1, 1);
    // L = sum w * softmax(x); dL/dx = softmaxBackward(y, w).
    const L = (xx: Float32Array) => {
      const y = ref.softmaxForward(m, n, temp, xx, new Float64Array(m * n) as unknown as Float32Array);
      let s = 0;
      for (let i = 0; i < m * n; i++) s += w[i] * y[i];
      return s;
    };
    const y = ref.softmaxForward(m, n, temp, x, new Float32Array(m * n));
    const dx = ref.softmaxBackward(m, n, temp, y, w, new Float32Array(m * n));
    const xd = new Float64Array(x) as unknown as Float32Array;
    for (let i = 0; i < m * n; i++) {
      const x0 = xd[i];
      xd[i] = x0 + h; const up = L(xd);
      xd[i] = x0 - h; const dn = L(xd);
      xd[i] = x0;
      expect(Math.abs(dx[i] - (up - dn) / (2 * h)), `index ${i}`).toBeLessThan(1e-5);
    }
  });
});

describe('softmax: public API', () => {
  it('never overflows for finite input', () => {
    const x = Float32Array.of(1e30, -1e30, 0, 88, 3.4e38);
    const y = softmaxForward(1, 5, 1, x, new Float32Array(5));
    for (const v of y) expect(Number.isFinite(v)).toBe(true);
  });
  it('rejects bad input with coded errors', () => {
    const x = new Float32Array(6), y = new Float32Array(6);
    const code = (c: string) => expect.objectContaining({ code: c });
    expect(() => softmaxForward(2, 3, 0, x, y)).toThrow(code('SIMDNET_INVALID_ARGUMENT'));
    expect(() => softmaxForward(2, 3, NaN, x, y)).toThrow(RangeError);
    expect(() => softmaxForward(2, 4, 1, x, y)).toThrow(code('SIMDNET_BUFFER_TOO_SMALL'));
    expect(() => softmaxForward(-2, 3, 1, x, y)).toThrow(RangeError);
    expect(() => softmaxForward(2, 3, 1, [] as unknown as Float32Array, y)).toThrow(TypeError);
    expect(() => softmaxBackward(2, 3, 1, x, y, x.subarray(1))).toThrow(code('SIMDNET_BUFFER_TOO_SMALL'));
  });
  it.runIf(native)('the addon itself rejects bad input with coded errors', () => {
    const x = new Float32Array(6), y = new Float32Array(6);
    const code = (c: string) => expect.objectContaining({ code: c });
    expect(() => native!.softmaxForward(2, 3, -1, x, y)).toThrow(code('SIMDNET_INVALID_ARGUMENT'));
    expect(() => native!.softmaxForward(2, 3, 1e-60, x, y)).toThrow(RangeError);
    expect(() => native!.softmaxForward(2, 3.5, 1, x, y)).toThrow(RangeError);
    expect(() => native!.softmaxForward(2, 3, 1, x, y.subarray(1))).toThrow(code('SIMDNET_BUFFER_TOO_SMALL'));
    expect(() => native!.softmaxBackward(2, 3, 1, x, y, new Uint8Array(24))).toThrow(TypeError);
    const buf = new ArrayBuffer(24);
    const det = new Float32Array(buf);
    structuredClone(buf, { transfer: [buf] });
    expect(() => native!.softmaxForward(0, 0, 1, det, y)).toThrow(code('SIMDNET_DETACHED_BUFFER'));
  });
});
