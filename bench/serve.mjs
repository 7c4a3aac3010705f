// Serving while training (issue 12): `npm run build:ts && node bench/serve.mjs [--reps N] [--http-only]`.
// The bench MLP (784-128(relu)-64(relu)-10(softmax), categorical CE, Adam 1e-3, batch 128, 8192 random samples)
// trained by fit() on the native engine, with the weight snapshot published (a) after every step (interval 0),
// (b) at most once per 1 ms, (c) once per 5 ms (the default), (d) in effect never (only at each epoch's start):
// epoch time per setting, interleaved over reps, median and spread. Then, with the default, the latency of model.predict at batch 1 and of
// model.getWeights() called every 1 ms on the JS thread while fit runs, and how stale (in steps) each read was.
// Then the same batch-1 predict with the thread pool at 2 threads and at 1 (setThreads), beside a control: a spin of
// the same median length timed the same way, which only the machine (preemption) can make slow. Last, the HTTP
// service of examples/service/ (node:http, training with fitDataset on one thread): 2,000 POST /predict at batch 1
// and 1,000 GET /health, one request in flight, while it trains and (control) while it does not: client-side
// p50/p99/max per endpoint, and the server's own /predict handler time and event-loop delay.
// Figures feed docs/engine.md, "Serving while training". Noisy on a shared machine: the load average is printed.
import os from 'node:os';
import http from 'node:http';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Sequential, Dense, optimizers, setThreads, runtimeInfo } from '../dist/index.js';

const reps = Number(process.argv[process.argv.indexOf('--reps') + 1]) || 5;
const httpOnly = process.argv.includes('--http-only');
const N = 8192;
const x = new Float32Array(N * 784);
let s = 1;
for (let i = 0; i < x.length; i++) x[i] = ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const y = new Float32Array(N * 10);
for (let i = 0; i < N; i++) y[i * 10 + (i % 10)] = 1;

function model() {
  const m = new Sequential([
    new Dense({ units: 128, activation: 'relu', inputShape: [784] }),
    new Dense({ units: 64, activation: 'relu' }),
    new Dense({ units: 10, activation: 'softmax' }),
  ]);
  m.compile({ optimizer: optimizers.adam({ learningRate: 1e-3 }), loss: 'categoricalCrossentropy', backend: 'native', seed: 3 });
  return m;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];

console.log(`CPU ${os.cpus()[0]?.model}, ${os.cpus().length} cores, load average ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`);
if (!httpOnly) {
  const settings = [['every step', 0], ['1 ms', 1], ['5 ms', 5], ['never (epoch start only)', 1e9]];
  const times = new Map(settings.map(([k]) => [k, []]));
  const m = model();
  await m.fit(x, y, { epochs: 1, batchSize: 128, verbose: 0 });
  for (let r = 0; r < reps; r++)
    for (const [name, ms] of settings) {
      m.engine.setPublishInterval(ms);
      const t0 = performance.now();
      await m.fit(x, y, { epochs: 2, batchSize: 128, verbose: 0 });
      times.get(name).push((performance.now() - t0) / 2);
    }
  const base = median(times.get('never (epoch start only)'));
  for (const [name] of settings) {
    const t = times.get(name);
    console.log(`publish ${name.padEnd(26)} epoch ${median(t).toFixed(1)} ms (min ${Math.min(...t).toFixed(1)}, max ${Math.max(...t).toFixed(1)}; ${reps} reps)` +
      `  ${(((median(t) - base) / base) * 100).toFixed(1)}% vs never`);
  }
  {
    // The copy itself, timed on the training thread: less noisy than epoch differences.
    m.engine.setPublishInterval(0);
    const before = m.engine.servingStats();
    const t0 = performance.now();
    await m.fit(x, y, { epochs: 4, batchSize: 128, verbose: 0 });
    const wall = performance.now() - t0;
    const after = m.engine.servingStats();
    const n = after.publishes - before.publishes;
    const ms = after.publishMs - before.publishMs;
    console.log(`publish after every step: ${n} publishes, ${((ms / n) * 1000).toFixed(0)} us each, ${((ms / wall) * 100).toFixed(1)}% of ${wall.toFixed(0)} ms of training` +
      ` (step ${(wall / (4 * Math.ceil(N / 128))).toFixed(2)} ms)`);
    m.engine.setPublishInterval(5);
  }
  const params = m.countParams();
  console.log(`parameters ${params} (${((params * 4) / 1024).toFixed(0)} KiB; Adam state x2), steps per epoch ${Math.ceil(N / 128)}`);

  // Reads during training, default interval.
  m.engine.setPublishInterval(5);
  const one = x.subarray(0, 784);
  const lat = { predict: [], getWeights: [] };
  const stale = [];
  const fitting = m.fit(x, y, { epochs: 4, batchSize: 128, verbose: 0 });
  let done = false;
  void fitting.finally(() => (done = true));
  while (!done) {
    let t = performance.now();
    m.predict(one);
    lat.predict.push(performance.now() - t);
    t = performance.now();
    m.getWeights();
    lat.getWeights.push(performance.now() - t);
    const st = m.engine.servingStats();
    stale.push(st.step);
    await new Promise((r) => setTimeout(r, 1));
  }
  await fitting;
  for (const k of Object.keys(lat))
    console.log(`${k.padEnd(10)} during fit: ${lat[k].length} calls, p50 ${median(lat[k]).toFixed(3)} ms, p99 ${pct(lat[k], 0.99).toFixed(3)} ms, max ${Math.max(...lat[k]).toFixed(3)} ms`);
  console.log(`distinct snapshot steps seen by the reads: ${new Set(stale).size} (of ${4 * Math.ceil(N / 128)} steps)`);
  console.log(`load average after ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`);
  m.dispose();
}


