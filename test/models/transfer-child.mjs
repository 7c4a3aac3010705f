// Child process for transfer.test.ts: runs one fit(), predictAsync() or evaluateAsync() on the native backend and,
// once the native job is running (model.engine.busy), transfers the input's ArrayBuffer to a Worker that drops it
// and forces a GC (node --expose-gc: the worker inherits the flag), so the memory the job was reading is freed. A
// crash shows up in the parent as a signal; otherwise the child prints one JSON line with what the call returned.
//
//   node --expose-gc transfer-child.mjs <dist/index.js> <fit|predict|evaluate> <transfer|mutate|none>
//
// SIMDNET_ISA in the environment picks the ISA (the addon reads it at load).
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';

const [distIndex, op, action] = process.argv.slice(2);
const { Sequential, Dense, optimizers } = await import(distIndex);

const IN = 2048;
const OUT = 10;
const N = Number(process.env.TRANSFER_ROWS ?? 10240);  // 80 MB of x: over glibc's largest mmap threshold (32 MB), so its free unmaps it
let seed = 12345;
const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
const x = Float32Array.from({ length: N * IN }, () => rand() - 0.5);
const y = new Float32Array(N * OUT);
for (let i = 0; i < N; i++) y[i * OUT + Math.floor(rand() * OUT)] = 1;

function makeModel() {
  const m = new Sequential([
    new Dense({ units: 64, activation: 'relu', inputShape: [IN] }),
    new Dense({ units: 64, activation: 'relu' }),
    new Dense({ units: OUT, activation: 'softmax' }),
  ]);
  m.compile({ optimizer: optimizers.sgd({ learningRate: 0.01 }), loss: 'categoricalCrossentropy', backend: 'native', seed: 7 });
  return m;
}

// A worker, started before the call so the transfer is quick: it takes the buffer, drops it and collects garbage
// until the memory is gone, then reports back.
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

// Acts on x once the engine has a job in flight; resolves with whether it did.
function whenBusy(model) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const poll = setInterval(async () => {
      if (!model.engine.busy) {
        if (Date.now() - t0 > 20_000) { clearInterval(poll); resolve(false); }
        return;
      }
      clearInterval(poll);
      try {
        if (action === 'transfer') {
          await transferAway(x.buffer);
          for (let i = 0; i < 5; i++) globalThis.gc();
        } else if (action === 'mutate') {
          x.fill(NaN);
          y.fill(0);
        }
        resolve(model.engine.busy);  // still running after the act: the act happened under the job
      } catch (e) {
        reject(e);
      }
    }, 1);
  });
}

const model = makeModel();
const out = { op, action };
const acted = action === 'none' ? Promise.resolve(false) : whenBusy(model);
// Results as sha256 of their bytes (compared across runs: equal bytes, not just close values) plus a finiteness flag.
const digest = (a) => ({ sha: createHash('sha256').update(Buffer.from(a.buffer, a.byteOffset, a.byteLength)).digest('hex'), finite: a.every(Number.isFinite) });
try {
  if (op === 'fit') {
    const h = await model.fit(x, y, { epochs: 3, batchSize: 32, shuffle: true, verbose: 0 });
    out.loss = h.history.loss;
    out.weights = model.getWeights().map((w) => digest(w.data()));
  } else if (op === 'predict') {
    out.pred = digest((await model.predictAsync(x, { batchSize: 4 })).data());
  } else if (op === 'evaluate') {
    out.logs = await model.evaluateAsync(x, y, { batchSize: 4 });
  }
} catch (e) {
  out.error = { code: e.code, message: e.message };
}
out.actedWhileBusy = await acted;
out.xLength = x.length;
await worker.terminate();
console.log(JSON.stringify(out));
