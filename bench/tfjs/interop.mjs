// A tfjs model trained by simdnet and handed back (issue 14): `npm run build:ts && node bench/tfjs/interop.mjs
// [--n 6000] [--epochs 3] [--quick]`. For the benchmark MLP (784-128(relu)-64(relu)-10(softmax), Adam 1e-3,
// categorical cross-entropy, batch 128) on a Fashion-MNIST subset (bench/train/data.mjs; synthetic data of the same
// shape where the dataset is absent), from the same initial weights:
//   simdnet path  fromTfjs(tfModel) -> compile -> fit (native engine) -> model.copyWeightsTo(tfModel); ms per epoch
//                 of fit, plus the one-off cost of fromTfjs + compile and of copyWeightsTo
//   tfjs cpu      tfModel.fit on tfjs-backend-cpu, ms per epoch
//   tfjs wasm     tfModel.fit on tfjs-backend-wasm (SIMD, single-threaded in Node), ms per epoch
// Per-epoch figures are medians with min-max over the timed epochs (the first epoch of each is timed separately as
// warm-up); the loss after the last epoch and the accuracy of the tfjs model after copyWeightsTo show the weights made
// the trip. Printed only, not a test: the host is shared and noisy (the load average is printed before and after).
import os from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadTrainingData } from '../train/data.mjs';

const require = createRequire(import.meta.url);
const tf = require('@tensorflow/tfjs');
let wasmNote = null;
try {
  const wasm = require('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/'));
} catch (e) {
  wasmNote = `tfjs-backend-wasm not available (${e.message.split('\n')[0]})`;
}
const { fromTfjs, optimizers, runtimeInfo } = await import('../../dist/index.js');

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const quick = process.argv.includes('--quick');
const N = arg('n', quick ? 2048 : 6000);
const EPOCHS = arg('epochs', quick ? 2 : 3);
const BATCH = 128;
const loadavg = () => os.loadavg().map((v) => v.toFixed(2)).join(' ');
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const fmt = (xs) => xs.length === 0 ? 'n/a' : `${median(xs).toFixed(1)} (${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)})`;

const data = loadTrainingData(N);
const x = data.x.subarray(0, N * 784), y = data.y.subarray(0, N * 10);

function build(weights) {
  const m = tf.sequential({ layers: [
    tf.layers.dense({ units: 128, activation: 'relu', inputShape: [784] }),
    tf.layers.dense({ units: 64, activation: 'relu' }),
    tf.layers.dense({ units: 10, activation: 'softmax' })] });
  if (weights) m.setWeights(weights.map(([v, s]) => tf.tensor(v, s)));
  return m;
}

function accuracy(model) {
  return tf.tidy(() => {
    const p = model.predict(tf.tensor2d(x, [N, 784])).argMax(1).dataSync();
    let hit = 0;
    for (let i = 0; i < N; i++) if (y[i * 10 + p[i]] === 1) hit++;
    return hit / N;
  });
}

await tf.setBackend('cpu');
const init = build();
const weights = init.weights.map((w) => [w.read().dataSync().slice(), w.shape]);
init.dispose();

console.log(`# tfjs interop: fromTfjs -> simdnet fit -> copyWeightsTo vs tfLayersModel.fit`);
console.log(`# host: ${os.cpus()[0]?.model} x${os.cpus().length}, simdnet ${JSON.stringify(runtimeInfo())}`);
console.log(`# data: ${data.source}, first ${N} samples; MLP 784-128-64-10, Adam 1e-3, batch ${BATCH}, ${EPOCHS} epochs (first = warm-up)`);
console.log(`# load average before: ${loadavg()}`);

const rows = [];

// simdnet path (the tfjs model lives on 'cpu'; only fromTfjs and copyWeightsTo touch it).
{
  const tfModel = build(weights);
  const t0 = performance.now();
  const model = fromTfjs(tfModel);
  model.compile({ optimizer: optimizers.adam({ learningRate: 1e-3 }), loss: 'categoricalCrossentropy', seed: 1 });
  const tIn = performance.now() - t0;
  const epochs = [];
  let loss = NaN;
  for (let e = 0; e < EPOCHS; e++) {
    const s = performance.now();
    const h = await model.fit(x, y, { epochs: 1, batchSize: BATCH, verbose: 0, seed: e });
    epochs.push(performance.now() - s);
    loss = h.history.loss.at(-1);
  }
  const c0 = performance.now();
  model.copyWeightsTo(tfModel);
  const tOut = performance.now() - c0;
  rows.push({ name: 'simdnet (fromTfjs/copyWeightsTo)', warm: epochs[0], timed: epochs.slice(1), loss, acc: accuracy(tfModel), extra: `fromTfjs+compile ${tIn.toFixed(1)} ms, copyWeightsTo ${tOut.toFixed(1)} ms` });
  model.dispose();
  tfModel.dispose();
}

for (const backend of ['cpu', 'wasm']) {
  if (backend === 'wasm' && wasmNote) {
    rows.push({ name: 'tfjs wasm', note: wasmNote });
    continue;
  }
  await tf.setBackend(backend);
  await tf.ready();
  const m = build(weights);
  m.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  const xs = tf.tensor2d(x, [N, 784]), ys = tf.tensor2d(y, [N, 10]);
  const epochs = [];
  let loss = NaN;
  const n = backend === 'cpu' && !process.argv.includes('--epochs') ? Math.min(EPOCHS, 2) : EPOCHS;
  for (let e = 0; e < n; e++) {
    const s = performance.now();
    const h = await m.fit(xs, ys, { epochs: 1, batchSize: BATCH, shuffle: true, verbose: 0 });
    epochs.push(performance.now() - s);
    loss = h.history.loss.at(-1);
  }
  rows.push({ name: `tfjs ${backend} (tfLayersModel.fit)`, warm: epochs[0], timed: epochs.slice(1), loss, acc: accuracy(m) });
  xs.dispose();
  ys.dispose();
  m.dispose();
}

console.log(`# load average after: ${loadavg()}`);
console.log('');
console.log('| path | ms/epoch, median (min-max) | first epoch ms | loss after | accuracy of the tfjs model | notes |');
console.log('|---|---|---|---|---|---|');
const simd = rows[0];
for (const r of rows) {
  if (r.note) {
    console.log(`| ${r.name} | | | | | ${r.note} |`);
    continue;
  }
  const per = r.timed.length > 0 ? r.timed : [r.warm];
  const ratio = r === simd ? '' : ` simdnet path ${(median(per) / median(simd.timed.length ? simd.timed : [simd.warm])).toFixed(1)}x faster per epoch`;
  console.log(`| ${r.name} | ${fmt(per)} | ${r.warm.toFixed(1)} | ${r.loss.toFixed(4)} | ${r.acc.toFixed(3)} | ${r.extra ?? ''}${ratio} |`);
}
