/**
 * Native tensor storage (native/src/addon/ops-buffer.cc, lib/tensor.ts): with the addon loaded a Tensor's data lives
 * in allocF32 memory (counted by liveBufferBytes), dispose() returns it at once (counter and RSS both drop), a dropped
 * tensor is freed by the ArrayBuffer finalizer after GC, bad input gets coded errors, and models train and predict on
 * native-backed tensors exactly as on plain Float32Arrays.
 * GC: taken from --expose-gc when present, else enabled at run time as in test/models/memory.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { native } from '../../lib/native.js';
import { Tensor, tensor, isNativeStorage, allocStorage } from '../../lib/tensor.js';
import { Sequential, Dense, optimizers } from '../../lib/index.js';
import { lcg } from '../helpers/random.js';

function getGc(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return g;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Full GCs with event-loop turns between them: Node 20 runs ArrayBuffer finalizers from a later setImmediate. */
async function settle(gc: () => void): Promise<void> {
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 1));
  }
}

const live = (): number => native!.liveBufferBytes() as number;
const code = (fn: () => unknown): { name: string; code: unknown } => {
  try {
    fn();
  } catch (e) {
    return { name: (e as Error).constructor.name, code: (e as { code?: unknown }).code };
  }
  throw new Error('expected a throw');
};

describe.skipIf(!native)('allocF32 / releaseF32', () => {
  it('allocates zeroed native memory, counted until released; release is idempotent', () => {
    const before = live();
    const a = native!.allocF32(1000) as Float32Array;
    expect(a).toBeInstanceOf(Float32Array);
    expect(a.length).toBe(1000);
    expect(a.byteOffset).toBe(0);
    expect(a.every((v) => v === 0)).toBe(true);
    expect(live() - before).toBe(4000);
    a[999] = 3.5;
    expect(a[999]).toBe(3.5);
    native!.releaseF32(a);
    expect(a.length).toBe(0); // detached: no view can reach the freed block
    expect(live()).toBe(before);
    native!.releaseF32(a);
    expect(live()).toBe(before);
  });

  it('n = 0 gives an empty array that can be released', () => {
    const before = live();
    const a = native!.allocF32(0) as Float32Array;
    expect(a.length).toBe(0);
    expect(live()).toBe(before);
    native!.releaseF32(a);
  });

  // qemu-user (CI's Nehalem stage) reports an RSS of 0 for the emulated process: nothing to measure there.
  it.runIf(process.memoryUsage.rss() > 0)('release gives the pages back to the OS at once (RSS)', () => {
    const n = 16 * 1024 * 1024; // 64 MiB
    const a = native!.allocF32(n) as Float32Array;
    a.fill(1); // touch every page
    const touched = process.memoryUsage.rss();
    native!.releaseF32(a);
    const released = process.memoryUsage.rss();
    expect(touched - released, `RSS ${touched} -> ${released}`).toBeGreaterThan(48 * 1024 * 1024);
  });

  it('rejects bad input with coded errors', () => {
    for (const n of [-1, 1.5, NaN, Infinity, '3', undefined, 2 ** 41])
      expect(code(() => native!.allocF32(n)), String(n)).toMatchObject({ code: 'SIMDNET_INVALID_ARGUMENT' });
    expect(code(() => native!.allocF32(-1)).name).toBe('RangeError');
    // 2^40 floats = 4 TiB: valid size, but no machine here maps that much.
    expect(code(() => native!.allocF32(2 ** 40))).toEqual({ name: 'RangeError', code: 'SIMDNET_OUT_OF_MEMORY' });
    // releaseF32 detaches only its own buffers: a caller's array (even over a detachable buffer) is refused untouched.
    const mine = new Float32Array(4).fill(2);
    for (const v of [mine, new Float64Array(2), [1, 2], undefined, {}, new Float32Array((native!.allocF32(4) as Float32Array).buffer.slice(0))])
      expect(code(() => native!.releaseF32(v))).toEqual({ name: 'TypeError', code: 'SIMDNET_INVALID_ARGUMENT' });
    expect(Array.from(mine)).toEqual([2, 2, 2, 2]);
    // A subarray shares the allocF32 buffer, so releasing it releases the whole block (and is still accepted).
    const a = native!.allocF32(8) as Float32Array;
    const before = live();
    native!.releaseF32(a.subarray(2, 4));
    expect(a.length).toBe(0);
    expect(before - live()).toBe(32);
  });
});

