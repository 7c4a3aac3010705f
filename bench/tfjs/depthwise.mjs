// DepthwiseConv2dNative and its two backprops on the 'simdnet' tfjs backend (native kernels/depthwise, default
// threads) against tfjs-backend-cpu's kernels, per call through tf.engine().runKernel on each backend (so both pay the
// same tfjs dispatch), for two MobileNet-style 3x3 layers. Median and min-max of repeated timings, in ms; the host is
// shared and noisy, so the load average is printed. Printed, not asserted.
// Run: npm run build:ts && node bench/tfjs/depthwise.mjs [--quick]
import os from 'node:os';
import { createRequire } from 'node:module';
import { fmtTiming, timePerCall } from './per-call.mjs';

const require = createRequire(import.meta.url);
const tf = require('@tensorflow/tfjs');
await import('../../dist/tfjs/index.js');
const quick = process.argv.includes('--quick');
const loadavg = () => os.loadavg().map((v) => v.toFixed(2)).join(' ');

const time = (fn) => timePerCall(fn, { windowMs: 20, rounds: quick ? 3 : 9 });
const fmt = (t) => fmtTiming(t, 28);

const CASES = [
  ['8x56x56x64 3x3/1 same', [8, 56, 56, 64], 1],
  ['32x28x28x32 3x3/2 same', [32, 28, 28, 32], 2],
];
console.log(`depthwise: ${os.cpus()[0]?.model} x${os.cpus().length}; load ${loadavg()}; ms per call, median [min-max]`);
console.log(`${'case'.padEnd(26)} ${'kernel'.padEnd(36)} ${'simdnet'.padEnd(28)} ${'cpu'.padEnd(28)} speed-up`);
for (const [name, shape, s] of CASES) {
  const fShape = [3, 3, shape[3], 1];
  const attrs = { strides: [s, s], pad: 'same', dilations: [1, 1] };
  const kernels = [
    ['DepthwiseConv2dNative', (x, w) => ({ x, filter: w }), {}],
    ['DepthwiseConv2dNativeBackpropInput', (x, w, dy) => ({ dy, filter: w }), { inputShape: shape }],
    ['DepthwiseConv2dNativeBackpropFilter', (x, w, dy) => ({ x, dy }), { filterShape: fShape }],
  ];
  const times = {};
  for (const backend of ['simdnet', 'cpu']) {
    tf.setBackend(backend);
    const x = tf.randomUniform(shape, -1, 1, 'float32', 1), w = tf.randomUniform(fShape, -1, 1, 'float32', 2);
    const dy = tf.randomUniform(tf.depthwiseConv2d(x, w, s, 'same').shape, -1, 1, 'float32', 3);
    for (const [k, inputs, extra] of kernels)
      times[`${k} ${backend}`] = time(() => tf.engine().runKernel(k, inputs(x, w, dy), { ...attrs, ...extra }).dispose());
    tf.dispose([x, w, dy]);
  }
  for (const [k] of kernels) {
    const a = times[`${k} simdnet`], c = times[`${k} cpu`];
    console.log(`${name.padEnd(26)} ${k.padEnd(36)} ${fmt(a)} ${fmt(c)} ${(c.med / a.med).toFixed(1)}x`);
  }
}
console.log(`load ${loadavg()}`);
