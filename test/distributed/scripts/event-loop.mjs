// One rank of the event-loop test of distributed fit (test/distributed/event-loop.test.ts): a setInterval runs
// beside fit({ distributed }) (or fitDataset) and records how late each tick came; each tick also predicts (served from
// the published snapshot while a step's job runs: docs/engine.md "Serving while training"). Prints one JSON line per
// rank: the worst and median tick lag, the event loop's utilization during the fit, the CPU time of the JS thread and of
// the whole process during the fit, the mean step time, the predictions made and the failed ones. SIMDNET_LAG_TRACE=1 prints each tick over 40 ms late.
// argv[2]: JSON { mode: 'fit' | 'dataset', steps, batch, hidden }. Uses the built package (dist/).
import { readFileSync } from 'node:fs';
import { performance as perf } from 'node:perf_hooks';
import { Sequential, Dense, optimizers, distributed, setThreads, tensor } from '../../../dist/index.js';

const o = { mode: 'fit', steps: 4, batch: 512, hidden: 1536, ...JSON.parse(process.argv[2] ?? '{}') };
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
  // A read during the fit (every 10th tick): served from the published snapshot while a step's job runs, never
  // SIMDNET_BUSY.
  if (lags.length % 10 !== 0) return;
  try {
    const out = m.predict(probe).data();
    if (!out.every(Number.isFinite)) errors++;
    predictions++;
  } catch (e) {
    errors++;
    if (errors === 1) process.stderr.write(`predict during fit: ${e.code} ${e.message}\n`);
  }
}, INTERVAL_MS);

// CPU time of the JS thread itself (Linux: its /proc task entry, utime + stime in clock ticks of 10 ms) against that
// of the whole process: a step computed on the JS thread shows here whatever else the machine runs.
function mainThreadCpuMs() {
  const f = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' '); // fields from the 3rd (state) on
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
const cpu0 = process.cpuUsage(), main0 = mainThreadCpuMs();
// The steps alone (callbacks run on rank 0): from the end of the first to the end of the last, which leaves out fit's
// start and end on the JS thread (input checks, the broadcasts of the whole state).
const steps = { main: 0, process: 0, ms: 0 };
let w0 = null;
const window = {
  onBatchEnd: (b) => {
    if (b === 0) w0 = { cpu: process.cpuUsage(), main: mainThreadCpuMs(), t: performance.now() };
    if (b === o.steps - 1 && w0) {
      const c = process.cpuUsage(w0.cpu);
      Object.assign(steps, { main: mainThreadCpuMs() - w0.main, process: (c.user + c.system) / 1e3, ms: performance.now() - w0.t });
    }
  },
};
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
  await m.fitDataset(source, { epochs: 1, distributed: g, callbacks: [window] });
} else {
  await m.fit(x, y, { epochs: 1, batchSize: o.batch, shuffle: false, verbose: 0, distributed: g, callbacks: [window] });
}
const ms = performance.now() - t0;
// The share of the fit's wall time the JS thread spent running (not waiting in the event loop): immune to the lag a
// loaded machine adds by descheduling an idle thread, unlike the tick lag.
const busy = perf.eventLoopUtilization(elu0).utilization;
const cpu = process.cpuUsage(cpu0), mainCpuMs = mainThreadCpuMs() - main0, processCpuMs = (cpu.user + cpu.system) / 1e3;
clearInterval(timer);
const sorted = [...lags].sort((a, b) => a - b);
console.log(JSON.stringify({
  rank: g.rank, size: g.size, mode: o.mode, ticks: lags.length, worstLagMs: sorted[sorted.length - 1] ?? Infinity,
  medianLagMs: sorted[Math.floor((sorted.length - 1) / 2)] ?? Infinity, stepMs: ms / o.steps, busy, mainCpuMs, processCpuMs, steps: g.rank === 0 ? steps : null, predictions, errors,
}));
