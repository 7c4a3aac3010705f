// Training benchmark: `npm run bench:train [-- --quick]` (= `npm run build:ts && node bench/train.mjs`).
// Prints a header (CPU, ISA, threads, Node, load average), then four tables:
//   (a) per-step overhead of a tiny 2-8(tanh)-1(sigmoid) BCE/Adam model at batch 1 through the public API's engine
//       (engine.trainStep, one trainBatches epoch / steps, one fit() epoch / steps) above the arithmetic: the same
//       kernel sequence called directly in C++ (bench/native/engine-bench, when built) -- target < 5 us;
//   (b) samples/s of 784-128(relu)-64(relu)-10(softmax), categorical CE, Adam 1e-3, batch 128, shuffled, through
//       model.fit() on the native engine at 1 and 2 threads, vs the JS engine (timed over a bounded number of batches
//       and extrapolated);
//   (c) worst and median lag of a 10 ms setInterval during the native fit() epochs of (b);
//   (d) peak RSS during training and the native bytes each model holds (engine.memoryBytes()).
// Rows and header go to bench/results/train-<date>[-quick].json. Other processes on the machine make every figure
// noisy: the load average is printed before and after.
import { readFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Table from 'cli-table3';
import { Sequential, Dense, optimizers, runtimeInfo, setThreads } from '../dist/index.js';
import { native as nativeKernels } from '../dist/kernels/index.js';
import { nativePath } from '../dist/native.js';
import { loadTrainingData } from './train/data.mjs';
import { JsKernelReplay, cxxReplay, findEngineBench } from './train/tiny.mjs';
import { benchArgs } from './cli-args.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TARGET_OVERHEAD_US = 5;
const MiB = 1024 * 1024;

function cpuModel() {
  try {
    const m = /^(?:model name|Hardware|Processor)\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) return m[1].trim();
  } catch {
    // not Linux
  }
  return os.cpus()[0]?.model?.trim() || 'unknown';
}

const loadavg = () => os.loadavg().map((v) => Number(v.toFixed(2)));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/** Median over `runs` of the mean ns per iteration of `iters` calls. */
function medianNs(fn, iters, runs = 5) {
  const per = [];
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iters; i++) fn(i);
    per.push(Number(process.hrtime.bigint() - t0) / iters);
  }
  return median(per);
}

/** Same model as engine-bench's tiny plan: 2-8 tanh, 8-1 sigmoid, BCE (fused from logits), Adam 0.01. */
function tinyModel() {
  const model = new Sequential([new Dense({ units: 8, activation: 'tanh', inputShape: [2] }), new Dense({ units: 1, activation: 'sigmoid' })]);
  model.compile({ optimizer: optimizers.adam({ learningRate: 0.01 }), loss: 'binaryCrossentropy', backend: 'native', seed: 1 });
  return model;
}

