// A Node service that trains in the background and serves predictions from the live model (issue 12).
//
//   node examples/service/server.mjs [--port 0] [--checkpoint DIR] [--duration-ms MS] [--max-requests N]
//                                    [--checkpoint-every-ms MS] [--threads 1] [--train 0]
//
// - trains forever (or for --duration-ms) with model.fitDataset on a stream of batches: here a synthetic stream
//   whose labels come from a fixed random "teacher" (replace makeStream() with your data: any re-iterable source of
//   { xs, ys } batches, e.g. simdnet/data's readers);
// - serves POST /predict with a JSON body { "x": [[...784 numbers], ...] } -> { "y": [[...10 probabilities]],
//   "step": <the training step the answer's weights come from> } from the model while it trains (model.predict
//   during fit reads the last published step: docs/engine.md, "Serving while training"), and GET /health;
// - checkpoints atomically (model.save writes a new version and switches a CURRENT pointer: docs/guarantees.md)
//   every --checkpoint-every-ms and on exit; on start it resumes from the checkpoint if one is there;
// - listens on 127.0.0.1 only; prints one JSON line { "port", "resumedFromStep" } when ready, and stops by itself
//   after --duration-ms or --max-requests served (then saves, closes, prints { "finalStep" } and exits 0), or on
//   SIGINT/SIGTERM.
import http from 'node:http';
import { existsSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Sequential, Dense, optimizers, loadModel, setThreads } from '../../dist/index.js';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const port = Number(arg('port', 0));
const checkpoint = arg('checkpoint', null);
const durationMs = Number(arg('duration-ms', 0));
const checkpointEveryMs = Number(arg('checkpoint-every-ms', 2000));
const maxRequests = Number(arg('max-requests', 0));
const train = arg('train', '1') !== '0'; // --train 0: serve only (the control run of bench/serve.mjs)
let served = 0;
const IN = 784;
const OUT = 10;
const BATCH = 128;
// Training takes one core (its worker thread); the event loop keeps the other for requests. On a 2-core machine,
// letting the GEMMs use both cores makes every request wait for a core (p50 ~20 ms instead of ~1 ms here).
setThreads(Number(arg('threads', 1)));

async function makeModel() {
  if (checkpoint && existsSync(checkpoint)) return loadModel(checkpoint);
  const m = new Sequential([
    new Dense({ units: 128, activation: 'relu', inputShape: [IN] }),
    new Dense({ units: 64, activation: 'relu' }),
    new Dense({ units: OUT, activation: 'softmax' }),
  ]);
  m.compile({ optimizer: optimizers.adam({ learningRate: 1e-3 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'], seed: 1 });
  return m;
}

// A stream that does not end: batches of random inputs labelled by a fixed linear teacher. A pool of 64 batches is
// made at start and cycled, so the event loop does no per-batch work a real source would not (a source that parses
// or fetches should do so in slices or off-thread, as simdnet's readers do).
function makeStream() {
  let s = 12345;
  const rand = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const teacher = Float32Array.from({ length: IN * OUT }, () => rand() * 2 - 1);
  const pool = [];
  for (let b = 0; b < 64; b++) {
    const xs = Float32Array.from({ length: BATCH * IN }, rand);
    const ys = new Int32Array(BATCH);
    for (let r = 0; r < BATCH; r++) {
      let best = 0;
      let bestV = -Infinity;
      for (let c = 0; c < OUT; c++) {
        let v = 0;
        for (let k = 0; k < IN; k++) v += xs[r * IN + k] * teacher[k * OUT + c];
        if (v > bestV) [best, bestV] = [c, v];
      }
      ys[r] = best;
    }
    pool.push({ xs, ys });
  }
  return (function* () {
    for (let i = 0; ; i++) yield pool[i % pool.length];
  })();
}

const model = await makeModel();
const resumedFromStep = model.engine.step;
const stop = new AbortController();
let saving = Promise.resolve();
const save = () => {
  if (!checkpoint) return saving;
  saving = saving.then(() => model.save(checkpoint)).catch((e) => console.error('checkpoint failed:', e.message));
  return saving;
};

// Training loop: one "epoch" is 50 batches of the stream; runs until stopped.
const training = (async () => {
  const stream = makeStream();
  while (train && !stop.signal.aborted) await model.fitDataset(stream, { epochs: 1, batchesPerEpoch: 50, signal: stop.signal });
})();
const checkpointTimer = setInterval(save, checkpointEveryMs);

function readBody(req, limit = 1 << 20) {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks = [];
    req.on('data', (c) => {
      size += c.length;
      if (size > limit) reject(Object.assign(new Error('body too large'), { status: 413 }));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

// What the server itself adds, reported at exit and by GET /stats: each /predict's time in its handler (parse,
// predict, reply), and how late the event loop ran (perf_hooks' histogram: a turn held up by our own JS, by GC, or by
// the OS not running the thread). A client's latency is these plus the network stack and the client's own loop.
const eld = monitorEventLoopDelay({ resolution: 1 });
eld.enable();
const handlerMs = [];
const pct = (xs, p) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] : 0);
const stats = () => ({
  predictHandlerMs: { n: handlerMs.length, p50: pct(handlerMs, 0.5), p99: pct(handlerMs, 0.99), max: Math.max(0, ...handlerMs) },
  eventLoopDelayMs: { p50: eld.percentile(50) / 1e6, p99: eld.percentile(99) / 1e6, max: eld.max / 1e6 },
});

const server = http.createServer(async (req, res) => {
  const reply = (status, obj) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(obj));
  };
  if (maxRequests > 0 && ++served === maxRequests) res.on('finish', () => void shutdown());
  try {
    if (req.method === 'GET' && req.url === '/health') return reply(200, { ok: true, step: model.engine.step, training: model.isTraining });
    if (req.method === 'GET' && req.url === '/stats') return reply(200, stats());
    if (req.method === 'POST' && req.url === '/predict') {
      const text = await readBody(req);
      const t0 = performance.now();
      res.on('finish', () => handlerMs.push(performance.now() - t0));
      const body = JSON.parse(text);
      if (!Array.isArray(body?.x)) return reply(400, { error: 'expected { "x": [[...784 numbers], ...] }' });
      // Synchronous predict on the live model: a batch of a few rows takes well under a millisecond, and reads the
      // last published training step without waiting for training.
      const y = model.predict(body.x);
      return reply(200, { y: y.array(), step: model.engine.step });
    }
    reply(404, { error: 'not found' });
  } catch (e) {
    reply(e.status ?? (e.code?.startsWith('SIMDNET_') ? 400 : 500), { error: e.message, code: e.code });
  }
});

async function shutdown() {
  if (stop.signal.aborted) return;
  stop.abort();
  clearInterval(checkpointTimer);
  await training;
  await save();
  server.close();
  server.closeIdleConnections?.();
  console.log(JSON.stringify({ finalStep: model.engine.step, ...stats() }));
  model.dispose();
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
server.listen(port, '127.0.0.1', () => {
  console.log(JSON.stringify({ port: server.address().port, resumedFromStep }));
  if (durationMs > 0) setTimeout(shutdown, durationMs);
});
