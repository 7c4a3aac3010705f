// Child process for transfer.test.ts: runs fit(), predictAsync() or evaluateAsync() on the native backend, first
// undisturbed (the baseline), then `reps` times where, once the native job is running (model.engine.busy), it either
// transfers the input's ArrayBuffer to a Worker that drops it and forces a GC (node --expose-gc: the worker inherits
// the flag), so the memory the job was reading is freed, or overwrites x with NaN and y with zeros. A crash shows up
// in the parent as a signal; otherwise the child prints one JSON line: the baseline's result and each repetition's.
//
//   node --expose-gc transfer-child.mjs <dist/index.js> <fit|predict|evaluate> <transfer|mutate> <reps>
//
// SIMDNET_ISA in the environment picks the ISA (the addon reads it at load).
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';


const IN = 2048;
const OUT = 10;
const N = Number(process.env.TRANSFER_ROWS ?? 5120);  // 40 MB of x: over glibc's largest mmap threshold (32 MB), so its free unmaps it
const [distIndex, op, action, reps] = process.argv.slice(2);
const { Sequential, Dense, optimizers } = await import(distIndex);
const { native } = await import(new URL('native.js', new URL(distIndex, 'file://')).href);

// Counts the addon's jobs in flight (the engine's busy flag also covers the snapshot phase before a job, and the act
// must come while the native job itself runs, on its complete snapshot). A fed predictAsync (lib/engine/native-engine.ts
// #predictFed: the job starts while x is still being copied) counts from the feedInput that completes its input.
let jobs = 0;
const track = (p) => {
  jobs++;
  const done = () => { jobs--; };
  p.then(done, done);
  return p;
};
native.Engine = class extends native.Engine {
  trainBatches(...a) { return track(super.trainBatches(...a)); }
  evaluateAsync(...a) { return track(super.evaluateAsync(...a)); }
  predictAsync(...a) {
    const p = super.predictAsync(...a);
    if (a[3] !== true) return track(p);
    this.fed = { p, rows: a[1] };
    return p;
  }
  feedInput(rows) {
    super.feedInput(rows);
    if (this.fed && rows >= this.fed.rows) {
      track(this.fed.p);
      this.fed = null;
    }
  }
};

// The same data for every run (a transferred x is gone: each run makes its own).
function makeData() {
  let seed = 12345;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const x = Float32Array.from({ length: N * IN }, () => rand() - 0.5);
  const y = new Float32Array(N * OUT);
  for (let i = 0; i < N; i++) y[i * OUT + Math.floor(rand() * OUT)] = 1;
  return { x, y };
}

// Wide enough that inference on x lasts well past the transfer and the worker's GC (~1 s with AVX2 on a loaded
// 2-core machine); training does three times the work per sample and needs less.
const HIDDEN = op === 'fit' ? 64 : 512;

function makeModel() {
  const m = new Sequential([
    new Dense({ units: HIDDEN, activation: 'relu', inputShape: [IN] }),
    new Dense({ units: 64, activation: 'relu' }),
    new Dense({ units: OUT, activation: 'softmax' }),
  ]);
  m.compile({ optimizer: optimizers.sgd({ learningRate: 0.01 }), loss: 'categoricalCrossentropy', backend: 'native', seed: 7 });
  return m;
}

// A worker, started before the calls so a transfer is quick: it takes the buffer, lets the message go, collects
// garbage until the memory is gone, then reports back.
const worker = new Worker(
  `const { parentPort } = require('node:worker_threads');
   parentPort.on('message', () => setImmediate(() => {  // collected once the message event is off the stack
     for (let i = 0; i < 5; i++) globalThis.gc();
     parentPort.postMessage('dropped');
   }));
   parentPort.postMessage('ready');`,
  { eval: true },
);
await new Promise((resolve) => worker.once('message', resolve));
function transferAway(buf) {
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.postMessage(buf, [buf]);
  });
}

// Acts on the data once the addon has a job in flight; resolves with whether the job was still running after the
// act (the memory was freed, or the values overwritten, under the job).
function whenBusy(data, act) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const poll = setInterval(async () => {
      if (jobs === 0) {
        if (Date.now() - t0 > 60_000) { clearInterval(poll); resolve(false); }
        return;
      }
      clearInterval(poll);
      try {
        if (act === 'transfer') {
          await transferAway(data.x.buffer);
          for (let i = 0; i < 5; i++) globalThis.gc();
        } else if (act === 'mutate') {
          data.x.fill(NaN);
          data.y.fill(0);
        }
        resolve(jobs > 0);
      } catch (e) {
        reject(e);
      }
    }, 1);
  });
}

// Results as sha256 of their bytes (equal bytes, not just close values) plus a finiteness flag.
const digest = (a) => ({ sha: createHash('sha256').update(Buffer.from(a.buffer, a.byteOffset, a.byteLength)).digest('hex'), finite: a.every(Number.isFinite) });

async function run(act) {
  const model = makeModel();
  const data = makeData();
  const out = {};
  const acted = act === 'none' ? Promise.resolve(false) : whenBusy(data, act);
  try {
    if (op === 'fit') {
      const h = await model.fit(data.x, data.y, { epochs: 2, batchSize: 32, shuffle: true, verbose: 0 });
      out.result = { loss: h.history.loss, weights: model.getWeights().map((w) => digest(w.data())) };
    } else if (op === 'predict') {
      out.result = digest((await model.predictAsync(data.x, { batchSize: 4 })).data());
    } else if (op === 'evaluate') {
      out.result = await model.evaluateAsync(data.x, data.y, { batchSize: 4 });
    }
  } catch (e) {
    out.error = { code: e.code, message: e.message };
  }
  out.actedWhileBusy = await acted;
  out.xLength = data.x.length;
  model.dispose();
  return out;
}

const baseline = await run('none');
const runs = [];
for (let i = 0; i < Number(reps); i++) runs.push(await run(action));
await worker.terminate();
console.log(JSON.stringify({ op, action, baseline, runs }));
