// The native kernels of the 'simdnet' tfjs backend against tfjs-backend-cpu, op by op: every fast path, the
// fallbacks next to them (a result from the CPU kernel must match too), NaN/Inf, and inputs that are offset views.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { native } from '../../lib/native.js';
import '../../lib/tfjs/index.js';
import { BACKEND_NAME, JS_KERNELS, NATIVE_KERNELS, PRIORITY } from '../../lib/tfjs/index.js';
import { lcgArray } from '../helpers/random.js';
import { expectSameAsCpu, on } from './compare.js';

let seed = 1;
/** A float32 tensor of uniforms in [lo, hi), stored as an offset view (byteOffset 4), as tf.tensor keeps it. */
const rnd = (shape: number[], lo = -2, hi = 2) =>
  tf.tensor(lcgArray(shape.reduce((p, d) => p * d, 1), seed++, lo, hi, 1), shape);

describe('simdnet tfjs backend: registration', () => {
  it('is registered at priority 3 under its name, with native kernels when the addon loaded', () => {
    expect(BACKEND_NAME).toBe('simdnet');
    expect(PRIORITY).toBe(3);
    expect(tf.findBackendFactory('simdnet')).toBeTruthy();
    // Registered before any backend was used: tfjs starts the highest priority one.
    tf.backend();
    expect(tf.getBackend()).toBe('simdnet');
    if (process.env.SIMDNET_REQUIRE_NATIVE === '1') expect(native).not.toBeNull();
    for (const name of [...Object.keys(NATIVE_KERNELS), ...Object.keys(JS_KERNELS)]) {
      expect(tf.getKernel(name, 'cpu'), `${name} replaces a CPU kernel`).toBeTruthy();
      const replaced = native !== null || Object.hasOwn(JS_KERNELS, name);
      expect(tf.getKernel(name, 'simdnet').kernelFunc !== tf.getKernel(name, 'cpu').kernelFunc, name).toBe(replaced);
    }
    // Every CPU kernel has a 'simdnet' twin.
    for (const k of tf.getKernelsForBackend('cpu')) expect(tf.getKernel(k.kernelName, 'simdnet'), k.kernelName).toBeTruthy();
  });
});

