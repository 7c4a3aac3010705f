// One rank of the event-loop test of distributed fit (test/distributed/event-loop.test.ts): a setInterval runs
// beside fit({ distributed }) (or fitDataset) and records how late each tick came; each tick also predicts (served from
// the published snapshot while a step's job runs: docs/engine.md "Serving while training"). Prints one JSON line per
// rank: the worst and median tick lag, the event loop's utilization during the fit, the mean step time, the predictions
// made and the failed ones. SIMDNET_LAG_TRACE=1 prints each tick over 40 ms late.
// argv[2]: JSON { mode: 'fit' | 'dataset', steps, batch, hidden }. Uses the built package (dist/).
import { performance as perf } from 'node:perf_hooks';
import { Sequential, Dense, optimizers, distributed, setThreads, tensor } from '../../../dist/index.js';

const o = { mode: 'fit', steps: 6, batch: 256, hidden: 768, ...JSON.parse(process.argv[2] ?? '{}') };
const g = await distributed.init();
setThreads(1); // two ranks on two cores

const inDim = 512, outDim = 10;
let s = 1234 + g.rank;
const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
const n = o.steps * o.batch * g.size;
const x = Float32Array.from({ length: n * inDim }, rand);
const y = Float32Array.from({ length: n * outDim }, rand);
const m = new Sequential([
  new Dense({ units: o.hidden, activation: 'relu', inputShape: [inDim] }),
  new Dense({ units: o.hidden, activation: 'relu' }),
  new Dense({ units: outDim }),
]);
m.compile({ optimizer: optimizers.adam({ learningRate: 1e-4 }), loss: 'meanSquaredError', seed: 3 });

const INTERVAL_MS = 5;
let t0 = performance.now();
const lags = [];
let prev = performance.now();
const probe = tensor(x.slice(0, inDim), [1, inDim]);
let predictions = 0, errors = 0;
const timer = setInterval(() => {
  const now = performance.now();
  lags.push(now - prev - INTERVAL_MS);
  if (process.env.SIMDNET_LAG_TRACE && now - prev > 40) process.stderr.write(`rank ${g.rank}: tick ${(now - prev).toFixed(0)} ms late at ${(prev - t0).toFixed(0)} ms\n`);
  prev = now;
  // A read during the fit (every 4th tick): served from the published snapshot while a step's job runs, never
  // SIMDNET_BUSY.
  if (lags.length % 4 !== 0) return;
  try {
    const out = m.predict(probe).data();
    if (!out.every(Number.isFinite)) errors++;
    predictions++;
  } catch (e) {
    errors++;
    if (errors === 1) process.stderr.write(`predict during fit: ${e.code} ${e.message}\n`);
  }
}, INTERVAL_MS);

t0 = performance.now();
const elu0 = perf.eventLoopUtilization();
if (o.mode === 'dataset') {
  const per = o.steps * o.batch;
  const source = function* () {
    for (let k = 0; k < o.steps; k++) {
      const r0 = (g.rank * per + k * o.batch);
      yield { xs: tensor(x.slice(r0 * inDim, (r0 + o.batch) * inDim), [o.batch, inDim]), ys: tensor(y.slice(r0 * outDim, (r0 + o.batch) * outDim), [o.batch, outDim]) };
    }
  };
  await m.fitDataset(source, { epochs: 1, distributed: g });
} else {
  await m.fit(x, y, { epochs: 1, batchSize: o.batch, shuffle: false, verbose: 0, distributed: g });
}
const ms = performance.now() - t0;
// The share of the fit's wall time the JS thread spent running (not waiting in the event loop): immune to the lag a
// loaded machine adds by descheduling an idle thread, unlike the tick lag.
const busy = perf.eventLoopUtilization(elu0).utilization;
clearInterval(timer);
const sorted = [...lags].sort((a, b) => a - b);
console.log(JSON.stringify({
  rank: g.rank, size: g.size, mode: o.mode, ticks: lags.length, worstLagMs: sorted[sorted.length - 1] ?? Infinity,
  medianLagMs: sorted[Math.floor((sorted.length - 1) / 2)] ?? Infinity, stepMs: ms / o.steps, busy, predictions, errors,
}));
