/**
 * How a running native job holds its inputs (native/src/addon/job-input.h), at the engine and addon level:
 *   - an allocF32 block (a Tensor's storage, a snapshot) is pinned: releaseF32 mid-job detaches it at once, but its
 *     bytes stay allocated, and counted in liveBufferBytes, until the job ends; the job's result is unchanged;
 *   - any other array reaching the addon is copied at the call: detaching or overwriting it mid-job changes nothing;
 *   - NativeEngine's async calls count as busy from their snapshot phase on.
 * (A buffer transferred to a Worker that frees it mid-job is in test/models/transfer.test.ts, in child processes.)
 */
import { afterAll, describe, expect, it } from 'vitest';
import { native } from '../../lib/native.js';
import { NativeEngine } from '../../lib/engine/native-engine.js';
import type { PlanSpec } from '../../lib/engine/engine.js';
import { isPinnable } from '../../lib/engine/snapshot.js';
import { mulberryArray } from '../helpers/random.js';
import { mlpPlan } from './mlp-plan.js';

const IN = 256;
const OUT = 10;
const N = 2048;

const plan = () => mlpPlan(IN, 256, OUT, 11);

const engines: NativeEngine[] = [];
function make(): NativeEngine {
  const e = new NativeEngine(plan());
  engines.push(e);
  return e;
}
afterAll(() => engines.forEach((e) => e.busy || e.dispose()));

const xValues = mulberryArray(N * IN, 3);
const y = new Float32Array(N * OUT).map((_, i) => (i % OUT === (Math.floor(i / OUT) % OUT) ? 1 : 0));
const order = Uint32Array.from({ length: N }, (_, i) => (i * 7919) % N);
const args = (x: Float32Array) => ({ x, y, n: N, order, batchSize: 8, firstBatch: 0, batchCount: N / 8 });

async function untilNativeJob(e: NativeEngine, p: Promise<unknown>): Promise<void> {
  // busy covers the snapshot phase too; a pinned input has none, so the job is queued by the first turn.
  await new Promise((r) => setImmediate(r));
  expect(e.busy).toBe(true);
  void p;
}

describe.runIf(native)('inputs of a running native job', () => {
  it('a pinned allocF32 x released mid-job: detached at once, freed when the job ends, same result', async () => {
    const base = make();
    const r0 = await base.trainBatches(args(xValues));
    const w0 = base.getParams();

    const e = make();
    const x = native!.allocF32(N * IN) as Float32Array;
    x.set(xValues);
    expect(isPinnable(x)).toBe(true);
    const live0 = native!.liveBufferBytes() as number;
    const p = e.trainBatches(args(x));
    await untilNativeJob(e, p);
    const during = native!.liveBufferBytes() as number; // x, plus the snapshot of y (a plain array)
    native!.releaseF32(x);
    expect(x.length).toBe(0);
    // Still allocated: the job pins it.
    expect(native!.liveBufferBytes()).toBe(during);
    const r = await p;
    expect(r).toEqual(r0);
    e.getParams().forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(w0[i])));
    expect(native!.liveBufferBytes()).toBe(live0 - N * IN * 4);
    expect(isPinnable(x)).toBe(false);
  });

  it('the addon copies any other x at the call: detaching or overwriting it mid-job changes nothing', async () => {
    const base = make();
    const p0 = await base.predictAsync(xValues, N, 4);
    // The raw addon class, so the JS snapshot layer is bypassed and the addon's own copy is what is tested.
    const Engine = native!.Engine as new (p: PlanSpec) => { predictAsync(x: Float32Array, n: number, b: number): Promise<Float32Array>; isBusy(): boolean; dispose(): void };
    for (const act of ['detach', 'overwrite'] as const) {
      const h = new Engine(plan());
      const x = xValues.slice();
      const p = h.predictAsync(x, N, 4);
      // predictAsync runs on the addon's reader engine and leaves the engine free (issue 12, serving).
      expect(h.isBusy()).toBe(false);
      if (act === 'detach') structuredClone(x.buffer, { transfer: [x.buffer] });
      else x.fill(NaN);
      expect(Array.from(await p)).toEqual(Array.from(p0));
      h.dispose();
    }
  });

  it('NativeEngine counts as busy from the start of an async call, and a cancel() during its snapshot is kept', async () => {
    const e = make();
    const n = N * 4;
    const x = mulberryArray(n * IN, 5); // not pinnable: snapshotted first
    const yy = new Float32Array(n * OUT).map((_, i) => (i % OUT === 0 ? 1 : 0));
    const p = e.trainBatches({ x, y: yy, n, order: Uint32Array.from({ length: n }, (_, i) => i), batchSize: 8, firstBatch: 0, batchCount: n / 8 });
    expect(e.busy).toBe(true);
    // Reads are allowed (issue 12: the job has not started, the engine's own weights are read); writes are not.
    expect(e.getParams().length).toBe(e.params().length);
    expect(() => e.setParams(e.getParams())).toThrow(expect.objectContaining({ code: 'SIMDNET_BUSY' }));
    expect(() => e.dispose()).toThrow(expect.objectContaining({ code: 'SIMDNET_BUSY' }));
    e.cancel();
    const r = await p;
    expect(r.steps).toBe(0);
    expect(e.step).toBe(0);
    expect(e.busy).toBe(false);
  });
});