describe.runIf(native)('simdnet tfjs backend: kernels vs tfjs-backend-cpu', () => {
  it('BatchMatMul: all four transposes, batched, broadcast batch, matrix-vector, fallbacks', () => {
    const cases: Array<[number[], number[]]> = [
      [[7, 5], [5, 9]], [[1, 1], [1, 1]], [[33, 17], [17, 40]], [[3, 4, 5], [3, 5, 6]], [[1, 4, 5], [3, 5, 6]],
      [[3, 4, 5], [1, 5, 6]], [[3, 4, 5], [5, 6]], [[2, 3, 4, 5], [2, 3, 5, 2]], [[2, 1, 4, 5], [1, 3, 5, 2]], // last: fallback
      [[6, 1], [1, 8]], [[1, 70], [70, 1]], [[0, 5], [5, 3]], // empty: fallback
    ];
    for (const [sa, sb] of cases) {
      for (const ta of [false, true]) for (const tb of [false, true]) {
        const shA = ta ? [...sa.slice(0, -2), sa[sa.length - 1], sa[sa.length - 2]] : sa;
        const shB = tb ? [...sb.slice(0, -2), sb[sb.length - 1], sb[sb.length - 2]] : sb;
        const a = rnd(shA).arraySync(), b = rnd(shB).arraySync();
        expectSameAsCpu(() => tf.matMul(tf.tensor(a as number[], shA), tf.tensor(b as number[], shB), ta, tb), 2e-6,
          `matMul ${sa} x ${sb} ${ta} ${tb}`, 1);
      }
    }
    // int32 falls back (the CPU kernel's integer result), as does a shape error, with tfjs's own message.
    expectSameAsCpu(() => tf.matMul(tf.tensor2d([[1, 2], [3, 4]], undefined, 'int32'), tf.tensor2d([[5], [6]], undefined, 'int32')));
    expect(() => tf.matMul(tf.ones([2, 3]), tf.ones([4, 2]))).toThrow(/inner shapes/);
  });

  it('_FusedMatMul: bias forms and every activation, fused or applied after', () => {
    const acts = ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu', 'prelu'] as const;
    for (const act of acts) for (const [sa, sb, sbias] of [[[9, 6], [6, 11], [11]], [[9, 6], [6, 11], [1]],
      [[9, 6], [6, 11], [9, 11]], [[9, 6], [6, 11], [9, 1]], [[2, 9, 6], [6, 11], [1, 11]], [[9, 6], [6, 11], null]] as const) {
      for (const tb of [false, true]) {
        const a = rnd(sa as unknown as number[]).arraySync();
        const b = rnd(tb ? [sb[1], sb[0]] : sb as unknown as number[]).arraySync();
        const bias = sbias === null ? null : rnd(sbias as unknown as number[]).arraySync();
        const prelu = rnd([11], 0, 0.5).arraySync();
        expectSameAsCpu(() => tf.fused.matMul({
          a: tf.tensor(a as number[]), b: tf.tensor(b as number[]), transposeB: tb,
          bias: bias === null ? undefined : tf.tensor(bias as number[]), activation: act,
          preluActivationWeights: act === 'prelu' ? tf.tensor(prelu) : undefined, leakyreluAlpha: 0.3,
        }), 2e-6, `fused ${act} ${sa} ${sb} bias ${sbias} tb ${tb}`, 1);
      }
    }
  });

  it('binary ops: same shape, scalar, row broadcast on either side, and the general broadcast fallback', () => {
    const ops: Array<[string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor]> = [
      ['add', tf.add], ['sub', tf.sub], ['mul', tf.mul], ['div', tf.div], ['maximum', tf.maximum],
      ['minimum', tf.minimum], ['squaredDifference', tf.squaredDifference]];
    const pairs: Array<[number[], number[]]> = [
      [[5, 7], [5, 7]], [[5, 7], []], [[], [5, 7]], [[5, 7], [1]], [[5, 7], [7]], [[7], [5, 7]], [[2, 5, 7], [1, 1, 7]],
      [[5, 7], [5, 1]], [[5, 1], [1, 7]], [[1, 5, 7], [5, 7]], [[0, 7], [7]], [[1], [1]],
    ];
    for (const [name, op] of ops) for (const [sa, sb] of pairs) {
      const a = rnd(sa).arraySync(), b = rnd(sb, 0.5, 3).arraySync();
      expectSameAsCpu(() => op(tf.tensor(a as number[], sa), tf.tensor(b as number[], sb)), 0, `${name} ${sa} ${sb}`);
    }
    // int32 and bool fall back to the CPU kernels' integer results.
    expectSameAsCpu(() => tf.add(tf.tensor1d([1, 2, 3], 'int32'), tf.tensor1d([4, 5, 6], 'int32')));
    expectSameAsCpu(() => tf.div(tf.tensor1d([7, 8, 9], 'int32'), tf.scalar(2, 'int32')));
    expect(() => tf.add(tf.ones([2, 3]), tf.ones([2, 4]))).toThrow(/broadcast/);
  });

  it('NaN and Inf: maximum/minimum/relu propagate NaN, activations and softmax saturate as tfjs cpu does', () => {
    const special = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 100, -100, 1e-30, 3.5];
    const x = () => tf.tensor1d(special);
    const y = () => tf.tensor1d([...special].reverse());
    for (const [name, f] of [
      ['maximum', () => tf.maximum(x(), y())], ['minimum', () => tf.minimum(x(), y())],
      ['maximum scalar NaN', () => tf.maximum(x(), tf.scalar(NaN))], ['minimum row', () => tf.minimum(tf.stack([x(), y()]), x())],
      ['add', () => tf.add(x(), y())], ['sub', () => tf.sub(x(), y())], ['mul', () => tf.mul(x(), y())],
      ['div', () => tf.div(x(), y())], ['squaredDifference', () => tf.squaredDifference(x(), y())],
      ['relu', () => tf.relu(x())], ['leakyRelu', () => tf.leakyRelu(x(), 0.2)], ['sigmoid', () => tf.sigmoid(x())],
      ['tanh', () => tf.tanh(x())], ['softmax', () => tf.softmax(tf.tensor2d([[1, NaN, 2], [Infinity, 1, 2], [-Infinity, 0, 1], [1000, -1000, 0]]))],
      ['matMul', () => tf.matMul(tf.tensor2d([[NaN, 1], [Infinity, 0], [1, 2]]), tf.tensor2d([[1, 0], [2, 3]]))],
      ['sum axis 0', () => tf.sum(tf.stack([x(), y(), x()]), 0)], ['mean axis 0', () => tf.mean(tf.stack([x(), y()]), 0)],
      ['fused relu', () => tf.fused.matMul({ a: tf.tensor2d([[NaN, 1], [-1, 0]]), b: tf.eye(2), activation: 'relu' })],
    ] as Array<[string, () => tf.Tensor]>) expectSameAsCpu(f, 1e-6, name);
  });

  it('unary activations on sizes around the vector width, with offset views', () => {
    for (const n of [1, 7, 8, 9, 16, 17, 1000]) {
      const v = rnd([n], -8, 8).arraySync() as number[];
      expectSameAsCpu(() => tf.relu(tf.tensor1d(v)), 0, `relu ${n}`);
      expectSameAsCpu(() => tf.leakyRelu(tf.tensor1d(v), 0.1), 3e-7, `leakyRelu ${n}`);
      expectSameAsCpu(() => tf.sigmoid(tf.tensor1d(v)), 1e-6, `sigmoid ${n}`);
      expectSameAsCpu(() => tf.tanh(tf.tensor1d(v)), 1e-6, `tanh ${n}`);
    }
    expectSameAsCpu(() => tf.relu(tf.tensor1d([1, -2, 3], 'int32')));
  });

  it('JS unary loops: exactly the CPU kernels arithmetic, NaN/Inf included, int32 falling back', () => {
    const v = [...(rnd([50], -30, 30).arraySync() as number[]), NaN, Infinity, -Infinity, 0, -0, 6, -1e-40, 1e30];
    const ops: Array<[string, (x: tf.Tensor) => tf.Tensor]> = [
      ['sqrt', tf.sqrt], ['rsqrt', tf.rsqrt], ['exp', tf.exp], ['log', tf.log], ['square', tf.square], ['neg', tf.neg],
      ['abs', tf.abs], ['elu', tf.elu], ['relu6', tf.relu6], ['selu', tf.selu], ['step', (x) => tf.step(x, 0.25)],
      ['clipByValue', (x) => tf.clipByValue(x, -2.5, 7)]];
    for (const [name, op] of ops) {
      expectSameAsCpu(() => op(tf.tensor1d(v)), 0, name);
      const int = () => op(tf.tensor2d([[1, -2], [3, 4]], undefined, 'int32'));
      let cpuAcceptsInt32 = true;
      try { on('cpu', int); } catch { cpuAcceptsInt32 = false; } // several ops are float32-only in tfjs's op layer
      if (cpuAcceptsInt32) expectSameAsCpu(int, 0, `${name} int32`);
    }
  });

  it('Softmax on the last axis; Sum and Mean over leading axes, keepDims, and their fallbacks', () => {
    for (const shape of [[1, 1], [4, 10], [3, 5, 7], [10]]) {
      const v = rnd(shape, -5, 5).arraySync();
      expectSameAsCpu(() => tf.softmax(tf.tensor(v as number[])), 2e-6, `softmax ${shape}`);
    }
    for (const [shape, axis, keep] of [[[6, 5], 0, false], [[6, 5], 0, true], [[4, 3, 5], [0, 1], false], [[4, 3, 5], [1, 0], true],
      [[4, 3, 5], 0, false], [[4, 3, 5], 1, false], [[6, 5], 1, false], [[6, 5], -1, true], [[6, 5], [0, 1], false],
      [[6, 5], -2, false], [[7], 0, false], [[300, 9], 0, false]] as Array<[number[], number | number[], boolean]>) {
      const v = rnd(shape).arraySync();
      expectSameAsCpu(() => tf.sum(tf.tensor(v as number[]), axis, keep), 1e-5, `sum ${shape} ${axis} ${keep}`, 0.1);
      expectSameAsCpu(() => tf.mean(tf.tensor(v as number[]), axis, keep), 1e-5, `mean ${shape} ${axis} ${keep}`, 0.1);
    }
    expectSameAsCpu(() => tf.sum(tf.tensor2d([[1, 2], [3, 4]], undefined, 'int32'), 0));
  });

  it('Conv2D, FusedConv2D and both backprops (im2col + GEMM): pads, strides, image groups; fallbacks', () => {
    type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
    const cases: Array<[number[], number[], number | [number, number], Pad]> = [
      [[2, 5, 5, 3], [3, 3, 3, 4], 1, 'same'], [[2, 5, 5, 3], [3, 3, 3, 4], 1, 'valid'], [[1, 7, 6, 2], [2, 3, 2, 5], 2, 'same'],
      [[3, 6, 7, 1], [3, 2, 1, 2], [2, 1], 'valid'], [[1, 5, 5, 2], [3, 3, 2, 3], 1, [[0, 0], [1, 2], [2, 0], [0, 0]]],
      [[2, 4, 4, 8], [1, 1, 8, 6], 1, 'valid'], [[1, 3, 3, 1], [5, 5, 1, 1], 1, 'same'],
      // 64x64x40 with a 3x3 filter: 1.47M floats of patches per image against a 4M cap: groups of 2 and 1 images.
      [[3, 64, 64, 40], [3, 3, 40, 1], 1, 'same'],
    ];
    for (const [xs, fs, strides, pad] of cases) {
      const xv = rnd(xs).dataSync().slice(), fv = rnd(fs, -1, 1).dataSync().slice(), bv = rnd([fs[3]]).dataSync().slice();
      const what = `x ${xs} f ${fs} s ${strides} p ${JSON.stringify(pad)}`;
      const big = xs[0] * xs[1] * xs[2] > 1000; // the CPU kernel takes seconds there: forward and gradients only
      const x = () => tf.tensor(xv, xs) as tf.Tensor4D, f = () => tf.tensor(fv, fs) as tf.Tensor4D;
      expectSameAsCpu(() => tf.conv2d(x(), f(), strides, pad), 2e-6, `conv2d ${what}`, 1);
      const yShape = tf.tidy(() => tf.conv2d(x(), f(), strides, pad).shape);
      const dyv = rnd(yShape, -1, 1).dataSync().slice();
      const dy = () => tf.tensor(dyv, yShape);
      expectSameAsCpu(() => tf.grad((xx: tf.Tensor4D) => tf.conv2d(xx, f(), strides, pad).mul(dy()).sum())(x()), 2e-6, `dx ${what}`, 1);
      // dW sums batch * outH * outW products per element: float32 accumulation in the GEMM, doubles in the CPU kernel.
      expectSameAsCpu(() => tf.grad((ff: tf.Tensor4D) => tf.conv2d(x(), ff, strides, pad).mul(dy()).sum())(f()),
        big ? 2e-5 : 2e-6, `dW ${what}`, 1);
      for (const activation of big ? [] : ['relu', 'elu', 'sigmoid', 'linear'] as const) {
        expectSameAsCpu(() => tf.fused.conv2d({ x: x(), filter: f(), strides, pad, bias: tf.tensor1d(bv), activation }),
          2e-6, `fused ${activation} ${what}`, 1);
      }
    }
    // dilation 2 and NCHW fall back to the CPU kernel (and agree with it trivially); a shape error keeps tfjs's message.
    const x = tf.tensor4d(rnd([1, 6, 6, 2]).dataSync(), [1, 6, 6, 2]), f = tf.tensor4d(rnd([2, 2, 2, 3]).dataSync(), [2, 2, 2, 3]);
    expectSameAsCpu(() => tf.conv2d(x, f, 1, 'same', 'NHWC', 2), 1e-6, 'dilated', 1);
    expect(() => tf.conv2d(x, tf.ones([2, 2, 3, 3]) as tf.Tensor4D, 1, 'same')).toThrow(/depth/);
  });

  it('MaxPool and MaxPoolGrad: pads, strides, overlapping windows, NaN and -Inf, the 1x1 fallback', () => {
    type Pad = 'same' | 'valid' | number;
    const cases: Array<[number[], number | [number, number], number | [number, number], Pad]> = [
      [[2, 6, 6, 3], 2, 2, 'valid'], [[2, 7, 5, 3], 2, 2, 'same'], [[1, 7, 7, 4], 3, 2, 'same'], [[1, 6, 6, 2], 3, 1, 'same'],
      [[3, 5, 6, 1], [2, 3], [1, 2], 'valid'], [[1, 8, 8, 5], 3, 2, 1], [[1, 4, 4, 2], 1, 1, 'valid'], [[1, 4, 4, 2], 1, 2, 'valid'],
    ];
    for (const [xs, filter, strides, pad] of cases) {
      const v = rnd(xs, -3, 3).dataSync().slice();
      // Ties, NaN and -Infinity: the first maximum wins, NaN is never picked, an all-NaN window gives -Infinity.
      v[0] = NaN; v[1] = -Infinity; v[5] = v[6]; if (v.length > 40) v.fill(NaN, 20, 40);
      const dyShape = tf.tidy(() => tf.maxPool(tf.tensor(v, xs) as tf.Tensor4D, filter, strides, pad).shape);
      const dyv = rnd(dyShape, -1, 1).dataSync().slice();
      const what = `x ${xs} f ${filter} s ${strides} p ${pad}`;
      expectSameAsCpu(() => tf.maxPool(tf.tensor(v, xs) as tf.Tensor4D, filter, strides, pad), 0, `maxPool ${what}`);
      expectSameAsCpu(() => tf.grad((x: tf.Tensor4D) => tf.maxPool(x, filter, strides, pad).mul(tf.tensor(dyv, dyShape)).sum())(
        tf.tensor(v, xs) as tf.Tensor4D), 0, `maxPoolGrad ${what}`);
    }
    expectSameAsCpu(() => tf.maxPool(tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1], 'int32'), 2, 1, 'valid'));
  });

  it('AvgPool and AvgPoolGrad: pads (clipped windows), strides, overlapping windows, NaN/Inf, the 1x1 fallback', () => {
    type Pad = 'same' | 'valid' | number;
    const cases: Array<[number[], number | [number, number], number | [number, number], Pad]> = [
      [[2, 6, 6, 3], 2, 2, 'valid'], [[2, 7, 5, 3], 2, 2, 'same'], [[1, 7, 7, 4], 3, 2, 'same'], [[1, 6, 6, 2], 3, 1, 'same'],
      [[3, 5, 6, 1], [2, 3], [1, 2], 'valid'], [[1, 8, 8, 5], 3, 2, 1], [[1, 4, 4, 2], 1, 1, 'valid'], [[1, 4, 4, 2], 1, 2, 'valid'],
    ];
    for (const [xs, filter, strides, pad] of cases) {
      const v = rnd(xs, -3, 3).dataSync().slice();
      v[0] = NaN; v[7] = Infinity;
      const dyShape = tf.tidy(() => tf.avgPool(tf.tensor(v, xs) as tf.Tensor4D, filter, strides, pad).shape);
      const dyv = rnd(dyShape, -1, 1).dataSync().slice();
      const what = `x ${xs} f ${filter} s ${strides} p ${pad}`;
      expectSameAsCpu(() => tf.avgPool(tf.tensor(v, xs) as tf.Tensor4D, filter, strides, pad), 0, `avgPool ${what}`);
      // The gradient is linear in dy: NaN in x does not reach it. Sums in double, rounded once: exact.
      expectSameAsCpu(() => tf.grad((x: tf.Tensor4D) => tf.avgPool(x, filter, strides, pad).mul(tf.tensor(dyv, dyShape)).sum())(
        tf.tensor(v, xs) as tf.Tensor4D), 0, `avgPoolGrad ${what}`);
    }
  });

  it('never writes into an input, and every output is a new buffer', () => {
    const a = rnd([8, 8]), b = rnd([8, 8]), r = rnd([8]);
    const before = [a, b, r].map((t) => Float32Array.from(t.dataSync()));
    const outs = [tf.matMul(a, b), tf.matMul(a, b, true, true), tf.add(a, r), tf.mul(a, b), tf.relu(a), tf.sigmoid(a),
      tf.softmax(a), tf.sum(a, 0), tf.fused.matMul({ a, b, bias: r, activation: 'elu' }), tf.maximum(a, tf.scalar(0))];
    [a, b, r].forEach((t, i) => expect(Array.from(t.dataSync())).toEqual(Array.from(before[i])));
    const buffers = new Set([a, b, r, ...outs].map((t) => (t.dataSync() as Float32Array).buffer));
    expect(buffers.size).toBe(3 + outs.length);
  });
});