// Batch-1 predict on the JS thread during fit, pool at 2 threads and at 1, beside a spin of the same length.
const spinFor = (ms) => {
  const t = performance.now();
  while (performance.now() - t < ms);
};
const f = (xs) => `p50 ${pct(xs, 0.5).toFixed(3)} ms, p99 ${pct(xs, 0.99).toFixed(3)} ms, max ${Math.max(...xs).toFixed(3)} ms`;
if (!httpOnly) {
  const threads0 = runtimeInfo().threads;
  for (const t of [2, 1, 2, 1]) {
    setThreads(t);
    const mt = model();
    await mt.fit(x.subarray(0, 1024 * 784), y.subarray(0, 1024 * 10), { epochs: 1, batchSize: 128, verbose: 0 });
    const one = x.subarray(0, 784);
    const pred = [];
    const ctrl = [];
    let spin = 0.1;
    let done = false;
    const fitting = mt.fit(x, y, { epochs: 4, batchSize: 128, verbose: 0 }).finally(() => (done = true));
    while (!done) {
      let t0 = performance.now();
      mt.predict(one);
      pred.push(performance.now() - t0);
      t0 = performance.now();
      spinFor(spin);
      ctrl.push(performance.now() - t0);
      if (pred.length === 50) spin = pct(pred, 0.5);
      await new Promise((r) => setTimeout(r, 1));
    }
    await fitting;
    console.log(`threads ${t}: predict(batch 1) during fit ${pred.length} calls, ${f(pred)}; control spin of ${spin.toFixed(3)} ms: ${f(ctrl)};` +
      ` reads answered from the reader's copy during a publish: ${mt.engine.servingStats().kept ?? 'n/a'}; load ${os.loadavg()[0].toFixed(2)}`);
    mt.dispose();
  }
  setThreads(threads0);
}

// The HTTP service, training and (control) not training.
const server = new URL('../examples/service/server.mjs', import.meta.url).pathname;
async function service(train) {
  const PREDICT = 2000;
  const HEALTH = 1000;
  const child = spawn(process.execPath, [server, '--max-requests', String(PREDICT + HEALTH), '--train', train ? '1' : '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = [];
  let wake = () => {};
  createInterface({ input: child.stdout }).on('line', (l) => {
    lines.push(JSON.parse(l));
    wake();
  });
  const line = async (key) => {
    for (;;) {
      const found = lines.find((l) => key in l);
      if (found) return found;
      await new Promise((r) => (wake = r));
    }
  };
  const { port } = await line('port');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const body = JSON.stringify({ x: [Array.from({ length: 784 }, (_, i) => (i % 17) / 17)] });
  const request = (method, path, payload) => new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.request({ host: '127.0.0.1', port, method, path, agent, headers: payload ? { 'content-type': 'application/json' } : {} }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error(`${path}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(payload);
  });
  const lat = { predict: [], health: [] };
  for (let i = 0; i < PREDICT + HEALTH; i++) {
    if (i % 3 === 2) lat.health.push(await request('GET', '/health'));
    else lat.predict.push(await request('POST', '/predict', body));
  }
  const end = await line('finalStep');
  agent.destroy();
  const tag = train ? 'while training' : 'not training (control)';
  console.log(`service ${tag}: /predict (batch 1) ${lat.predict.length} requests, ${f(lat.predict)}; /health ${lat.health.length} requests, ${f(lat.health)}`);
  const h = end.predictHandlerMs;
  const d = end.eventLoopDelayMs;
  console.log(`  server side: /predict handler p50 ${h.p50.toFixed(3)} ms, p99 ${h.p99.toFixed(3)} ms, max ${h.max.toFixed(3)} ms; event-loop delay p50 ${d.p50.toFixed(2)} ms, p99 ${d.p99.toFixed(2)} ms, max ${d.max.toFixed(2)} ms;` +
    ` ${end.finalStep} training steps; load ${os.loadavg()[0].toFixed(2)}`);
}
for (let r = 0; r < 2; r++) {
  await service(true);
  await service(false);
}
console.log(`load average after ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`);