async function overheadBench(quick) {
  const iters = quick ? 20_000 : 200_000;
  const epochSteps = quick ? 2048 : 8192;
  const x = Float32Array.of(1, 0);
  // Alternating targets for the same input: the gradient never vanishes (no denormal slow-down), as in engine-bench.
  const y1 = Float32Array.of(1);
  const y0 = Float32Array.of(0);
  const model = tinyModel();
  const engine = model.engine;
  const rows = [];
  for (let i = 0; i < 10_000; i++) engine.trainStep(x, (i & 1) ? y1 : y0, 1); // warm up the JIT
  const stepNs = medianNs((i) => engine.trainStep(x, (i & 1) ? y1 : y0, 1), iters);
  rows.push({ path: 'engine.trainStep(x, y, 1) (one addon call a step)', ns: stepNs });

  const xs = new Float32Array(epochSteps * 2);
  const ys = new Float32Array(epochSteps);
  for (let i = 0; i < epochSteps; i++) (xs[2 * i] = 1), (ys[i] = i & 1);
  const order = Uint32Array.from({ length: epochSteps }, (_, i) => i);
  const epoch = () => engine.trainBatches({ x: xs, y: ys, n: epochSteps, order, batchSize: 1, firstBatch: 0, batchCount: epochSteps });
  await epoch();
  const per = [];
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    await epoch();
    per.push(((performance.now() - t0) * 1e6) / epochSteps);
  }
  rows.push({ path: `engine.trainBatches epoch / steps (${epochSteps} steps, worker thread)`, ns: median(per) });

  const fitPer = [];
  for (let r = 0; r < 4; r++) {
    const t0 = performance.now();
    await model.fit(xs, ys, { epochs: 1, batchSize: 1, shuffle: false, verbose: 0 });
    if (r > 0) fitPer.push(((performance.now() - t0) * 1e6) / epochSteps); // first fit warms up
  }
  rows.push({ path: `model.fit() epoch / steps (${epochSteps} steps)`, ns: median(fitPer) });
  const tinyBytes = model.memoryBytes();
  model.dispose();

  const replay = new JsKernelReplay(nativeKernels);
  for (let i = 0; i < 10_000; i++) replay.step((i & 1) ? y1 : y0);
  const jsReplayNs = medianNs((i) => replay.step((i & 1) ? y1 : y0), Math.max(2000, iters / 10));

  let cxx = null;
  const bin = findEngineBench(root);
  if (bin) {
    try {
      cxx = cxxReplay(bin);
    } catch (err) {
      console.log(`(engine-bench failed: ${err.message})`);
    }
  }
  const arithmeticNs = cxx ? cxx.kernelsNs : null;
  for (const r of rows) r.overheadNs = arithmeticNs === null ? null : r.ns - arithmeticNs;
  const verdictRow = rows[0];
  const verdict =
    arithmeticNs === null
      ? 'n/a: build bench/native/engine-bench (cmake --build build-native --target engine-bench) for the arithmetic'
      : verdictRow.overheadNs / 1e3 < TARGET_OVERHEAD_US
        ? `PASS (${(verdictRow.overheadNs / 1e3).toFixed(2)} us above the arithmetic)`
        : `FAIL (${(verdictRow.overheadNs / 1e3).toFixed(2)} us above the arithmetic)`;

  const table = new Table({ head: ['path (2-8-1 tanh/sigmoid, BCE, Adam, batch 1)', 'ns/step', 'above arithmetic'] });
  const fmtOver = (v) => (v === null ? 'n/a' : `${v >= 0 ? '+' : ''}${(v / 1e3).toFixed(2)} us`);
  for (const r of rows) table.push([r.path, r.ns.toFixed(0), fmtOver(r.overheadNs)]);
  if (cxx) {
    table.push([`C++ engine train_step, no JS (${cxx.isa}, engine-bench)`, cxx.engineNs.toFixed(0), fmtOver(cxx.engineNs - cxx.kernelsNs)]);
    table.push([`C++ same kernels called directly = arithmetic (${cxx.isa})`, cxx.kernelsNs.toFixed(0), '0']);
  }
  table.push(['JS: same 14 kernels via simdnet/kernels native (14 N-API calls)', jsReplayNs.toFixed(0), fmtOver(arithmeticNs === null ? null : jsReplayNs - arithmeticNs)]);
  console.log('(a) per-step overhead of the engine above the arithmetic');
  console.log(table.toString());
  console.log(`target: engine.trainStep < ${TARGET_OVERHEAD_US} us above the arithmetic -> ${verdict}`);
  if (cxx) console.log(`(arithmetic from ${cxx.binary})`);
  console.log('');
  return { rows, jsKernelReplayNs: jsReplayNs, cxx, targetUs: TARGET_OVERHEAD_US, verdict, tinyModelBytes: tinyBytes };
}

function mlp(backend) {
  const model = new Sequential([
    new Dense({ units: 128, activation: 'relu', inputShape: [784] }),
    new Dense({ units: 64, activation: 'relu' }),
    new Dense({ units: 10, activation: 'softmax' }),
  ]);
  model.compile({ optimizer: optimizers.adam({ learningRate: 1e-3 }), loss: 'categoricalCrossentropy', backend, seed: 7 });
  return model;
}

/**
 * A 10 ms setInterval that records each tick's lateness and samples RSS. fit() validates its inputs (a finiteness
 * scan of x) and shuffles on the main thread before the engine takes over, all in one macrotask: the tick whose
 * interval spans the fit() call carries that block, and is reported apart from the ticks during training.
 */
