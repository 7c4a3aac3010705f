// The native element-wise, reduction and batch-norm kernels of the 'simdnet' backend (binary.ts, unary.ts,
// reduce.ts, batchnorm.ts above NATIVE_MIN_ELEMENTS) against 'cpu' on tensors large enough to take the native path,
// with NaN, +-Inf, +-0 and subnormal-free extremes planted where tfjs's semantics are easiest to get wrong (SIMD
// max/min drop NaN; exp overflow; log(0); relu/step of NaN; ArgMax with NaN first or in the middle). Also: the
// native path really runs (a planted wrong result would be seen), and inputs are never written.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { native } from '../../lib/native.js';
import '../../lib/tfjs/index.js';
import { NATIVE_MIN_ELEMENTS } from '../../lib/tfjs/threshold.js';
import { lcgArray } from '../helpers/random.js';
import { expectSameAsCpu } from './compare.js';

const R = 64, C = 130; // 8320 elements: above the threshold, C not a multiple of any vector width
const X = lcgArray(R * C, 5, -6, 6), Y = lcgArray(R * C, 9, -6, 6);
const specials = [NaN, Infinity, -Infinity, 0, -0, 88.5, 89, -90, 1e-3, -1e-6];
specials.forEach((v, k) => { X[17 * k + 3] = v; Y[29 * k + 5] = specials[(k + 3) % specials.length]; });
X[C * 3] = NaN; // a row (and a column) whose first element is NaN
const x = () => tf.tensor2d(X, [R, C]), y = () => tf.tensor2d(Y, [R, C]);
const row = () => tf.tensor1d(Y.slice(0, C)), scalar = () => tf.scalar(-1.25);

