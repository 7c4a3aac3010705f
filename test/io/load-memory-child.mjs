// Child process of load-memory.test.ts: loads one saved model in a fresh process (nothing else allocated before)
// and prints, as one JSON line, what the load cost: RSS before, the process's peak RSS after (VmHWM, so a buffer
// that lived between two samples counts too), the peak of process.memoryUsage().arrayBuffers
// (sampled every millisecond, and read once more after the load, before any GC could free a dead buffer), the
// engine's bytes, and sha256 digests of the loaded weights and optimizer state for a bit-for-bit comparison.
// Usage: node load-memory-child.mjs <model dir> <native|js> [weights-only]  (weights-only: a tfjs-format directory,
// which holds no optimizer state)
import { createHash } from 'node:crypto';
import { peakRss } from '../../bench/peak-rss.mjs';
import { loadModel } from '../../dist/index.js';

const [dir, backend, only] = process.argv.slice(2);
const digest = (arrays) => {
  const h = createHash('sha256');
  for (const a of arrays) h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return h.digest('hex');
};

const m0 = process.memoryUsage();
let abPeak = m0.arrayBuffers;
const timer = setInterval(() => { abPeak = Math.max(abPeak, process.memoryUsage().arrayBuffers); }, 1);
const model = await loadModel(dir, { backend });
abPeak = Math.max(abPeak, process.memoryUsage().arrayBuffers);
clearInterval(timer);
const peak = peakRss();
const engine = model.memoryBytes();
process.stdout.write(JSON.stringify({
  backend: model.engine.backend, rss0: m0.rss, peak, arrayBuffers: abPeak - m0.arrayBuffers, engine,
  weights: digest(model.engine.getParams()), state: only ? null : digest(model.engine.getOptimizerState()), step: only ? null : model.engine.step,
}) + '\n');