function lagProbe() {
  const ticks = [];
  let peakRss = process.memoryUsage.rss();
  let prev = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    ticks.push({ prev, lag: Math.max(0, now - prev - 10) });
    prev = now;
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 10);
  return {
    stop(fitCalledAt) {
      clearInterval(timer);
      const start = ticks.filter((t) => t.prev <= fitCalledAt).map((t) => t.lag);
      const during = ticks.filter((t) => t.prev > fitCalledAt).map((t) => t.lag);
      return { ticks: ticks.length, startMs: start.length ? Math.max(...start) : 0, during, peakRss };
    },
  };
}

async function throughputBench(quick, data) {
  const epochs = quick ? 1 : 3;
  const { x, y, n } = data;
  const rssBefore = process.memoryUsage.rss();
  const rows = [];
  const lagRows = [];
  let peakRss = rssBefore;
  let mlpBytes = 0;
  const startThreads = runtimeInfo().threads;
  for (const threads of [1, 2]) {
    setThreads(threads);
    const model = mlp('native');
    await model.fit(x, y, { epochs: 1, batchSize: 128, verbose: 0, seed: 99 }); // warm-up epoch (buffers, caches, JIT)
    const per = [];
    const lags = [];
    for (let e = 0; e < epochs; e++) {
      const probe = lagProbe();
      const t0 = performance.now();
      await model.fit(x, y, { epochs: 1, batchSize: 128, verbose: 0, seed: e });
      const s = (performance.now() - t0) / 1e3;
      const p = probe.stop(t0);
      per.push(n / s);
      lags.push(p);
      peakRss = Math.max(peakRss, p.peakRss);
    }
    mlpBytes = model.memoryBytes();
    model.dispose();
    const sps = median(per);
    rows.push({ engine: 'native', threads, samplesPerSec: sps, secondsPerEpoch: n / sps, measured: `${epochs} epoch(s) of ${n} via fit(), median` });
    const during = lags.flatMap((l) => l.during);
    lagRows.push({
      threads, epochs, ticks: lags.reduce((a, b) => a + b.ticks, 0), fitStartWorstMs: Math.max(...lags.map((l) => l.startMs)),
      worstMs: during.length ? Math.max(...during) : NaN, medianMs: during.length ? median(during) : NaN,
    });
  }
  setThreads(startThreads);

  // The JS engine takes ~1000x longer: time a bounded number of batches through the same engine call fit uses
  // (trainBatches on a shuffled order) and extrapolate to the epoch.
  const jsBatches = quick ? 3 : 20;
  const jsModel = mlp('js');
  const order = Uint32Array.from({ length: n }, (_, i) => (i * 7919) % n);
  const jsArgs = (first, count) => ({ x, y, n, order, batchSize: 128, firstBatch: first, batchCount: count });
  await jsModel.engine.trainBatches(jsArgs(0, 1)); // warm-up batch
  const t0 = performance.now();
  const r = await jsModel.engine.trainBatches(jsArgs(1, jsBatches));
  const jsS = (performance.now() - t0) / 1e3;
  const jsSps = (r.steps * 128) / jsS;
  const jsBytes = jsModel.memoryBytes();
  jsModel.dispose();
  rows.push({ engine: 'js', threads: 1, samplesPerSec: jsSps, secondsPerEpoch: n / jsSps, measured: `${jsBatches} batches of 128 timed, extrapolated to ${n}` });
  for (const row of rows) row.ratioVsJs = row.samplesPerSec / jsSps;

  const t = new Table({ head: ['engine', 'threads', 'samples/s', 's/epoch', 'x JS', 'how'] });
  for (const row of rows)
    t.push([row.engine, row.threads, row.samplesPerSec.toFixed(0), row.secondsPerEpoch.toFixed(2), row.ratioVsJs.toFixed(1), row.measured]);
  console.log(`(b) 784-128(relu)-64(relu)-10(softmax), categorical CE, Adam 1e-3, batch 128, shuffled; ${data.source}`);
  console.log(t.toString());
  console.log('');

  const lt = new Table({ head: ['native threads', 'fit() epochs', 'ticks', 'worst lag ms, training', 'median lag ms, training', 'lag ms at fit() start'] });
  for (const l of lagRows) lt.push([l.threads, l.epochs, l.ticks, l.worstMs.toFixed(2), l.medianMs.toFixed(2), l.fitStartWorstMs.toFixed(1)]);
  console.log('(c) event-loop lag of a 10 ms setInterval during native fit() epochs (lag = tick interval - 10 ms); "at fit() start":');
  console.log('    the tick spanning fit()\'s synchronous start (input validation incl. a finiteness scan of x, shuffle), worst over the epochs');
  console.log(lt.toString());
  console.log('');

  const maxRss = process.resourceUsage().maxRSS * 1024; // KiB -> bytes; covers the JS engine and data loading too
  const mem = { rssBeforeTraining: rssBefore, peakRssDuringNativeFit: peakRss, processMaxRss: maxRss, mlpNativeBytes: mlpBytes, mlpJsBytes: jsBytes };
  return { rows, lag: lagRows, mem };
}

