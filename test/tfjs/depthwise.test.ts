// The 'simdnet' backend's DepthwiseConv2dNative and its two backprops (lib/tfjs/depthwise.ts on kernels/depthwise)
// against tfjs-backend-cpu's kernels, EXACTLY (rtol 0), on every ISA the addon has: channel counts around every vector
// width (masked tails), 'same'/'valid'/explicit pads with dimRoundingMode, strides 1-3, rectangular filters, NaN and
// Infinity in x, a shape large enough to be split over the thread pool, and the fallbacks (channel multiplier 2,
// dilation 2) that must match too. A spy on the addon shows the native kernels ran.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { native } from '../../lib/native.js';
import '../../lib/tfjs/index.js';
import { NATIVE_KERNELS } from '../../lib/tfjs/index.js';
import { lcgArray } from '../helpers/random.js';
import { testedIsas } from '../helpers/isa.js';
import { expectSameAsCpu } from './compare.js';

const isas = testedIsas();
const threadsBefore = native?.getThreads();
afterAll(() => { if (native && threadsBefore) native.setThreads(threadsBefore); });

type Pad = 'same' | 'valid' | number;
type Mode = 'floor' | 'round' | 'ceil' | undefined;
let seed = 5;
const rand = (n: number, lo = -2, hi = 2) => lcgArray(n, seed++, lo, hi, 1);

function checkAll(xs: [number, number, number, number], fh: number, fw: number, s: [number, number], pad: Pad,
  mode: Mode, what: string, mult = 1, dil: [number, number] = [1, 1], special = true): void {
  const xv = rand(xs.reduce((p, d) => p * d, 1));
  if (special && xv.length > 20) { xv[3] = NaN; xv[17] = Infinity; }
  const wShape: [number, number, number, number] = [fh, fw, xs[3], mult];
  const wv = rand(wShape.reduce((p, d) => p * d, 1), -1, 1);
  const x = () => tf.tensor4d(xv, xs), w = () => tf.tensor4d(wv, wShape);
  const conv = (a: tf.Tensor4D, b: tf.Tensor4D) => tf.depthwiseConv2d(a, b, s, pad, 'NHWC', dil, mode);
  const yShape = tf.tidy(() => conv(x(), w()).shape);
  const dyv = rand(yShape.reduce((p, d) => p * d, 1), -1, 1);
  const dy = () => tf.tensor(dyv, yShape);
  expectSameAsCpu(() => conv(x(), w()), 0, `forward ${what}`);
  if (dil[0] !== 1 || dil[1] !== 1) return; // tfjs has no gradient for dilated depthwise convolutions
  // The gradients are linear in dy; NaN/Inf in x reach the filter gradient as tfjs computes it.
  expectSameAsCpu(() => tf.grads((a: tf.Tensor4D, b: tf.Tensor4D) => conv(a, b).mul(dy()).sum())([x(), w()])[0], 0, `dx ${what}`);
  expectSameAsCpu(() => tf.grads((a: tf.Tensor4D, b: tf.Tensor4D) => conv(a, b).mul(dy()).sum())([x(), w()])[1], 0, `dw ${what}`);
}

const CASES: [number[], number, number, [number, number], Pad, Mode][] = [
  [[2, 7, 6], 3, 3, [1, 1], 'same', undefined],
  [[2, 7, 6], 3, 3, [2, 2], 'valid', undefined],
  [[1, 8, 9], 5, 3, [2, 1], 'same', undefined],
  [[1, 6, 6], 2, 2, [3, 3], 'same', undefined],
  [[1, 9, 7], 3, 2, [2, 2], 1, 'ceil'],
  [[2, 5, 5], 1, 1, [1, 1], 'valid', undefined],
];
const CHANNELS = [1, 3, 8, 9, 16, 17, 33];

