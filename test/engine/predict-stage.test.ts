/**
 * predictAsync's kept input stage (lib/engine/native-engine.ts #holdInput, docs/engine.md "What a running job
 * holds"): a large plain Float32Array is copied into a block the engine keeps for its next call. The snapshot
 * semantics must not change: each call sees its own input (a reused stage must hold the new call's values),
 * overlapping calls do not share the stage, the outputs are those of the synchronous predict, and
 * the block is released at dispose() and after the idle delay.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { native } from '../../lib/native.js';
import { NativeEngine } from '../../lib/engine/native-engine.js';
import { mulberryArray } from '../helpers/random.js';
import { mlpPlan } from './mlp-plan.js';

const IN = 512;
const OUT = 10;
const N = 1024; // 512K floats: above the 256K-float threshold of the stage

const plan = () => mlpPlan(IN, 64, OUT, 5);

const engines: NativeEngine[] = [];
afterAll(() => engines.forEach((e) => e.busy || e.dispose()));
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe.runIf(native)('predictAsync input stage', () => {
  it('each call reads its own input: same bits as predict, a reused stage holds the new values, overlapping calls', async () => {
    const e = new NativeEngine(plan());
    const xa = mulberryArray(N * IN, 1);
    const xb = mulberryArray(N * IN, 2);
    const pa = e.predict(xa, N, 100);
    const pb = e.predict(xb, N, 100);
    expect(bits(pa)).not.toEqual(bits(pb));
    expect(bits(await e.predictAsync(xa, N, 100))).toEqual(bits(pa));
    expect(bits(await e.predictAsync(xb, N, 100))).toEqual(bits(pb)); // the stage now holds xb, not xa
    // The same array, changed between calls: the second call sees the change.
    const x = xa.slice();
    expect(bits(await e.predictAsync(x, N, 100))).toEqual(bits(pa));
    x.set(xb);
    expect(bits(await e.predictAsync(x, N, 100))).toEqual(bits(pb));
    // Overlapping calls: the second takes its own snapshot, so neither job reads the other's input. (Writes to an
    // input while its call is still copying it in slices are not part of this: a large snapshot spans event-loop
    // turns, with or without the stage; ./snapshot.ts.)
    const p1 = e.predictAsync(xa.slice(), N, 100);
    const p2 = e.predictAsync(xb.slice(), N, 100);
    const [r1, r2] = await Promise.all([p1, p2]);
    expect(bits(r1)).toEqual(bits(pa));
    expect(bits(r2)).toEqual(bits(pb));
    e.dispose(); // releases the stage now (the next test counts native bytes)
  });

  it('the stage is native memory released at dispose() and after the idle delay', async () => {
    const x = mulberryArray(N * IN, 3);
    const live0 = native!.liveBufferBytes() as number;
    const e = new NativeEngine(plan());
    await e.predictAsync(x, N, 64);
    expect(native!.liveBufferBytes()).toBe(live0 + N * IN * 4); // kept for the next call
    e.dispose();
    expect(native!.liveBufferBytes()).toBe(live0);
    const f = new NativeEngine(plan());
    engines.push(f);
    await f.predictAsync(x, N, 64);
    expect(native!.liveBufferBytes()).toBe(live0 + N * IN * 4);
    await new Promise((r) => setTimeout(r, 1300));
    expect(native!.liveBufferBytes()).toBe(live0);
  });
});
