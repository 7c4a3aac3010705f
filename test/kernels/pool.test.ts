// 2-D pooling (lib/kernels/pool.ts): the native kernels on every ISA against the pure-TS twin, BIT FOR BIT, over
// geometries from tfjs's own backend_util.computePool2DInfo ('valid' and 'same' padding, strides below, equal to and
// above the filter, explicit pads), odd channel counts (masked tails at every vector width), ties, NaN, all-NaN and
// -Infinity windows; a large case split over threads; subnormals kept when the addon's flush is off; bad arguments.
import { backend_util } from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { native } from '../../lib/native.js';
import * as K from '../../lib/kernels/index.js';
import * as nat from '../../lib/kernels/native/pool.js';
import * as ref from '../../lib/kernels/reference/pool.js';
import type { PoolGeometry } from '../../lib/kernels/reference/pool.js';
import { testedIsas } from '../helpers/isa.js';
import { lcgArray } from '../helpers/random.js';

const isas = testedIsas();
const initialBackend = K.getBackend();
afterAll(() => K.setBackend(initialBackend));

type Pad = 'same' | 'valid' | number;
/** The geometry computePool2DInfo gives for an NHWC input, a filter, strides and a pad. */
function geo(shape: [number, number, number, number], f: [number, number], s: [number, number], pad: Pad): PoolGeometry {
  const info = backend_util.computePool2DInfo(shape, f, s, 1, pad as 'same');
  return { batch: info.batchSize, inHeight: info.inHeight, inWidth: info.inWidth, channels: info.inChannels,
    outHeight: info.outHeight, outWidth: info.outWidth, filterHeight: info.filterHeight, filterWidth: info.filterWidth,
    strideHeight: info.strideHeight, strideWidth: info.strideWidth, padTop: info.padInfo.top, padLeft: info.padInfo.left };
}
const inSize = (g: PoolGeometry) => g.batch * g.inHeight * g.inWidth * g.channels;
const outSize = (g: PoolGeometry) => g.batch * g.outHeight * g.outWidth * g.channels;

/** Small integers (ties in every window) or wide values (double sums that round), with NaN and -Inf planted. */
function data(n: number, seed: number, ties: boolean): Float32Array {
  const v = lcgArray(n, seed, ties ? -2.5 : -3, ties ? 2.5 : 3, seed % 3); // some views start at a byte offset
  if (ties) for (let i = 0; i < n; i++) v[i] = Math.round(v[i]);
  for (let i = 5; i < n; i += 11) v[i] = NaN;
  for (let i = 9; i < n; i += 23) v[i] = -Infinity;
  return v;
}

/** Same bits, or both NaN. Reports the first few differences. */
function expectIdentical(got: Float32Array, want: Float32Array, what: string): void {
  const bad: string[] = [];
  for (let i = 0; i < want.length; i++)
    if (!(Object.is(got[i], want[i]) || (Number.isNaN(got[i]) && Number.isNaN(want[i]))) && bad.length < 4)
      bad.push(`[${i}] ${got[i]} vs ${want[i]}`);
  expect(bad, what).toEqual([]);
}

const CASES: [[number, number, number, number], [number, number], [number, number], Pad][] = [
  [[2, 6, 7, 1], [2, 2], [2, 2], 'valid'],
  [[2, 6, 7, 1], [2, 2], [2, 2], 'same'],
  [[1, 5, 5, 1], [3, 3], [1, 1], 'same'],
  [[2, 7, 6, 1], [3, 2], [2, 1], 'valid'],
  [[1, 4, 9, 1], [1, 3], [3, 2], 'same'],
  [[1, 8, 8, 1], [3, 3], [2, 2], 1],
  [[1, 3, 3, 1], [4, 4], [1, 1], 'same'],
  [[1, 9, 9, 1], [2, 5], [3, 1], 'valid'],
];
const CHANNELS = [1, 3, 4, 7, 8, 9, 15, 16, 17, 33];

/** Runs the four kernels natively and in the twin on one geometry and compares bit for bit. */
function compareAll(g: PoolGeometry, ties: boolean, ctx: string): void {
  const x = data(inSize(g), g.channels * 7 + g.inWidth, ties);
  const dy = data(outSize(g), g.channels * 3 + 1, false);
  for (const [name, run] of [
    ['maxPool', (k: typeof nat) => k.maxPool(g, x, new Float32Array(outSize(g)))],
    ['avgPool', (k: typeof nat) => k.avgPool(g, x, new Float32Array(outSize(g)))],
    ['maxPoolGrad', (k: typeof nat) => k.maxPoolGrad(g, x, dy, new Float32Array(inSize(g)).fill(7))],
    ['avgPoolGrad', (k: typeof nat) => k.avgPoolGrad(g, dy, new Float32Array(inSize(g)).fill(7))],
  ] as const)
    expectIdentical(run(nat), run(ref as typeof nat), `${name} ${ctx}`);
}

