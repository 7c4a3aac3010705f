import { expect } from 'vitest';

/**
 * Fails with index/got/want/context on a length mismatch or the first element outside atol + rtol * |want|.
 * A NaN expected value is matched only by NaN, unless `nanEqual` is false: then any NaN fails.
 */
export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, atol: number, rtol: number, ctx: string,
  { nanEqual = true } = {}): void {
  expect(got.length, `${ctx}: length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const g = got[i], w = want[i];
    const ok = nanEqual && Number.isNaN(w) ? Number.isNaN(g) : Math.abs(g - w) <= atol + rtol * Math.abs(w);
    if (!ok) expect.fail(`${ctx}: index ${i} got ${g} want ${w}`);
  }
}

/** '' when got and want are bit-identical (Object.is per element, same length), else the first difference. */
export function firstDiff(got: ArrayLike<number>, want: ArrayLike<number>): string {
  if (got.length !== want.length) return `length: got ${got.length} want ${want.length}`;
  for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) return `index ${i}: got ${got[i]} want ${want[i]}`;
  return '';
}