function header(quick, data) {
  const info = runtimeInfo();
  return {
    date: new Date().toISOString(), quick, cpu: cpuModel(), logicalCpus: os.cpus().length, platform: `${process.platform}-${process.arch}`,
    node: process.version, backend: info.backend, isa: info.isa, availableIsas: info.availableIsas, threads: info.threads,
    env: { SIMDNET_ISA: process.env.SIMDNET_ISA ?? null, SIMDNET_THREADS: process.env.SIMDNET_THREADS ?? null },
    addon: nativePath, data: data.source, samples: data.n, loadavgStart: loadavg(),
  };
}

export async function run({ quick = false } = {}) {
  if (runtimeInfo().backend !== 'native') throw new Error('bench/train.mjs needs the native addon (npm run build)');
  const data = loadTrainingData(quick ? 10_000 : 60_000);
  const h = header(quick, data);
  console.log('simdnet training benchmark' + (quick ? ' (--quick: fewer steps and samples)' : ''));
  console.log(`  CPU          ${h.cpu} (${h.logicalCpus} logical CPUs, ${h.platform})`);
  console.log(`  Node         ${h.node}`);
  console.log(`  addon        ${h.addon}`);
  console.log(`  ISA          ${h.isa} (available: ${h.availableIsas.join(', ')})`);
  console.log(`  threads      ${h.threads} by default`);
  console.log(`  load average ${h.loadavgStart.join(' ')} (1/5/15 min; other processes make the figures noisy)`);
  console.log(`  data         ${h.data}, ${h.samples} samples`);
  console.log('');
  const overhead = await overheadBench(quick);
  const train = await throughputBench(quick, data);
  const mem = { ...train.mem, tinyModelNativeBytes: overhead.tinyModelBytes };
  const mt = new Table({ head: ['(d) memory', 'value'] });
  mt.push(['RSS before training (data loaded)', `${(mem.rssBeforeTraining / MiB).toFixed(1)} MiB`]);
  mt.push(['peak RSS sampled during native fit()', `${(mem.peakRssDuringNativeFit / MiB).toFixed(1)} MiB`]);
  mt.push(['process max RSS (incl. JS engine, data)', `${(mem.processMaxRss / MiB).toFixed(1)} MiB`]);
  mt.push(['native bytes, 784-128-64-10 Adam (batch 128)', `${mem.mlpNativeBytes} (${(mem.mlpNativeBytes / MiB).toFixed(2)} MiB)`]);
  mt.push(['JS engine bytes, same model', `${mem.mlpJsBytes} (${(mem.mlpJsBytes / MiB).toFixed(2)} MiB)`]);
  mt.push(['native bytes, 2-8-1 Adam (batch 1)', `${mem.tinyModelNativeBytes}`]);
  console.log(mt.toString());
  h.loadavgEnd = loadavg();
  console.log(`load average at the end: ${h.loadavgEnd.join(' ')}`);

  const { tinyModelBytes: _drop, ...overheadOut } = overhead;
  const results = { header: h, overhead: overheadOut, throughput: train.rows, eventLoopLag: train.lag, memory: mem };
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `train-${h.date.slice(0, 10)}${quick ? '-quick' : ''}.json`);
  writeFileSync(`${file}.tmp`, JSON.stringify(results, null, 2) + '\n');
  renameSync(`${file}.tmp`, file); // never leave a half-written result behind
  console.log(`rows written to ${file}`);
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run(benchArgs('node bench/train.mjs [--quick]  (npm run bench:train)'));
