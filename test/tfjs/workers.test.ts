// Two worker_threads at once, each importing simdnet/tfjs (the built dist/, as a user's worker would) and training
// an MLP with tfjs-layers on 'simdnet': tfjs-node cannot run in workers, this backend must. Needs `npm run build:ts`.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { native, packageRoot } from '../../lib/native.js';

const entry = join(packageRoot, 'dist', 'tfjs', 'index.js');

// Runs in the worker (eval'd as CommonJS): trains for a few epochs and posts the backend, the losses and whether a
// native kernel ran.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const tf = require('@tensorflow/tfjs');
  const simd = await import(workerData.entry);
  await tf.ready();
  const n = 256, d = 16;
  let s = workerData.seed;
  const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 * 2 - 1;
  const xs = Float32Array.from({ length: n * d }, rnd);
  const ys = new Float32Array(n);
  for (let i = 0; i < n; i++) ys[i] = xs[i * d] + xs[i * d + 1] > 0 ? 1 : 0;
  const model = tf.sequential({ layers: [
    tf.layers.dense({ units: 64, activation: 'relu', inputShape: [d] }),
    tf.layers.dense({ units: 1, activation: 'sigmoid' })] });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'binaryCrossentropy' });
  const x = tf.tensor2d(xs, [n, d]), y = tf.tensor2d(ys, [n, 1]);
  const h = await model.fit(x, y, { epochs: 15, batchSize: 32, verbose: 0 });
  parentPort.postMessage({ backend: tf.getBackend(), losses: h.history.loss,
    native: tf.getKernel('BatchMatMul', 'simdnet').kernelFunc !== tf.getKernel('BatchMatMul', 'cpu').kernelFunc,
    name: simd.BACKEND_NAME });
})().catch((e) => parentPort.postMessage({ error: String(e && e.stack || e) }));
`;

interface Result { backend?: string; losses?: number[]; native?: boolean; name?: string; error?: string }

function run(seed: number): Promise<Result> {
  return new Promise((resolve, reject) => {
    const w = new Worker(WORKER, { eval: true, workerData: { entry: pathToFileURL(entry).href, seed } });
    w.once('message', (m: Result) => { resolve(m); void w.terminate(); });
    w.once('error', reject);
    w.once('exit', (code) => { if (code !== 0 && code !== 1) reject(new Error(`worker exited with ${code}`)); });
  });
}

describe.runIf(native)('simdnet/tfjs in worker_threads', () => {
  it('two Workers train at once on the simdnet backend', async () => {
    expect(existsSync(entry), `${entry} is missing: run npm run build:ts first`).toBe(true);
    const results = await Promise.all([run(1), run(2)]);
    for (const r of results) {
      expect(r.error).toBeUndefined();
      expect(r.backend).toBe('simdnet');
      expect(r.name).toBe('simdnet');
      expect(r.native).toBe(true);
      expect(r.losses!.length).toBe(15);
      expect(r.losses!.every(Number.isFinite)).toBe(true);
      expect(r.losses![14]).toBeLessThan(r.losses![0] * 0.8);
    }
  });
});
