/**
 * The event loop keeps running during `await model.fit(...)` on the native backend: the public path (fit -> one
 * engine.trainBatches per epoch on a worker thread), where test/engine/native-engine.test.ts covers trainBatches
 * directly. A 10 ms setInterval must keep firing: the bound here is generous (worst lag < 200 ms; CI machines are
 * shared and noisy), the real target (< 10 ms) is measured by `npm run bench:train`.
 */
import { describe, expect, it } from 'vitest';
import { Sequential, Dense, optimizers } from '../../lib/index.js';
import { BACKENDS } from './backends.js';
import { lcg } from '../helpers/random.js';
import { longestTurn } from '../../bench/longest-turn.mjs';

const INTERVAL_MS = 10;

describe.skipIf(!BACKENDS.includes('native'))('event loop during fit() (native)', () => {
  it('a 10 ms setInterval keeps firing while a 784-128-64-10 MLP trains', async () => {
    const n = 8192;
    const rand = lcg(3);
    const x = Float32Array.from({ length: n * 784 }, () => rand());
    const y = new Float32Array(n * 10);
    for (let i = 0; i < n; i++) y[i * 10 + Math.floor(rand() * 10)] = 1;
    const model = new Sequential([
      new Dense({ units: 128, activation: 'relu', inputShape: [784] }),
      new Dense({ units: 64, activation: 'relu' }),
      new Dense({ units: 10, activation: 'softmax' }),
    ]);
    model.compile({ optimizer: optimizers.adam({ learningRate: 1e-3 }), loss: 'categoricalCrossentropy', metrics: ['accuracy'], backend: 'native', seed: 5 });
    await model.fit(x.subarray(0, 128 * 784), y.subarray(0, 128 * 10), { epochs: 1, batchSize: 128, verbose: 0 }); // warm up

    const lags: number[] = [];
    let prev = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      lags.push(now - prev - INTERVAL_MS);
      prev = now;
    }, INTERVAL_MS);
    // fit() calls of 2 epochs until at least a second has passed, so the tick count means something on any machine.
    const t0 = performance.now();
    let fits = 0;
    try {
      while (performance.now() - t0 < 1000) {
        const history = await model.fit(x, y, { epochs: 2, batchSize: 128, verbose: 0 });
        expect(history.epoch).toEqual([0, 1]);
        fits++;
      }
    } finally {
      clearInterval(timer);
    }
    const ms = performance.now() - t0;
    model.dispose();

    const worst = Math.max(...lags);
    const sorted = [...lags].sort((a, b) => a - b);
    const median = sorted[Math.floor((sorted.length - 1) / 2)];
    const expected = ms / INTERVAL_MS;
    console.log(`${fits} fit() calls of 2 epochs x ${n} samples in ${ms.toFixed(0)} ms (${((fits * 2 * n) / (ms / 1e3)).toFixed(0)} samples/s): ` +
      `setInterval(${INTERVAL_MS} ms) fired ${lags.length} times (~${expected.toFixed(0)} expected), ` +
      `worst lag ${worst.toFixed(1)} ms, median ${median.toFixed(2)} ms`);
    // Includes the main-thread start of each fit() (input validation, shuffle: a few ms at this size).
    expect(worst).toBeLessThan(200);
    // Node's timers never fire early, so the count can only fall short of ms / 10 (plus one for rounding).
    expect(lags.length).toBeLessThanOrEqual(Math.ceil(expected) + 1);
    expect(lags.length).toBeGreaterThan(0.5 * expected);
  });
});

/**
 * Every input form and every asynchronous entry point (issue 12: fit, fitDataset, predictAsync, evaluateAsync):
 * converting nested numbers, Float32Array and Uint8Array rows, Float64Array, Uint8Array, Uint8ClampedArray, and
 * Int32Array labels happens in slices with event-loop turns between (lib/models/ingest.ts), and a plain
 * Float32Array is snapshotted in slices (lib/engine/snapshot.ts), so no turn holds the loop for long. The longest
 * gap between two turns of a setImmediate chain running beside the call is measured up to five times per case, and
 * one of them must stay under the bound: 50 ms, or 1.25 times the machine's own floor when that is higher (the same
 * measurement beside a 300 ms sleep, nothing of ours running: 10 to 64 ms on the shared 2-core dev machine at load
 * 13 to 18, where the test files run in parallel and preemption lands in any one run). Converting these 12,000 x 784
 * inputs in one go took 42 to 130 ms (shortest of three) on the dev machine, and with the conversion unsliced 10 of
 * the 12 original cases failed (the target, < 10 ms per turn of our own work, is printed by bench/ingest.mjs; GC
 * pauses land in these gaps too, hence the margin).
 */
