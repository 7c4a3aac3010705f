// The 'simdnet' backend's MaxPool, MaxPoolGrad, AvgPool and AvgPoolGrad (lib/tfjs/pool.ts on kernels/pool) against
// tfjs-backend-cpu's kernels, EXACTLY (rtol 0), on every ISA the addon has: channel counts around every vector width
// (masked tails), 'same'/'valid'/explicit pads with dimRoundingMode, strides below/equal/above the filter, ties, NaN,
// -Infinity and all-NaN windows, and a shape large enough to be split over the thread pool.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, it } from 'vitest';
import { native } from '../../lib/native.js';
import '../../lib/tfjs/index.js';
import { lcgArray } from '../helpers/random.js';
import { testedIsas } from '../helpers/isa.js';
import { expectSameAsCpu } from './compare.js';

const isas = testedIsas();
const threadsBefore = native?.getThreads();
afterAll(() => { if (native && threadsBefore) native.setThreads(threadsBefore); });

type Pad = 'same' | 'valid' | number;
type Case = [number[], [number, number], [number, number], Pad, 'floor' | 'round' | 'ceil' | undefined];
const CASES: Case[] = [
  [[2, 6, 7, 0], [2, 2], [2, 2], 'valid', undefined],
  [[2, 6, 7, 0], [2, 2], [2, 2], 'same', undefined],
  [[1, 5, 6, 0], [3, 3], [1, 1], 'same', undefined],
  [[2, 7, 5, 0], [3, 2], [2, 3], 'valid', undefined],
  [[1, 9, 8, 0], [2, 2], [3, 3], 'same', undefined],
  [[1, 8, 7, 0], [3, 3], [2, 2], 1, 'ceil'],
  [[1, 8, 7, 0], [3, 2], [2, 2], 2, 'floor'],
];
const CHANNELS = [1, 3, 5, 8, 9, 16, 17, 33];

let seed = 3;
/** Values with ties (rounded to halves), NaN every 13th, -Infinity every 29th, and one all-NaN run. */
function values(n: number): Float32Array {
  const v = lcgArray(n, seed++, -3, 3, 1);
  for (let i = 0; i < n; i++) v[i] = Math.round(v[i] * 2) / 2;
  for (let i = 4; i < n; i += 13) v[i] = NaN;
  for (let i = 11; i < n; i += 29) v[i] = -Infinity;
  if (n > 200) v.fill(NaN, 100, 160);
  return v;
}

function checkAll(xs: number[], f: [number, number], s: [number, number], pad: Pad, mode: Case[4], what: string): void {
  const v = values(xs.reduce((p, d) => p * d, 1));
  const x = () => tf.tensor(v, xs) as tf.Tensor4D;
  const dyShape = tf.tidy(() => tf.maxPool(x(), f, s, pad, mode).shape);
  const dyv = lcgArray(dyShape.reduce((p, d) => p * d, 1), seed++, -1, 1, 1);
  const dy = () => tf.tensor(dyv, dyShape);
  expectSameAsCpu(() => tf.maxPool(x(), f, s, pad, mode), 0, `maxPool ${what}`);
  expectSameAsCpu(() => tf.avgPool(x(), f, s, pad, mode), 0, `avgPool ${what}`);
  expectSameAsCpu(() => tf.grad((t: tf.Tensor4D) => tf.maxPool(t, f, s, pad, mode).mul(dy()).sum())(x()), 0, `maxPoolGrad ${what}`);
  // avgPool's gradient is linear in dy, so feed a finite x (NaN in x would not reach it, but 0*NaN in the mul would).
  const xf = () => tf.tensor(lcgArray(v.length, 9, -1, 1), xs) as tf.Tensor4D;
  expectSameAsCpu(() => tf.grad((t: tf.Tensor4D) => tf.avgPool(t, f, s, pad, mode).mul(dy()).sum())(xf()), 0, `avgPoolGrad ${what}`);
}

describe.runIf(native)('simdnet tfjs pooling vs tfjs-backend-cpu, exactly, on every ISA', () => {
  for (const isa of isas)
    it(`pads, strides, rounding modes, channel counts [${isa}]`, () => {
      native!.setIsa(isa);
      for (const [shape, f, s, pad, mode] of CASES)
        for (const c of CHANNELS) {
          const xs = [shape[0], shape[1], shape[2], c];
          checkAll(xs, f, s, pad, mode, `isa ${isa} x ${xs} f ${f} s ${s} p ${pad} ${mode ?? ''}`);
        }
    });

  it('a shape above the thread-split threshold (dispatch/pool.cc), on 1 and 2 threads', () => {
    // 2x32x32x16 with a 3x3 window at stride 1: ~295k window visits forward and backward, over two ranges of rows.
    for (const t of [1, 2]) {
      native!.setThreads(t);
      checkAll([2, 32, 32, 16], [3, 3], [1, 1], 'same', undefined, `threads ${t}`);
    }
  });
});