describe.skipIf(!native)('Tensor storage with the addon', () => {
  it('tensor() and new Tensor keep their data in native memory, dispose() frees it at once', () => {
    const before = live();
    const t = tensor([[1, 2, 3], [4, 5, 6]]);
    const u = tensor(new Float64Array([1, 2, 3, 4]), [2, 2]);
    const src = new Float32Array([7, 8]);
    const w = new Tensor(src, [2]);
    expect(isNativeStorage(t.view()) && isNativeStorage(u.view()) && isNativeStorage(w.view())).toBe(true);
    expect(live() - before).toBe(4 * (6 + 4 + 2));
    // new Tensor copied the caller's array: changing it later does not change the tensor.
    src[0] = 0;
    expect(Array.from(w.data())).toEqual([7, 8]);
    // data() is a JS copy, not the native storage.
    const d = t.data();
    expect(isNativeStorage(d)).toBe(false);
    d[0] = 100;
    expect(t.array()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(Array.from(u.data())).toEqual([1, 2, 3, 4]);
    t.dispose();
    expect(live() - before).toBe(4 * (4 + 2));
    t.dispose(); // idempotent
    u.dispose();
    w.dispose();
    expect(live()).toBe(before);
  });

  it('adopts allocStorage arrays without a copy', () => {
    const before = live();
    const s = allocStorage(6);
    s.set([1, 2, 3, 4, 5, 6]);
    const t = new Tensor(s, [3, 2]);
    expect(t.view()).toBe(s);
    expect(live() - before).toBe(24);
    t.dispose();
    expect(live()).toBe(before);
  });

  it('a disposed tensor throws SIMDNET_DISPOSED on use', () => {
    const t = tensor([1, 2, 3]);
    t.dispose();
    expect(t.isDisposed).toBe(true);
    for (const f of [() => t.data(), () => t.array(), () => t.view()])
      expect(code(f)).toMatchObject({ code: 'SIMDNET_DISPOSED' });
    expect(t.toString()).toBe('Tensor(disposed)');
  });

  it('bad shapes allocate nothing', () => {
    const before = live();
    expect(code(() => tensor([1, 2, 3], [2, 2]))).toMatchObject({ code: 'SIMDNET_SHAPE_MISMATCH' });
    expect(code(() => tensor([1, 2, 3], [-3]))).toMatchObject({ code: 'SIMDNET_INVALID_ARGUMENT' });
    expect(live()).toBe(before);
  });

  it('a dropped tensor is freed by the finalizer after GC', async () => {
    const gc = getGc();
    await settle(gc);
    const before = live();
    const n = 256 * 1024; // 1 MiB each
    (() => {
      for (let i = 0; i < 8; i++) tensor(new Float32Array(n), [n]);
    })();
    expect(live() - before).toBe(8 * 4 * n);
    await settle(gc);
    expect(live()).toBe(before);
  });

  it('trains and predicts on native tensors exactly as on Float32Arrays', async () => {
    const rand = lcg(7);
    const N = 48;
    const xs = Float32Array.from({ length: N * 8 }, () => rand() - 0.5);
    const ys = new Float32Array(N * 3);
    for (let i = 0; i < N; i++) ys[i * 3 + (i % 3)] = 1;
    const run = async (x: Tensor | Float32Array, y: Tensor | Float32Array, px: Tensor | Float32Array) => {
      const m = new Sequential([new Dense({ units: 16, activation: 'relu', inputShape: [8] }), new Dense({ units: 3, activation: 'softmax' })]);
      m.compile({ optimizer: optimizers.adam({ learningRate: 1e-2 }), loss: 'categoricalCrossentropy', backend: 'native', seed: 3 });
      const h = await m.fit(x, y, { epochs: 3, batchSize: 16, verbose: 0, shuffle: false });
      const p = m.predict(px);
      const pa = await m.predictAsync(px);
      const wts = m.getWeights();
      const out = { loss: h.history.loss, p: p.data(), pa: pa.data(), w: wts.map((w) => w.data()), native: isNativeStorage(p.view()) };
      p.dispose();
      pa.dispose();
      wts.forEach((w) => w.dispose());
      m.dispose();
      return out;
    };
    const x = tensor(xs, [N, 8]);
    const y = tensor(ys, [N, 3]);
    const before = live();
    const a = await run(x, y, x);
    expect(live()).toBe(before); // predictions and weights were freed by dispose
    const b = await run(xs, ys, xs);
    expect(a.native).toBe(true);
    expect(a.loss).toEqual(b.loss);
    expect(a.p).toEqual(b.p);
    expect(a.pa).toEqual(a.p);
    expect(a.w).toEqual(b.w);
    expect(Number.isFinite(a.loss[2] as number)).toBe(true);
    x.dispose();
    y.dispose();
  });
});