describe.runIf(native)('pooling: native on every ISA vs the TS twin, bit for bit', () => {
  for (const isa of isas)
    it(`every geometry and channel count [${isa}]`, () => {
      native!.setIsa(isa);
      for (const [shape, f, s, pad] of CASES)
        for (const c of CHANNELS)
          for (const ties of [true, false]) {
            const g = geo([shape[0], shape[1], shape[2], c], f, s, pad);
            compareAll(g, ties, `isa=${isa} in=${shape.slice(1, 3)} C=${c} f=${f} s=${s} pad=${pad} ties=${ties}`);
          }
    });

  it('windows of NaN only, -Infinity only, and NaN around the maximum', () => {
    // 1x2x8x1, 2x2 windows at stride 2: [all NaN], [NaN, 1, 3, NaN], [2, -Inf, NaN, 0.5], [-Inf x4].
    const g = geo([1, 2, 8, 1], [2, 2], [2, 2], 'valid');
    const x = Float32Array.of(NaN, NaN, NaN, 1, 2, -Infinity, -Infinity, -Infinity,
      NaN, NaN, 3, NaN, NaN, 0.5, -Infinity, -Infinity);
    const dy = Float32Array.of(10, 20, 30, 40);
    for (const isa of isas) {
      native!.setIsa(isa);
      expect(Array.from(nat.maxPool(g, x, new Float32Array(4))), isa).toEqual([-Infinity, 3, 2, -Infinity]);
      const dx = Array.from(nat.maxPoolGrad(g, x, dy, new Float32Array(16)));
      expect(dx, isa).toEqual(dx.map((_, i) => (i === 10 ? 20 : i === 4 ? 30 : 0)));
      const avg = nat.avgPool(g, x, new Float32Array(4));
      expect(Number.isNaN(avg[0]) && Number.isNaN(avg[1]) && Number.isNaN(avg[2]) && avg[3] === -Infinity, isa).toBe(true);
    }
  });

  it('a large case gives the same bits on 1 and on several threads', () => {
    const g = geo([8, 40, 40, 19], [3, 3], [2, 2], 'same');
    const before = native!.getThreads();
    try {
      for (const isa of isas) {
        native!.setIsa(isa);
        const results = [1, 2, 4].map((t) => {
          native!.setThreads(t);
          const x = data(inSize(g), 5, false), dy = data(outSize(g), 6, false);
          return [nat.maxPool(g, x, new Float32Array(outSize(g))), nat.avgPool(g, x, new Float32Array(outSize(g))),
            nat.maxPoolGrad(g, x, dy, new Float32Array(inSize(g))), nat.avgPoolGrad(g, dy, new Float32Array(inSize(g)))];
        });
        const x = data(inSize(g), 5, false), dy = data(outSize(g), 6, false);
        const want = [ref.maxPool(g, x, new Float32Array(outSize(g))), ref.avgPool(g, x, new Float32Array(outSize(g))),
          ref.maxPoolGrad(g, x, dy, new Float32Array(inSize(g))), ref.avgPoolGrad(g, dy, new Float32Array(inSize(g)))];
        for (const [ti, r] of results.entries()) r.forEach((a, k) => expectIdentical(a, want[k], `isa=${isa} run ${ti} kernel ${k}`));
      }
    } finally {
      native!.setThreads(before);
    }
  });

  it('subnormals: flushed by default, kept bit for bit with the flush off', () => {
    const g = geo([1, 4, 4, 5], [2, 2], [1, 1], 'valid');
    const x = data(inSize(g), 3, false).map((v) => v * 1e-39); // subnormal magnitudes (and 0, NaN, -Inf)
    const dy = data(outSize(g), 4, false).map((v) => v * 1e-39);
    const wasFlushing = native!.flushSubnormals();
    try {
      native!.setFlushSubnormals(false);
      for (const isa of isas) {
        native!.setIsa(isa);
        compareAll(g, false, `no flush isa=${isa}`);
        expectIdentical(nat.avgPoolGrad(g, dy, new Float32Array(inSize(g))), ref.avgPoolGrad(g, dy, new Float32Array(inSize(g))), `avgPoolGrad subnormal ${isa}`);
        expectIdentical(nat.maxPool(g, x, new Float32Array(outSize(g))), ref.maxPool(g, x, new Float32Array(outSize(g))), `maxPool subnormal ${isa}`);
      }
      native!.setFlushSubnormals(true);
      const y = nat.avgPool(g, x, new Float32Array(outSize(g)));
      expect(y.every((v) => Number.isNaN(v) || v === -Infinity || v === 0)).toBe(true); // flushed
    } finally {
      native!.setFlushSubnormals(wasFlushing);
    }
  });
});

