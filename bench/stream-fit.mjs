// The measured part of the streaming benches (csv-stream.mjs, idx-stream.mjs): one epoch of the bench MLP
// (784-128-64-10, adam, native) over a dataset read from disk, with the peak RSS sampled every 50 ms.
import os from 'node:os';
import { Sequential, Dense, optimizers } from '../dist/index.js';

/**
 * Prints the machine line, trains on `makeDataset()` (a model.fitDataset source, made once the model is built, as
 * the benches always did) for one epoch and returns
 * { model, seconds, rssBefore, peak } (bytes; rssBefore after compile). The caller prints and disposes the model.
 */
export async function fitStreamed(makeDataset) {
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 50);
  const model = new Sequential([
    new Dense({ units: 128, activation: 'relu', inputShape: [784] }),
    new Dense({ units: 64, activation: 'relu' }),
    new Dense({ units: 10, activation: 'softmax' }),
  ]);
  model.compile({ optimizer: optimizers.adam({ learningRate: 1e-3 }), loss: 'sparseCategoricalCrossentropy', backend: 'native', seed: 1 });
  const rssBefore = process.memoryUsage.rss();
  const t0 = performance.now();
  await model.fitDataset(makeDataset(), { epochs: 1 });
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage.rss());
  console.log(`CPU ${os.cpus()[0]?.model}, ${os.cpus().length} cores, load average ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`);
  return { model, seconds, rssBefore, peak };
}
