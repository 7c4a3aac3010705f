// fitDataset against fit (issue 12): `npm run build:ts && node bench/fit-dataset.mjs [--reps N]`.
// The bench MLP (784-128(relu)-64(relu)-10(softmax), Adam, batch 128, 8192 random samples) trained for one epoch
// by fit() (one native call per epoch) and by fitDataset() from (a) an array of Float32Array batches (a fast
// source: one native call per batch, the next batch prepared while the step runs) and (b) an async generator
// yielding arrays of Float32Array rows (converted per batch). Interleaved reps; median and range of ms per epoch.
import os from 'node:os';
import { Sequential, Dense, optimizers } from '../dist/index.js';

const reps = Number(process.argv[process.argv.indexOf('--reps') + 1]) || 5;
const N = 8192;
const B = 128;
let s = 1;
const x = Float32Array.from({ length: N * 784 }, () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const labels = Int32Array.from({ length: N }, (_, i) => i % 10);
const batches = Array.from({ length: N / B }, (_, i) => ({ xs: x.subarray(i * B * 784, (i + 1) * B * 784), ys: labels.subarray(i * B, (i + 1) * B) }));
async function* rows() {
  for (let i = 0; i < N / B; i++)
    yield { xs: Array.from({ length: B }, (_, r) => x.subarray((i * B + r) * 784, (i * B + r + 1) * 784)), ys: labels.subarray(i * B, (i + 1) * B) };
}
const m = new Sequential([
  new Dense({ units: 128, activation: 'relu', inputShape: [784] }),
  new Dense({ units: 64, activation: 'relu' }),
  new Dense({ units: 10, activation: 'softmax' }),
]);
m.compile({ optimizer: optimizers.adam({ learningRate: 1e-3 }), loss: 'sparseCategoricalCrossentropy', backend: 'native', seed: 3 });
const runs = {
  'fit (one call per epoch)': () => m.fit(x, labels, { epochs: 1, batchSize: B, shuffle: false, verbose: 0 }),
  'fitDataset, Float32Array batches': () => m.fitDataset(batches),
  'fitDataset, async generator of rows': () => m.fitDataset(rows),
};
const t = Object.fromEntries(Object.keys(runs).map((k) => [k, []]));
await runs['fit (one call per epoch)']();
for (let r = 0; r < reps; r++)
  for (const [k, run] of Object.entries(runs)) {
    const t0 = performance.now();
    await run();
    t[k].push(performance.now() - t0);
  }
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
console.log(`CPU ${os.cpus()[0]?.model}, ${os.cpus().length} cores, load average ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`);
for (const [k, xs] of Object.entries(t))
  console.log(`${k.padEnd(36)} ${med(xs).toFixed(1)} ms/epoch (${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)}), ${((N / med(xs)) * 1000).toFixed(0)} samples/s`);
m.dispose();