describe('pooling: the public functions', () => {
  const g = geo([2, 5, 5, 3], [3, 3], [2, 2], 'same');
  const backends = native ? (['js', 'native'] as const) : (['js'] as const);

  it('route to both backends with the same results', () => {
    const x = data(inSize(g), 11, false), dy = data(outSize(g), 12, false);
    const run = () => [K.maxPool(g, x, new Float32Array(outSize(g))), K.avgPool(g, x, new Float32Array(outSize(g))),
      K.maxPoolGrad(g, x, dy, new Float32Array(inSize(g))), K.avgPoolGrad(g, dy, new Float32Array(inSize(g)))];
    const results = backends.map((b) => { K.setBackend(b); return run(); });
    for (const r of results) r.forEach((a, k) => expectIdentical(a, results[0][k], `kernel ${k}`));
  });

  const bad: [string, () => unknown, string][] = [
    ['stride 0', () => K.maxPool({ ...g, strideHeight: 0 }, new Float32Array(150), new Float32Array(54)), 'SIMDNET_INVALID_ARGUMENT'],
    ['filter 0', () => K.avgPool({ ...g, filterWidth: 0 }, new Float32Array(150), new Float32Array(54)), 'SIMDNET_INVALID_ARGUMENT'],
    ['fractional channels', () => K.avgPool({ ...g, channels: 2.5 }, new Float32Array(150), new Float32Array(54)), 'SIMDNET_INVALID_ARGUMENT'],
    ['huge window', () => K.maxPool({ ...g, filterHeight: 4096, filterWidth: 4096 }, new Float32Array(150), new Float32Array(54)), 'SIMDNET_INVALID_ARGUMENT'],
    ['axis overflow', () => K.maxPool({ ...g, outHeight: 2 ** 40, strideHeight: 2 ** 30, outWidth: 0 }, new Float32Array(150), new Float32Array(0)), 'SIMDNET_INVALID_ARGUMENT'],
    ['short x', () => K.maxPool(g, new Float32Array(149), new Float32Array(54)), 'SIMDNET_BUFFER_TOO_SMALL'],
    ['short dx', () => K.avgPoolGrad(g, new Float32Array(54), new Float32Array(149)), 'SIMDNET_BUFFER_TOO_SMALL'],
    ['null geometry', () => K.maxPoolGrad(null as unknown as PoolGeometry, new Float32Array(150), new Float32Array(54), new Float32Array(150)), 'SIMDNET_INVALID_ARGUMENT'],
    ['y overlapping x', () => { const b = new Float32Array(300); return K.maxPool(g, b.subarray(0, 150), b.subarray(100, 154)); }, 'SIMDNET_INVALID_ARGUMENT'],
    ['dx aliasing dy', () => { const b = new Float32Array(150); return K.avgPoolGrad(g, b, b); }, 'SIMDNET_INVALID_ARGUMENT'],
    ['Float64Array x', () => K.avgPool(g, new Float64Array(150) as unknown as Float32Array, new Float32Array(54)), 'SIMDNET_INVALID_ARGUMENT'],
  ];
  for (const b of backends)
    for (const [what, call, code] of bad)
      it(`rejects ${what} with ${code} [${b}]`, () => {
        K.setBackend(b);
        let err: unknown = null;
        try { call(); } catch (e) { err = e; }
        expect((err as { code?: string } | null)?.code).toBe(code);
      });

  it.runIf(native)('the addon itself rejects bad geometry with coded errors', () => {
    const codeOf = (f: () => unknown) => { try { f(); return null; } catch (e) { return (e as { code?: string }).code; } };
    expect(codeOf(() => nat.maxPool({ ...g, strideWidth: 0 }, new Float32Array(150), new Float32Array(54)))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(codeOf(() => nat.maxPoolGrad({ ...g, filterHeight: 2 ** 13, filterWidth: 2 ** 11 }, new Float32Array(150), new Float32Array(54), new Float32Array(150)))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(codeOf(() => nat.avgPoolGrad(g, new Float32Array(53), new Float32Array(150)))).toBe('SIMDNET_BUFFER_TOO_SMALL');
    expect(codeOf(() => nat.avgPool({ ...g, padTop: -1 }, new Float32Array(150), new Float32Array(54)))).toBe('SIMDNET_INVALID_ARGUMENT');
  });
});
