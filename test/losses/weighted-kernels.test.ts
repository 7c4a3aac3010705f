/**
 * Per-sample weights in the six classic loss kernels: native (every ISA) against the float64 TS twin, and both against
 * the per-row identity sum_r w_r l_r / m (grad row r = w_r / m x the one-row gradient).
 */
import { describe, expect, it } from 'vitest';
import { native } from '../../lib/native.js';
import * as ref from '../../lib/kernels/reference/losses.js';
import * as nat from '../../lib/kernels/native/losses.js';
import { testedIsas } from '../helpers/isa.js';
import { lcg } from '../helpers/random.js';

type Fn = (m: number, r0: number, w: Float32Array | null, g: Float32Array | null) => number;

function cases(impl: typeof ref, m: number, n: number) {
  const r = lcg(m * 31 + n);
  const t = Float32Array.from({ length: m * n }, () => r());
  const tc = t.slice();
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += tc[i * n + j];
    for (let j = 0; j < n; j++) tc[i * n + j] /= s;
  }
  const p = Float32Array.from({ length: m * n }, () => 0.05 + 0.9 * r());
  const z = Float32Array.from({ length: m * n }, () => 8 * r() - 4);
  const labels = Int32Array.from({ length: m }, (_, i) => (i * 5 + 1) % n);
  const rows = (a: Float32Array, r0: number, k: number) => a.subarray(r0 * n, (r0 + k) * n);
  const fns: Record<string, Fn> = {
    mse: (k, r0, w, g) => impl.mse(k, n, rows(t, r0, k), rows(p, r0, k), g, w),
    bceProb: (k, r0, w, g) => impl.bceProb(k, n, 1e-7, rows(t, r0, k), rows(p, r0, k), g, w),
    bceLogits: (k, r0, w, g) => impl.bceLogits(k, n, rows(t, r0, k), rows(z, r0, k), g, w),
    cceProb: (k, r0, w, g) => impl.cceProb(k, n, 1e-7, rows(tc, r0, k), rows(p, r0, k), g, w),
    softmaxCce: (k, r0, w, g) => impl.softmaxCce(k, n, 1.5, rows(tc, r0, k), rows(z, r0, k), g, w),
    sparseSoftmaxCce: (k, r0, w, g) => impl.sparseSoftmaxCce(k, n, 1, labels.subarray(r0, r0 + k), rows(z, r0, k), g, w),
  };
  return fns;
}

describe('weighted classic losses', () => {
  const impls: [string, typeof ref, string | null][] = [['ts twin', ref, null]];
  for (const isa of testedIsas()) impls.push([`native ${isa}`, nat as unknown as typeof ref, isa]);
  for (const [name, impl, isa] of impls) {
    it(name, () => {
      if (isa) native!.setIsa(isa);
      for (const [m, n] of [[1, 1], [5, 1], [7, 3], [4, 17], [3, 33]]) {
        const w = Float32Array.from({ length: m }, (_, i) => (i === 0 ? 0 : 0.5 + i * 0.75));
        const fr = cases(ref, m, n), fi = cases(impl, m, n);
        for (const k of Object.keys(fr)) {
          const g = new Float32Array(m * n);
          const got = fi[k](m, 0, w, g);
          const gRef = new Float32Array(m * n);
          const want = fr[k](m, 0, w, gRef);
          expect(Math.abs(got - want), `${k} m=${m} n=${n}: ${got} vs ${want}`).toBeLessThanOrEqual(2e-6 * Math.max(1, Math.abs(want)));
          // The per-row identity on the twin.
          let rowsum = 0;
          const gRow = new Float32Array(n);
          for (let r = 0; r < m; r++) {
            rowsum += w[r] * fr[k](1, r, null, gRow);
            for (let j = 0; j < n; j++) expect(Math.abs(gRef[r * n + j] - (gRow[j] * w[r]) / m)).toBeLessThanOrEqual(1e-7);
          }
          expect(Math.abs(want - rowsum / m)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(want)));
          let worst = 0;
          for (let i = 0; i < m * n; i++) worst = Math.max(worst, Math.abs(g[i] - gRef[i]));
          expect(worst, `${k} grad m=${m} n=${n}`).toBeLessThanOrEqual(2e-6);
        }
      }
    });
  }
});
