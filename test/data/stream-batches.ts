// What the streamed-dataset tests (csv-stream.test.ts, idx-stream.test.ts) check of any batch stream: its rows as
// text, and the shuffle contract.
import { expect } from 'vitest';

export type Batches = AsyncIterable<{ xs: Float32Array; ys: Int32Array }>;

// One pass: each row as "x0,...,x(f-1),label", and the batch sizes.
export async function collect(ds: Batches, f: number) {
  const rows: string[] = [];
  const sizes: number[] = [];
  for await (const b of ds) {
    sizes.push(b.ys.length);
    expect(b.xs.length).toBe(b.ys.length * f);
    for (let r = 0; r < b.ys.length; r++) rows.push([...b.xs.subarray(r * f, (r + 1) * f), b.ys[r]].join(','));
  }
  return { rows, sizes };
}

// Two passes of `shuffled` each yield every row of `ordered` once, in another order, the second pass differing from
// the first; `again` (a new stream with the same seed) repeats the first pass.
export async function expectReshuffledPasses(ordered: string[], shuffled: Batches, again: Batches, f: number) {
  const p1 = (await collect(shuffled, f)).rows;
  const p2 = (await collect(shuffled, f)).rows;
  expect([...p1].sort()).toEqual([...ordered].sort());
  expect([...p2].sort()).toEqual([...ordered].sort());
  expect(p1).not.toEqual(ordered);
  expect(p2).not.toEqual(p1);
  expect((await collect(again, f)).rows).toEqual(p1);
}
