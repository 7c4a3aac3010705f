// The tfjs backend's native kernels (addon/ops-tfjs.cc) against their pure-TS twins (lib/kernels/reference/
// tfjs-eltwise.ts) on every ISA the machine has (setIsa): every binary op in every operand pattern, every unary map,
// Max/Min/ArgMax/ArgMin along rows and columns, affineRows, and the tfjs-semantics Adagrad/RMSProp steps; NaN, +-Inf
// and ties planted; lengths around the vector widths. Also: the addon rejects bad codes and short arrays with coded
// errors.
import { afterAll, describe, expect, it } from 'vitest';
import { native } from '../../lib/native.js';
import * as nat from '../../lib/kernels/native/tfjs-eltwise.js';
import * as ref from '../../lib/kernels/reference/tfjs-eltwise.js';
import { lcgArray } from '../helpers/random.js';

const isas: string[] = native ? native.availableIsas() : [];
const initialIsa: string | undefined = native?.isa();
afterAll(() => { if (native && initialIsa) native.setIsa(initialIsa); });

function planted(n: number, seed: number): Float32Array {
  const v = lcgArray(n, seed, -4, 4);
  const s = [NaN, Infinity, -Infinity, 0, -0, 1e-3];
  for (let k = 0; k < s.length && 5 * k + 2 < n; k++) v[5 * k + 2] = s[k];
  return v;
}

/** got within rtol of want (relative to |want|, plus a subnormal-sized absolute slack), NaN where want is NaN. */
function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, rtol: number, what: string): void {
  for (let i = 0; i < want.length; i++) {
    const g = got[i], w = want[i];
    if (Number.isNaN(w) || !Number.isFinite(w)) {
      expect(Object.is(g, w) || (Number.isNaN(w) && Number.isNaN(g)), `${what} [${i}] ${g} vs ${w}`).toBe(true);
    } else {
      expect(Math.abs(g - w) <= rtol * Math.abs(w) + 1.2e-38, `${what} [${i}] ${g} vs ${w}`).toBe(true);
    }
  }
}

