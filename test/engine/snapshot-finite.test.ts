/**
 * hold()'s finite check (lib/engine/snapshot.ts): with the addon, one native pass per slice copies and checks
 * (kernels/reduce firstNonFinite); the first Inf/NaN anywhere -- first slice, a later one, the short last one --
 * is reported at its index with its value, the copy is released, and a clean source gives an exact copy. fit()
 * names the row and column.
 */
import { describe, expect, it } from 'vitest';
import { native } from '../../lib/native.js';
import { hold } from '../../lib/engine/snapshot.js';
import { Sequential } from '../../lib/models/sequential.js';
import { Dense } from '../../lib/layers/dense.js';
import { lcgArray } from '../helpers/random.js';

const N = 3 * (1 << 14) + 123; // three full slices and a short one

class Bad extends Error {
  constructor(readonly at: number, readonly value: number) {
    super(`bad at ${at}`);
  }
}
const finite = (at: number, value: number) => new Bad(at, value);

describe('hold() with a finite check', () => {
  it('copies a clean source exactly, plain or pinned', async () => {
    const x = lcgArray(N, 5, -3, 3);
    const h = await hold(x, N, 'x', { finite });
    expect(h.copied).toBe(true);
    expect(h.data).not.toBe(x);
    expect(Buffer.compare(Buffer.from(h.data.buffer, h.data.byteOffset, 4 * N), Buffer.from(x.buffer, x.byteOffset, 4 * N))).toBe(0);
    h.release();
    if (native) {
      const pinned = native.allocF32(N) as Float32Array;
      pinned.set(x);
      const p = await hold(pinned, N, 'x', { finite });
      expect(p.copied).toBe(false);
      expect(p.data).toBe(pinned);
      p.release();
      native.releaseF32(pinned);
    }
  });

  for (const at of [0, 5, (1 << 14) - 1, 1 << 14, 2 * (1 << 14) + 77, N - 1])
    for (const bad of [NaN, Infinity, -Infinity])
      it(`reports the first non-finite value at ${at} (${bad})`, async () => {
        const x = lcgArray(N, 7, -1, 1);
        x[at] = bad;
        if (at + 3 < N) x[at + 3] = NaN; // a later one does not win
        const live = native ? native.liveBufferBytes() : 0;
        const err = await hold(x, N, 'x', { finite }).then(() => null, (e: unknown) => e);
        expect(err).toBeInstanceOf(Bad);
        expect((err as Bad).at).toBe(at);
        expect(Object.is((err as Bad).value, bad)).toBe(true);
        if (native) expect(native.liveBufferBytes()).toBe(live); // the copy was released
      });

  it('checks only the first `length` elements', async () => {
    const x = lcgArray(N, 9, -1, 1);
    x[N - 1] = NaN;
    const h = await hold(x, N - 1, 'x', { finite });
    expect(h.data.length).toBe(N - 1);
    h.release();
  });
});

describe('fit() on data with a non-finite value', () => {
  it('names its row and column', async () => {
    const rows = 20000, cols = 4;
    const x = lcgArray(rows * cols, 3, -1, 1);
    const y = new Float32Array(rows);
    x[15000 * cols + 2] = -Infinity;
    const m = new Sequential([new Dense({ units: 1, inputShape: [cols] })]);
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    const err = await m.fit(x, y, { epochs: 1, verbose: 0 }).then(() => null, (e: unknown) => e as Error & { code?: string });
    expect(err?.code).toBe('SIMDNET_NOT_FINITE');
    expect(err?.message).toContain('x[15000][2] is -Infinity');
  });
});
