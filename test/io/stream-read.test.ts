// The pieces of the streaming load (issue 11, lib/io/load.ts): safe-read.ts's streamOpened reads a file through one
// reusable chunk and refuses a file that shrinks or grows while it is read (the loader never holds the whole file, so
// this is its exact-byte-count check), and the engines' writeSlice/setOptimizerStep, which the loader fills a fresh
// engine with, write exactly where they are told and refuse anything out of bounds with coded errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, truncateSync } from 'node:fs';
import { mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dense, Sequential, optimizers } from '../../lib/index.js';
import { openModelFile, streamOpened } from '../../lib/io/safe-read.js';
import { BACKENDS, asyncCodeOf, codeOf } from '../models/backends.js';

let dir: string;
let real: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'simdnet-stream-'));
  real = await realpath(dir);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 255);

async function stream(name: string, size: number, onChunk: (c: Uint8Array, pos: number) => void) {
  const f = await openModelFile(dir, real, name);
  try {
    await streamOpened(f, size, 64, onChunk);
  } finally {
    await f.fh.close();
  }
}

describe('streamOpened', () => {
  it('hands over the file front to back in chunks of one reused buffer', async () => {
    const data = bytes(1000);
    await writeFile(join(dir, 'a.bin'), data);
    const got = new Uint8Array(1000);
    const seen = new Set<ArrayBufferLike>();
    let calls = 0;
    await stream('a.bin', 1000, (c, pos) => {
      got.set(c, pos);
      seen.add(c.buffer);
      calls++;
    });
    expect(got).toEqual(data);
    expect(calls).toBe(Math.ceil(1000 / 64));
    expect(seen.size).toBe(1);
  });

  it('refuses a file of another size before reading it', async () => {
    await writeFile(join(dir, 'b.bin'), bytes(1000));
    let calls = 0;
    expect(await asyncCodeOf(stream('b.bin', 996, () => calls++))).toBe('SIMDNET_CORRUPT_FILE');
    expect(calls).toBe(0);
  });

  it('refuses a file that shrinks while it is read', async () => {
    const path = join(dir, 'c.bin');
    await writeFile(path, bytes(1000));
    const e = await stream('c.bin', 1000, (_, pos) => {
      if (pos === 128) truncateSync(path, 300);
    }).catch((err) => err);
    expect(e.code).toBe('SIMDNET_CORRUPT_FILE');
    expect(e.message).toMatch(/ended after 300 of 1000 bytes/);
  });

  it('refuses a file that grows while it is read', async () => {
    const path = join(dir, 'd.bin');
    await writeFile(path, bytes(1000));
    const e = await stream('d.bin', 1000, (_, pos) => {
      if (pos === 0) appendFileSync(path, bytes(4));
    }).catch((err) => err);
    expect(e.code).toBe('SIMDNET_CORRUPT_FILE');
    expect(e.message).toMatch(/grew past 1000 bytes/);
  });
});

describe.each(BACKENDS)('engine.writeSlice on the %s engine', (backend) => {
  const make = () => {
    const m = new Sequential([new Dense({ units: 3, inputShape: [4] }), new Dense({ units: 2 })]);
    m.compile({ optimizer: optimizers.adam(), loss: 'mse', backend, seed: 1 });
    return m;
  };

  it('writes parameter and optimizer state elements from an offset, and the step', () => {
    const m = make();
    const e = m.engine;
    const before = e.getParams();
    e.writeSlice('param', 0, 5, Float32Array.of(7, 8, 9));
    const after = e.getParams();
    expect(Array.from(after[0])).toEqual([...before[0].slice(0, 5), 7, 8, 9, ...before[0].slice(8)]);
    for (let i = 1; i < after.length; i++) expect(after[i]).toEqual(before[i]);
    const layout = e.optimizerStateLayout();
    const last = layout.length - 1;
    e.writeSlice('optimizerState', last, layout[last].length - 2, Float32Array.of(0.5, 0.25));
    e.setOptimizerStep(42);
    const state = e.getOptimizerState();
    expect(Array.from(state[last].slice(-2))).toEqual([0.5, 0.25]);
    expect(e.step).toBe(42);
    m.dispose();
  });

  it('refuses writes past an array, unknown arrays and bad arguments with coded errors, changing nothing', () => {
    const m = make();
    const e = m.engine;
    const before = e.getParams();
    const n0 = before[0].length;
    expect(codeOf(() => e.writeSlice('param', 0, n0 - 1, Float32Array.of(1, 2)))).toBe('SIMDNET_SHAPE_MISMATCH');
    expect(codeOf(() => e.writeSlice('param', 0, n0 + 1, new Float32Array(0)))).toBe('SIMDNET_SHAPE_MISMATCH');
    expect(codeOf(() => e.writeSlice('param', before.length, 0, Float32Array.of(1)))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(codeOf(() => e.writeSlice('optimizerState', e.optimizerStateLayout().length, 0, Float32Array.of(1)))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(codeOf(() => e.writeSlice('weights' as 'param', 0, 0, Float32Array.of(1)))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(codeOf(() => e.writeSlice('param', 0, -1, Float32Array.of(1)))).toMatch(/^SIMDNET_/);
    expect(codeOf(() => e.writeSlice('param', 0, 0, [1] as unknown as Float32Array))).toMatch(/^SIMDNET_/);
    expect(codeOf(() => e.setOptimizerStep(-1))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(e.getParams()).toEqual(before);
    m.dispose();
  });
});