describe.runIf(native)('tfjs native kernels against their TS twins on every ISA', () => {
  for (const isa of isas) {
    it(`${isa}: binary ops, all operand patterns`, () => {
      native.setIsa(isa);
      const patterns: Array<[number, number]> = [[0, 0], [0, 2], [2, 0], [0, 1], [1, 0]];
      for (const n of [1, 5, 16, 33]) {
        for (const m of [1, 3]) {
          const a = planted(m * n, 3 + n), b = planted(m * n, 7 + m).reverse();
          for (const [op, code] of Object.entries(ref.BIN_OP)) {
            for (const [am, bm] of patterns) {
              const want = ref.elementwiseBinary(code, m, n, a, am, b, bm, new Float32Array(m * n));
              const got = nat.elementwiseBinary(code, m, n, a, am, b, bm, new Float32Array(m * n));
              expectClose(got, want, code === ref.BIN_OP.sqdiff ? 1.2e-7 : 0, `${isa} ${op} m=${m} n=${n} ${am}${bm}`);
            }
          }
        }
      }
    });

    it(`${isa}: unary maps, affineRows`, () => {
      native.setIsa(isa);
      for (const n of [1, 7, 16, 37]) {
        const x = planted(n, 11 + n);
        for (const [op, code] of Object.entries(ref.UMAP)) {
          const want = ref.unaryMap(code, -1.5, 2.5, n, x, new Float32Array(n));
          const got = nat.unaryMap(code, -1.5, 2.5, n, x, new Float32Array(n));
          expectClose(got, want, 4e-7, `${isa} ${op} n=${n}`);
        }
        const m = 3, xs = lcgArray(m * n, 2, -2, 2), mean = lcgArray(n, 3, -1, 1), scale = lcgArray(n, 4, 0.5, 2);
        const offset = lcgArray(n, 5, 3, 4);
        // One FMA against double arithmetic: within 2 ulp of the terms (the sum itself may cancel).
        const got = nat.affineRows(m, n, xs, mean, scale, offset, new Float32Array(m * n));
        const want = ref.affineRows(m, n, xs, mean, scale, offset, new Float32Array(m * n));
        for (let i = 0; i < m * n; i++) {
          const j = i % n, terms = Math.abs((xs[i] - mean[j]) * scale[j]) + Math.abs(offset[j]);
          expect(Math.abs(got[i] - want[i]) <= 2.4e-7 * terms, `${isa} affineRows n=${n} [${i}]`).toBe(true);
        }
      }
    });

    it(`${isa}: max/min/argMax/argMin along rows and columns`, () => {
      native.setIsa(isa);
      for (const [m, n] of [[1, 1], [3, 5], [4, 17], [17, 4], [9, 33]]) {
        const x = Float32Array.from(lcgArray(m * n, m * 31 + n, -3, 3), (v) => Math.round(v)); // ties
        x[0] = NaN; if (m * n > 7) x[7] = NaN; if (m > 2) x[2 * n] = -Infinity;
        for (const alongRows of [true, false]) {
          for (const extreme of [0, 1]) {
            const outs = alongRows ? m : n;
            const wv = new Float32Array(outs), wi = new Int32Array(outs), gv = new Float32Array(outs), gi = new Int32Array(outs);
            ref.argReduce(alongRows, extreme, m, n, x, wv, wi);
            nat.argReduce(alongRows, extreme, m, n, x, gv, gi);
            const what = `${isa} ${alongRows ? 'rows' : 'cols'} ${extreme ? 'min' : 'max'} ${m}x${n}`;
            expectClose(gv, wv, 0, what);
            expect(Array.from(gi), what).toEqual(Array.from(wi));
          }
        }
      }
    });

    it(`${isa}: tfjs Adagrad and RMSProp steps bit for bit`, () => {
      native.setIsa(isa);
      for (const n of [1, 9, 40]) {
        const w = lcgArray(n, 1, -1, 1), g = lcgArray(n, 2, -2, 2), acc = new Float32Array(n).fill(0.1);
        const w1 = new Float32Array(n), a1 = new Float32Array(n), w2 = new Float32Array(n), a2 = new Float32Array(n);
        ref.tfjsAdagrad(n, 0.05, 1e-7, w, g, acc, w1, a1);
        nat.tfjsAdagrad(n, 0.05, 1e-7, w, g, acc, w2, a2);
        expectClose(w2, w1, 0, `${isa} adagrad w`);
        expectClose(a2, a1, 0, `${isa} adagrad acc`);
        for (const centered of [false, true]) {
          const ms = lcgArray(n, 3, 0, 1), mg = lcgArray(n, 4, -0.1, 0.1), mom = lcgArray(n, 5, -0.1, 0.1);
          const outs = () => [new Float32Array(n), new Float32Array(n), new Float32Array(n), new Float32Array(n)];
          const [rw, rms, rmg, rmom] = outs(), [nw, nms, nmg, nmom] = outs();
          const omd = Math.fround(1 - 0.9);
          ref.tfjsRmsprop(n, 0.01, 0.9, omd, 0.5, 1e-7, centered, w, g, ms, mg, mom, rw, rms, rmg, rmom);
          nat.tfjsRmsprop(n, 0.01, 0.9, omd, 0.5, 1e-7, centered, w, g, ms, mg, mom, nw, nms, nmg, nmom);
          for (const [got, want, what] of [[nw, rw, 'w'], [nms, rms, 'ms'], [nmom, rmom, 'mom'], ...(centered ? [[nmg, rmg, 'mg']] : [])] as Array<[Float32Array, Float32Array, string]>) {
            expectClose(got, want, 0, `${isa} rmsprop centered=${centered} ${what}`);
          }
        }
      }
    });
  }

  it('the addon rejects bad op codes and short arrays with coded errors', () => {
    const x = new Float32Array(8), y = new Float32Array(8);
    expect(() => nat.elementwiseBinary(8, 1, 8, x, 0, x, 0, y)).toThrow(expect.objectContaining({ code: 'SIMDNET_INVALID_ARGUMENT' }));
    expect(() => nat.elementwiseBinary(0, 2, 8, x, 0, x, 0, y)).toThrow(expect.objectContaining({ code: 'SIMDNET_BUFFER_TOO_SMALL' }));
    expect(() => nat.unaryMap(12, 0, 0, 8, x, y)).toThrow(expect.objectContaining({ code: 'SIMDNET_INVALID_ARGUMENT' }));
    expect(() => nat.argReduce(true, 0, 1, 0, x, null, null)).toThrow(expect.objectContaining({ code: 'SIMDNET_INVALID_ARGUMENT' }));
    expect(() => nat.argReduce(false, 0, 3, 4, x, null, new Int32Array(2))).toThrow(expect.objectContaining({ code: 'SIMDNET_BUFFER_TOO_SMALL' }));
    expect(() => nat.tfjsAdagrad(9, 0.1, 1e-7, x, x, x, y, y)).toThrow(expect.objectContaining({ code: 'SIMDNET_BUFFER_TOO_SMALL' }));
  });
});