describe.runIf(native)('simdnet tfjs backend: native element-wise kernels match cpu', () => {
  beforeAll(async () => { await tf.setBackend('simdnet'); });
  it('sizes take the native path', () => expect(R * C).toBeGreaterThanOrEqual(NATIVE_MIN_ELEMENTS));

  const binaries: Array<[string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, number]> = [
    ['add', tf.add, 0], ['sub', tf.sub, 0], ['mul', tf.mul, 0], ['div', tf.div, 0], ['maximum', tf.maximum, 0],
    ['minimum', tf.minimum, 0], ['squaredDifference', tf.squaredDifference, 3e-7], ['prelu', tf.prelu, 0],
  ];
  for (const [name, op, rtol] of binaries) {
    it(`${name}: same shape, scalar either side, row either side (NaN/Inf on both sides)`, () => {
      expectSameAsCpu(() => op(x(), y()), rtol, `${name} same`);
      expectSameAsCpu(() => op(x(), scalar()), rtol, `${name} scalarB`);
      if (name !== 'prelu') expectSameAsCpu(() => op(scalar(), x()), rtol, `${name} scalarA`);
      expectSameAsCpu(() => op(x(), row()), rtol, `${name} rowB`);
      if (name !== 'prelu') expectSameAsCpu(() => op(row(), y()), rtol, `${name} rowA`);
    });
  }

  it('maximum/minimum give NaN where either side is NaN (SIMD max/min alone would drop it)', () => {
    const a = new Float32Array(8192).fill(1), b = new Float32Array(8192).fill(2);
    a[5] = NaN; b[9] = NaN; a[4095] = NaN; b[8191] = NaN;
    for (const op of [tf.maximum, tf.minimum]) {
      const out = on('simdnet', () => op(tf.tensor1d(a), tf.tensor1d(b)));
      for (const i of [5, 9, 4095, 8191]) expect(Number.isNaN(out[i]), `${i}`).toBe(true);
      expect(out[6]).toBe(op === tf.maximum ? 2 : 1);
    }
  });

  const unaries: Array<[string, (t: tf.Tensor) => tf.Tensor, number]> = [
    ['relu6', tf.relu6, 0], ['elu', tf.elu, 4e-7], ['selu', tf.selu, 4e-7], ['exp', tf.exp, 4e-7],
    ['log', tf.log, 3e-7], ['sqrt', tf.sqrt, 0], ['rsqrt', tf.rsqrt, 2e-7], ['square', tf.square, 0], ['neg', tf.neg, 0],
    ['abs', tf.abs, 0], ['step', (t) => tf.step(t, 0.25), 0], ['clipByValue', (t) => tf.clipByValue(t, -1.5, 2.5), 0],
    ['relu', tf.relu, 0], ['leakyRelu', (t) => tf.leakyRelu(t, 0.1), 2e-7],
  ];
  for (const [name, op, rtol] of unaries) {
    it(`${name} (NaN, +-Inf, +-0, exp overflow at 88.5/89, tiny arguments)`, () => {
      expectSameAsCpu(() => op(x()), rtol, name);
      expectSameAsCpu(() => op(tf.abs(x())), rtol, `${name} of |x|`);
    });
  }
  it('exp over [-110, 110] and log near 0 and 1, elu near 0', () => {
    expectSameAsCpu(() => tf.exp(tf.linspace(-87, 110, 8192)), 5e-7, 'exp');
    expectSameAsCpu(() => tf.log(tf.linspace(0, 2, 8192)), 3e-7, 'log');
    expectSameAsCpu(() => tf.elu(tf.linspace(-1e-3, 1e-3, 8192)), 3e-7, 'elu');
  });

  it('max/min/argMax/argMin over the last axis and axis 0 (NaN first, in the middle, ties)', () => {
    const ties = () => tf.round(x());
    for (const t of [x, ties]) {
      for (const axis of [0, 1, -1]) {
        expectSameAsCpu(() => tf.max(t(), axis), 0, `max ${axis}`);
        expectSameAsCpu(() => tf.min(t(), axis, true), 0, `min ${axis}`);
        expectSameAsCpu(() => tf.argMax(t(), axis), 0, `argMax ${axis}`);
        expectSameAsCpu(() => tf.argMin(t(), axis), 0, `argMin ${axis}`);
      }
      expectSameAsCpu(() => tf.max(t().reshape([8, 8, C]), [0, 1]), 0, 'max leading axes');
      expectSameAsCpu(() => tf.min(t().reshape([8, 8, C]), [1, 2]), 0, 'min trailing axes');
    }
  });

  it('batchNorm (FusedBatchNorm) with per-channel and scalar vectors, missing scale/offset', () => {
    const v = () => tf.abs(row()).add(0.5);
    const m = () => tf.tensor1d(X.slice(C, 2 * C).map((a) => (Number.isFinite(a) ? a : 0)));
    const finiteX = () => tf.tensor2d(Y.map((a) => (Number.isFinite(a) ? a : 1)), [R, C]);
    // (x - mean) * scale / sqrt(var + eps) + offset may cancel: compare relative to the terms' size.
    expectSameAsCpu(() => tf.batchNorm(finiteX(), m(), v(), row().abs().add(0.1), tf.tensor1d([0.5]), 1e-3), 1e-6, 'bn', 1);
    expectSameAsCpu(() => tf.batchNorm(x(), m(), v()), 1e-6, 'bn no scale/offset', 1);
  });

  it('never writes into its inputs', () => {
    tf.setBackend('simdnet');
    tf.tidy(() => {
      const a = x(), b = y();
      const before = [Float32Array.from(a.dataSync()), Float32Array.from(b.dataSync())];
      for (const t of [tf.add(a, b), tf.maximum(a, b), tf.exp(a), tf.max(a, 0), tf.argMax(b, 1)]) t.dataSync();
      expect(Array.from(a.dataSync())).toEqual(Array.from(before[0]));
      expect(Array.from(b.dataSync())).toEqual(Array.from(before[1]));
    });
  });
});

function on(backend: string, f: () => tf.Tensor): Float32Array {
  const prev = tf.getBackend();
  tf.setBackend(backend);
  try {
    return tf.tidy(() => Float32Array.from(f().dataSync()));
  } finally {
    tf.setBackend(prev);
  }
}
