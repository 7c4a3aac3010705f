// One Node contender of the training / inference / event-loop / memory benchmark, in its own process so its peak
// RSS is its own. Usage: node bench/suite/train-worker.mjs '<json config>'; prints `SIMDNET_BENCH_RESULT {json}`.
//
// Protocol (bench/torch/train.py and bench/keras/train.py follow steps 2, 4 and 5 alike, always with full epochs):
//   1. probe: a warm-up epoch over 2 batches, then a timed one over `probeBatches` batches (fresh model after);
//   2. if `epochs` full epochs are estimated to fit in `budgetSeconds`: train them in ONE fit call, timing each
//      epoch from the end of the previous one through an epoch-end callback (the first from the fit call), and take
//      the test accuracy after it; else time one epoch over a bounded number of batches (about boundedSeconds worth)
//      and extrapolate seconds per epoch from it, saying so (no accuracy then);
//   3. event-loop lag (10 ms setInterval) during the first timed epoch, and how long the fit call blocks before it
//      returns its promise (synchronous set-up: input validation, copies);
//   4. inference over the test set in batches of 1000: INFER_CALLS timed calls after a warm-up one (fewer if they
//      pass 15 s), every call's time reported;
//   5. peak RSS of the process and the bytes the model holds.
// With `serve` (the suite's paired inference, ./paired.mjs), steps 4 and 5 give way to the protocol of
// bench/python/benchcommon.py serve(): `SIMDNET_BENCH_READY {json}` after training, then per stdin line `infer K` a
// warm-up and K timed blocking predict calls on one `SIMDNET_BENCH_BLOCK {"seconds": [...]}` line, until `quit`;
// `infer K B` predicts in batches of B (default 1000).
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { distDir, INFER_CALLS, lagMonitor, median, RESULT_PREFIX } from './common.mjs';
import { simdnetContender, tfjsContender } from './contenders.mjs';

const cfg = JSON.parse(process.argv[2]);
const {
  contender, // 'simdnet-native' | 'simdnet-js' | 'tfjs-cpu' | 'tfjs-wasm'
  threads = 1,
  epochs = 10,
  batchSize = 128,
  seed = 1,
  dataset = 'fashion-mnist', // or 'digits' (quick mode without Fashion-MNIST)
  dataDir,
  trainLimit,
  testLimit,
  budgetSeconds = 150,
  boundedSeconds = 20,
  probeBatches = 5,
  maxBatches, // force bounded mode with this many batches
  serve = false, // paired inference: answer `infer K` on stdin after training (header)
} = cfg;

const data = await import(join(distDir, 'data', 'index.js'));
let train, test;
if (dataset === 'digits') {
  ({ train, test } = data.trainTestSplit(await data.loadDigits(), { seed, stratify: true }));
} else {
  ({ train, test } = await data.loadFashionMnist({ dir: dataDir }));
}
train = data.shuffle(train, seed); // a seeded order, so a limited run still sees every class
if (trainLimit && trainLimit < train.n) train = { ...train, n: trainLimit, x: train.x.subarray(0, trainLimit * train.features), labels: train.labels.subarray(0, trainLimit) };
if (testLimit && testLimit < test.n) test = { ...test, n: testLimit, x: test.x.subarray(0, testLimit * test.features), labels: test.labels.subarray(0, testLimit) };
const features = train.features;
const classes = train.numClasses;
const yTrain = data.oneHot(train.labels, classes);

const opts = { features, classes, batchSize, seed, threads };
const c = contender.startsWith('tfjs-') ? await tfjsContender(contender.slice(5), opts) : await simdnetContender(contender.slice(8), opts);

function accuracy(probs, labels, n) {
  let hits = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < classes; j++) if (probs[i * classes + j] > probs[i * classes + best]) best = j;
    if (best === labels[i]) hits++;
  }
  return hits / n;
}

const batchesPerEpoch = Math.ceil(train.n / batchSize);
// 1. probe
c.build();
await c.fitEpochs(train.x, yTrain, Math.min(train.n, 2 * batchSize));
const probeN = Math.min(train.n, probeBatches * batchSize);
let t0 = performance.now();
await c.fitEpochs(train.x, yTrain, probeN);
const probeSecondsPerSample = (performance.now() - t0) / 1000 / probeN;
const estimatedFull = probeSecondsPerSample * train.n * epochs;

