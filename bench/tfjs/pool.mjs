// Pooling kernels three ways, per call: 'native' (the addon's kernels/pool, what the 'simdnet' tfjs backend runs;
// default threads), 'js' (lib/kernels/reference/pool.ts: the channel-innermost JS loops the backend ran before, and
// the pure-TS twin now) and 'cpu' (tfjs-backend-cpu's MaxPool/MaxPoolGrad/AvgPool/AvgPoolGrad kernels through
// tf.engine().runKernel on the 'cpu' backend). Shapes: the two pooling layers of bench/tfjs/backend.mjs's MNIST CNN at
// batch 32, and a wider ImageNet-style 3x3/2 'same' layer. Median and min-max of repeated timings, in ms; the host is
// shared and noisy, so the load average is printed. Printed, not asserted.
// Run: npm run build:ts && node bench/tfjs/pool.mjs [--quick]
import os from 'node:os';
import { createRequire } from 'node:module';
import { fmtTiming, timePerCall } from './per-call.mjs';
import * as nat from '../../dist/kernels/native/pool.js';
import * as ref from '../../dist/kernels/reference/pool.js';

const require = createRequire(import.meta.url);
const tf = require('@tensorflow/tfjs');
await tf.setBackend('cpu');
const quick = process.argv.includes('--quick');
const loadavg = () => os.loadavg().map((v) => v.toFixed(2)).join(' ');

const time = (fn) => timePerCall(fn, { windowMs: 5, rounds: quick ? 5 : 15 });
const fmt = (t) => fmtTiming(t, 26);

const CASES = [
  ['CNN pool1 32x28x28x8 2x2/2', [32, 28, 28, 8], 2, 2, 'valid'],
  ['CNN pool2 32x14x14x16 2x2/2', [32, 14, 14, 16], 2, 2, 'valid'],
  ['wide 8x56x56x64 3x3/2 same', [8, 56, 56, 64], 3, 2, 'same'],
];

console.log(`pool kernels: ${os.cpus()[0]?.model} x${os.cpus().length}; load ${loadavg()}; ms per call, median [min-max]`);
console.log(`${'case'.padEnd(30)} ${'kernel'.padEnd(12)} ${'native'.padEnd(26)} ${'js (twin)'.padEnd(26)} ${'cpu (tfjs)'.padEnd(26)} native vs js, vs cpu`);
for (const [name, shape, f, s, pad] of CASES) {
  const info = tf.backend_util.computePool2DInfo(shape, [f, f], [s, s], 1, pad);
  const g = { batch: info.batchSize, inHeight: info.inHeight, inWidth: info.inWidth, channels: info.inChannels,
    outHeight: info.outHeight, outWidth: info.outWidth, filterHeight: f, filterWidth: f, strideHeight: s, strideWidth: s,
    padTop: info.padInfo.top, padLeft: info.padInfo.left };
  const xs = g.batch * g.inHeight * g.inWidth * g.channels, ys = g.batch * g.outHeight * g.outWidth * g.channels;
  const xv = Float32Array.from({ length: xs }, (_, i) => Math.sin(i * 0.37));
  const dyv = Float32Array.from({ length: ys }, (_, i) => Math.cos(i * 0.11));
  const x = tf.tensor4d(xv, shape), dy = tf.tensor4d(dyv, info.outShape);
  const attrs = { filterSize: [f, f], strides: [s, s], pad };
  const cpu = (kernel, inputs) => () => tf.engine().runKernel(kernel, inputs, attrs).dispose();
  const rows = [
    ['MaxPool', () => nat.maxPool(g, xv, new Float32Array(ys)), () => ref.maxPool(g, xv, new Float32Array(ys)), cpu('MaxPool', { x })],
    ['AvgPool', () => nat.avgPool(g, xv, new Float32Array(ys)), () => ref.avgPool(g, xv, new Float32Array(ys)), cpu('AvgPool', { x })],
    ['MaxPoolGrad', () => nat.maxPoolGrad(g, xv, dyv, new Float32Array(xs)), () => ref.maxPoolGrad(g, xv, dyv, new Float32Array(xs)),
      cpu('MaxPoolGrad', { dy, input: x, output: tf.maxPool(x, f, s, pad) })],
    ['AvgPoolGrad', () => nat.avgPoolGrad(g, dyv, new Float32Array(xs)), () => ref.avgPoolGrad(g, dyv, new Float32Array(xs)),
      cpu('AvgPoolGrad', { dy, input: x })],
  ];
  for (const [kernel, n, j, c] of rows) {
    const tn = time(n), tj = time(j), tc = time(c);
    console.log(`${name.padEnd(30)} ${kernel.padEnd(12)} ${fmt(tn)} ${fmt(tj)} ${fmt(tc)} ${(tj.med / tn.med).toFixed(1)}x, ${(tc.med / tn.med).toFixed(1)}x`);
  }
}
console.log(`load ${loadavg()}`);
