// Where predict's time goes on the suite's inference task (Fashion-MNIST test set, 784-128(ReLU)-64(ReLU)-10
// softmax, batches of 1000): model.predict (sync) and predictAsync on a Float32Array and on a Tensor, each the best
// and the median of N calls, beside the bare GEMMs of the forward pass through the addon (no engine) so the overhead
// above the arithmetic shows. The input is a dense synthetic one (no zeros), or with --fashion the Fashion-MNIST test
// images (half their pixels are 0: kernels/gemm/sparse-a.cc skips those; SIMDNET_SKIP_ZEROS=0 turns that off).
// Usage: node bench/inference/predict-profile.mjs [--threads 2] [--reps 15] [--batch 1000] [--fashion [dir]]
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { distDir } from '../suite/common.mjs';

const { values } = parseArgs({ options: { threads: { type: 'string', default: '2' }, reps: { type: 'string', default: '15' }, batch: { type: 'string', default: '1000' }, n: { type: 'string', default: '10000' }, fashion: { type: 'boolean', default: false }, data: { type: 'string' } } });
const threads = Number(values.threads), reps = Number(values.reps), batchSize = Number(values.batch), n = Number(values.n);
const api = await import(join(distDir, 'index.js'));
const { setThreads, runtimeInfo } = await import(join(distDir, 'backend.js'));
const { native } = await import(join(distDir, 'native.js'));
setThreads(threads);
const F = 784, H = [128, 64], C = 10;
const x = new Float32Array(n * F);
if (values.fashion) {
  const data = await import(join(distDir, 'data', 'index.js'));
  const { test } = await data.loadFashionMnist({ dir: values.data ?? process.env.SIMDNET_FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist' });
  for (let i = 0; i < x.length; i += test.x.length) x.set(test.x.subarray(0, Math.min(test.x.length, x.length - i)), i);
} else {
  for (let i = 0; i < x.length; i++) x[i] = ((i * 2654435761) % 1000) / 1000;
}
const model = new api.Sequential([
  new api.Dense({ units: H[0], activation: 'relu', inputShape: [F] }),
  new api.Dense({ units: H[1], activation: 'relu' }),
  new api.Dense({ units: C, activation: 'softmax' }),
]);
model.compile({ optimizer: api.optimizers.adam({ learningRate: 1e-3 }), loss: 'categoricalCrossentropy', backend: 'native', seed: 1 });

async function time(name, fn) {
  await fn();
  const t = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  console.log(`${name.padEnd(44)} min ${t[0].toFixed(2)} ms  median ${t[t.length >> 1].toFixed(2)} ms`);
  return t[0];
}

const w = [new Float32Array(F * H[0]), new Float32Array(H[0] * H[1]), new Float32Array(H[1] * C)];
const outs = [new Float32Array(batchSize * H[0]), new Float32Array(batchSize * H[1]), new Float32Array(batchSize * C)];
const dims = [F, ...H, C];
console.log(`isa ${runtimeInfo().isa}, threads ${threads}, n ${n}, batch ${batchSize}`);
const gflop = (2 * n * (F * H[0] + H[0] * H[1] + H[1] * C)) / 1e9;
const bare = await time('bare GEMMs (addon gemm, 3 per batch)', () => {
  for (let s = 0; s < n; s += batchSize) {
    const rows = Math.min(batchSize, n - s);
    let a = x.subarray(s * F, (s + rows) * F);
    for (let l = 0; l < 3; l++) {
      native.gemm(false, false, rows, dims[l + 1], dims[l], 1, a, dims[l], w[l], dims[l + 1], 0, outs[l], dims[l + 1], null, l < 2 ? 3 : 0, 0, 0);
      a = outs[l];
    }
  }
});
console.log(`  -> ${(gflop / (bare / 1e3)).toFixed(1)} GFLOP/s over ${gflop.toFixed(2)} GFLOP`);
await time('model.predict(Float32Array) sync', () => model.predict(x, { batchSize }));
await time('model.predictAsync(Float32Array)', () => model.predictAsync(x, { batchSize }));
const xt = api.tensor ? api.tensor(x, [n, F]) : null;
if (xt) await time('model.predictAsync(Tensor)', () => model.predictAsync(xt, { batchSize }));
if (xt) await time('model.predict(Tensor) sync', () => model.predict(xt, { batchSize }));
const blk = native.allocF32(x.length);
await time('native.allocF32 + set + releaseF32 (31 MB)', () => { const b = native.allocF32(x.length); b.set(x); native.releaseF32(b); });
await time('set into a kept allocF32 block', () => { blk.set(x); });
