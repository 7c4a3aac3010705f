// The longest event-loop turn during each asynchronous entry point, for each input form (issue 12: "no single turn
// blocks for more than 10 ms, whatever the input type"): `npm run build:ts && node bench/turns.mjs [--reps N]`.
// A setImmediate chain runs beside each call and records the longest gap between two of its turns: the time the
// loop was held by the call's own slices, a GC pause, or the OS preempting the process. Each (form, entry point)
// runs once cold (first use of that path in this process: V8 compiles the code and a first conversion block is
// mapped) and then --reps times warm; the table prints the cold figure and the warm min / median / max. The idle
// floor is the same measurement beside a 300 ms sleep, nothing of ours running: what the machine alone does.
// Inputs: 12,000 x 784 (the lag test's size, test/models/event-loop.test.ts), labels Int32Array, a 784-3 softmax
// model on the native engine. Printed, not asserted.
import os from 'node:os';
import { parseArgs } from 'node:util';
import { Dense, Sequential, optimizers } from '../dist/index.js';
import { setThreads } from '../dist/backend.js';
import { longestTurn } from './longest-turn.mjs';

const { values } = parseArgs({ options: { reps: { type: 'string', default: '7' }, threads: { type: 'string', default: '2' } } });
const reps = Number(values.reps);
setThreads(Number(values.threads));
const R = 12000;
const C = 784;
let s = 9;
const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
const labels = Int32Array.from({ length: R }, () => Math.floor(rnd() * 3));
const pixels = Uint8Array.from({ length: R * C }, () => Math.floor(rnd() * 256));
const row = (i) => pixels.subarray(i * C, (i + 1) * C);
// Made one at a time, so that only one large form is alive (a GC's pause grows with the live heap).
const forms = [
  ['Float32Array', () => Float32Array.from(pixels)],
  ['Uint8Array', () => pixels],
  ['Uint8ClampedArray', () => new Uint8ClampedArray(pixels.buffer)],
  ['Float64Array', () => Float64Array.from(pixels)],
  ['Uint8Array rows', () => Array.from({ length: R }, (_, i) => row(i))],
  ['Float32Array rows', () => Array.from({ length: R }, (_, i) => Float32Array.from(row(i)))],
  ['nested numbers', () => Array.from({ length: R }, (_, i) => Array.from(row(i)))],
];
const model = new Sequential([new Dense({ units: 3, activation: 'softmax', inputShape: [C] })]);
model.compile({ optimizer: optimizers.sgd({ learningRate: 1e-6 }), loss: 'sparseCategoricalCrossentropy', backend: 'native', seed: 1 });

const f = (v) => v.toFixed(1).padStart(5);
const stats = (xs) => {
  const v = [...xs].sort((a, b) => a - b);
  return { min: v[0], median: v[Math.floor((v.length - 1) / 2)], max: v[v.length - 1] };
};
console.log(`CPU ${os.cpus()[0]?.model}, ${os.cpus().length} cores, Node ${process.version}, ${values.threads} simdnet threads, load average ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`);
console.log(`${R} x ${C} inputs, Int32Array labels; longest turn in ms: cold (first call of that path), then warm min / median / max of ${reps}`);
const floor = [];
for (let k = 0; k < reps; k++) floor.push(await longestTurn(() => new Promise((r) => setTimeout(r, 300))));
const fl = stats(floor);
console.log(`${'idle floor (300 ms sleep)'.padEnd(34)}        ${f(fl.min)} ${f(fl.median)} ${f(fl.max)}`);
const warmWorst = [];
let coldWorst = 0;
for (const [name, make] of forms) {
  const X = make();
  const calls = [
    ['fit', () => model.fit(X, labels, { epochs: 1, batchSize: 1000, verbose: 0 })],
    ['fitDataset', () => model.fitDataset(() => [{ xs: X, ys: labels }], { epochs: 1 })],
    ['predictAsync', () => model.predictAsync(X, { batchSize: 1000 }).then((t) => t.dispose())],
    ['evaluateAsync', () => model.evaluateAsync(X, labels, { batchSize: 1000 })],
  ];
  for (const [call, run] of calls) {
    const cold = await longestTurn(run);
    const warm = [];
    for (let k = 0; k < reps; k++) warm.push(await longestTurn(run));
    const w = stats(warm);
    warmWorst.push([w.median, `${name} ${call}`]);
    coldWorst = Math.max(coldWorst, cold);
    console.log(`${`${name} ${call}`.padEnd(34)} ${f(cold)}  ${f(w.min)} ${f(w.median)} ${f(w.max)}`);
  }
}
warmWorst.sort((a, b) => b[0] - a[0]);
console.log(`worst warm median: ${warmWorst[0][0].toFixed(1)} ms (${warmWorst[0][1]}); worst cold: ${coldWorst.toFixed(1)} ms; idle floor max ${fl.max.toFixed(1)} ms; load average after ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`);
model.dispose();