describe.runIf(native)('simdnet tfjs depthwise convolution vs tfjs-backend-cpu, exactly, on every ISA', () => {
  it('is registered as a native kernel', () => {
    for (const k of ['DepthwiseConv2dNative', 'DepthwiseConv2dNativeBackpropInput', 'DepthwiseConv2dNativeBackpropFilter'])
      expect(Object.keys(NATIVE_KERNELS)).toContain(k);
  });

  for (const isa of isas)
    it(`forward, input and filter gradients [${isa}]`, () => {
      native!.setIsa(isa);
      const spies = ['depthwiseConv2d', 'depthwiseBackpropInput', 'depthwiseBackpropFilter'].map((k) => vi.spyOn(native!, k));
      try {
        for (const [shape, fh, fw, s, pad, mode] of CASES)
          for (const c of CHANNELS)
            checkAll([shape[0], shape[1], shape[2], c], fh, fw, s, pad, mode, `isa ${isa} x ${shape},${c} f ${fh}x${fw} s ${s} p ${pad} ${mode ?? ''}`);
        for (const spy of spies) expect(spy.mock.calls.length).toBeGreaterThanOrEqual(CASES.length * CHANNELS.length);
      } finally {
        for (const spy of spies) spy.mockRestore();
      }
    });

  it('a shape above the thread-split threshold, on 1 and 2 threads', () => {
    for (const t of [1, 2]) {
      native!.setThreads(t);
      checkAll([4, 24, 24, 32], 3, 3, [1, 1], 'same', undefined, `threads ${t}`);
    }
  });

  it('the addon rejects bad geometry and short buffers with coded errors', () => {
    const G = [1, 4, 4, 3, 4, 4, 3, 3, 1, 1, 1, 1], f = (n: number) => new Float32Array(n);
    const codeOf = (fn: () => unknown) => { try { fn(); return 'returned'; } catch (e) { return (e as { code?: string }).code; } };
    const a = native!;
    expect(codeOf(() => a.depthwiseConv2d(...G, f(48), f(27), f(48)))).toBe('returned');
    expect(codeOf(() => a.depthwiseConv2d(...G.map((v, i) => (i === 8 ? 0 : v)), f(48), f(27), f(48)))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(codeOf(() => a.depthwiseConv2d(...G.map((v, i) => (i === 6 ? 0 : v)), f(48), f(27), f(48)))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(codeOf(() => a.depthwiseConv2d(...G, f(48), f(26), f(48)))).toBe('SIMDNET_BUFFER_TOO_SMALL');
    expect(codeOf(() => a.depthwiseBackpropInput(...G, f(47), f(27), f(48)))).toBe('SIMDNET_BUFFER_TOO_SMALL');
    expect(codeOf(() => a.depthwiseBackpropFilter(...G, f(48), f(48), new Float64Array(27)))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(codeOf(() => a.depthwiseBackpropFilter(...G.map((v, i) => (i === 0 ? -1 : v)), f(48), f(48), f(27)))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(codeOf(() => a.depthwiseConv2d(...G.map((v, i) => (i === 4 ? 2 ** 40 : i === 8 ? 2 ** 30 : i === 5 ? 0 : v)), f(48), f(27), f(0)))).toBe('SIMDNET_INVALID_ARGUMENT');
    // Empty outputs: the gradients are all zero (written in full), the forward pass writes nothing.
    const dx = f(48).fill(5), dw = f(27).fill(5);
    a.depthwiseBackpropInput(...G.map((v, i) => (i === 4 ? 0 : v)), f(0), f(27), dx);
    a.depthwiseBackpropFilter(...G.map((v, i) => (i === 4 ? 0 : v)), f(48), f(0), dw);
    expect([...dx, ...dw].every((v) => v === 0)).toBe(true);
  });

  it('fallbacks match too: channel multiplier 2, dilation 2', () => {
    checkAll([1, 6, 6, 3], 3, 3, [1, 1], 'same', undefined, 'multiplier 2', 2);
    checkAll([1, 9, 9, 4], 3, 3, [1, 1], 'valid', undefined, 'dilation 2', 1, [2, 2]);
  });
});