// 2. training
const bounded = maxBatches !== undefined || estimatedFull > budgetSeconds;
const epochSeconds = [];
let accuracyAfter = null;
let lag = null;
// How long the fit call itself blocks before returning its promise (synchronous set-up: validation, copies).
let fitSyncMs = null;
let boundedBatches = null;
c.build();
if (bounded) {
  boundedBatches = Math.min(batchesPerEpoch, maxBatches ?? Math.max(10, Math.floor(boundedSeconds / (probeSecondsPerSample * batchSize))));
  const n = Math.min(train.n, boundedBatches * batchSize);
  c.prepare(train.x, yTrain, n);
  const mon = lagMonitor();
  t0 = performance.now();
  const pending = c.fitEpochs(train.x, yTrain, n);
  fitSyncMs = performance.now() - t0;
  await pending;
  const dt = (performance.now() - t0) / 1000;
  lag = mon.stop();
  epochSeconds.push((dt * train.n) / n);
} else {
  // As a user would: one fit call for all the epochs, epoch times from epoch-end callbacks; the first epoch's time
  // includes the fit call's set-up. The suite takes the median after the first and the drift (common.mjs epochStats).
  c.prepare(train.x, yTrain, train.n);
  let mon = lagMonitor();
  let last = performance.now();
  const pending = c.fitEpochs(train.x, yTrain, train.n, epochs, () => {
    const now = performance.now();
    epochSeconds.push((now - last) / 1000);
    last = now;
    if (mon) {
      lag = mon.stop();
      mon = null;
    }
  });
  fitSyncMs = performance.now() - last;
  await pending;
  accuracyAfter = accuracy(await c.predict(test.x, test.n), test.labels, test.n);
}

if (serve) {
  // The blocking call where the contender has one (simdnet: predict; PyTorch's model(x) blocks too), as step 4 times it.
  const call = (batch) => (c.predictSync ? c.predictSync(test.x, test.n, batch) : c.predict(test.x, test.n));
  process.stdout.write(`SIMDNET_BENCH_READY ${JSON.stringify({ contender: c.name, framework: c.framework, isa: c.isa, threads: c.threads, accuracy: accuracyAfter, blocking: !!c.predictSync, testSamples: test.n })}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    const [cmd, count, batchWord = '1000'] = line.trim().split(/\s+/);
    if (!cmd || cmd === 'quit') break;
    if (cmd !== 'infer' || !/^\d+$/.test(count ?? '') || !/^[1-9]\d*$/.test(batchWord)) throw new Error(`serve: bad command ${JSON.stringify(line)}`);
    const batch = Number(batchWord);
    await call(batch);
    const seconds = [];
    for (let i = 0; i < Number(count); i++) {
      t0 = performance.now();
      const out = call(batch);
      if (typeof out?.then === 'function') await out; // predictAsync-only contenders (tfjs)
      seconds.push((performance.now() - t0) / 1000);
    }
    process.stdout.write(`SIMDNET_BENCH_BLOCK ${JSON.stringify({ seconds })}\n`);
  }
  c.dispose();
  process.exit(0);
}

// 4. inference
await c.predict(test.x, test.n);
const inferTimes = [];
const inferStart = performance.now();
while (inferTimes.length < INFER_CALLS && (inferTimes.length < 1 || performance.now() - inferStart < 15_000)) {
  t0 = performance.now();
  await c.predict(test.x, test.n);
  inferTimes.push((performance.now() - t0) / 1000);
}
// The blocking call too, where the contender has one besides its default (simdnet: predict beside predictAsync).
const inferSyncTimes = [];
if (c.predictSync) {
  c.predictSync(test.x, test.n);
  const syncStart = performance.now();
  while (inferSyncTimes.length < INFER_CALLS && (inferSyncTimes.length < 1 || performance.now() - syncStart < 15_000)) {
    t0 = performance.now();
    c.predictSync(test.x, test.n);
    inferSyncTimes.push((performance.now() - t0) / 1000);
  }
}

const result = {
  contender: c.name,
  framework: c.framework,
  isa: c.isa,
  threads: c.threads,
  dataset,
  trainSamples: train.n,
  testSamples: test.n,
  batchSize,
  epochSeconds,
  extrapolatedFromBatches: boundedBatches,
  accuracy: accuracyAfter,
  lagWorstMs: lag?.worstMs ?? null,
  lagMedianMs: lag?.medianMs ?? null,
  lagTicks: lag?.ticks ?? null,
  fitSyncMs,
  inferenceSeconds: median(inferTimes),
  inferenceSyncSeconds: inferSyncTimes.length ? median(inferSyncTimes) : null,
  inferenceRuns: inferTimes,
  inferenceSyncRuns: inferSyncTimes,
  // process.resourceUsage().maxRSS is in KiB (getrusage(2)).
  peakRssBytes: process.resourceUsage().maxRSS * 1024,
  modelBytes: c.memoryBytes(),
};
c.dispose();
process.stdout.write(RESULT_PREFIX + JSON.stringify(result) + '\n');