describe.skipIf(!BACKENDS.includes('native'))('event loop while inputs of every form are converted (native)', () => {
  it('fit, fitDataset, predictAsync and evaluateAsync keep every turn short for each input form', async () => {
    const R = 12000;
    const C = 784;
    const rand = lcg(9);
    const labels = Int32Array.from({ length: R }, () => Math.floor(rand() * 3));
    const pixels = Uint8Array.from({ length: R * C }, () => Math.floor(rand() * 256));
    const row = (i: number) => pixels.subarray(i * C, (i + 1) * C);
    // Made one at a time, so that only one large form is alive (GC pauses grow with the live heap and land in the
    // measured gaps).
    const forms: [string, () => unknown][] = [
      ['Float32Array', () => Float32Array.from(pixels)],
      ['Uint8Array', () => pixels],
      ['Uint8ClampedArray', () => new Uint8ClampedArray(pixels.buffer)],
      ['Uint8Array rows', () => Array.from({ length: R }, (_, i) => row(i))],
      ['Float64Array', () => Float64Array.from(pixels)],
      ['Float32Array rows', () => Array.from({ length: R }, (_, i) => Float32Array.from(row(i)))],
      ['nested numbers', () => Array.from({ length: R }, (_, i) => Array.from(row(i)))],
    ];
    const model = new Sequential([new Dense({ units: 3, activation: 'softmax', inputShape: [C] })]);
    model.compile({ optimizer: optimizers.sgd({ learningRate: 1e-6 }), loss: 'sparseCategoricalCrossentropy', backend: 'native', seed: 1 });
    const rows: string[] = [];
    const slow: string[] = [];
    // The machine's own floor: the same chain beside a 300 ms sleep, nothing of ours running (on the shared dev
    // machine at load 13 to 18: 10 to 64 ms, which is why the bound here is 50 ms or more and the < 10 ms target is
    // a bench figure).
    const floor: number[] = [];
    for (let k = 0; k < 3; k++) floor.push(await longestTurn(() => new Promise((r) => setTimeout(r, 300))));
    const bound = Math.max(50, 1.25 * Math.max(...floor));
    rows.push(`idle (a 300 ms sleep): longest turn ${floor.map((g) => g.toFixed(1)).join(' / ')} ms; bound ${bound.toFixed(1)} ms`);
    for (const [name, make] of forms) {
      const X = make() as Float32Array;
      const calls: [string, () => Promise<unknown>][] = [
        ['fit', () => model.fit(X, labels, { epochs: 1, batchSize: 1000, verbose: 0 })],
        ['predictAsync', () => model.predictAsync(X, { batchSize: 1000 })],
        ['evaluateAsync', () => model.evaluateAsync(X, labels, { batchSize: 1000 })],
        // One batch of all 12,000 rows: the whole form goes through the dataset path's conversion at once.
        ['fitDataset', () => model.fitDataset(() => [{ xs: X, ys: labels }], { epochs: 1 })],
      ];
      for (const [call, run] of calls) {
        const gaps: number[] = [];
        while (gaps.length < 5 && (gaps.length === 0 || Math.min(...gaps) >= bound)) gaps.push(await longestTurn(run));
        rows.push(`${name} ${call}: longest turn ${gaps.map((g) => g.toFixed(1)).join(' / ')} ms`);
        if (Math.min(...gaps) >= bound) slow.push(`${name} ${call}`);
      }
    }
    console.log(rows.join('\n'));
    expect(slow).toEqual([]);
    model.dispose();
  }, 300_000);
});
