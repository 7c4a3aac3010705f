// Ingestion of JS-shaped data (issue 12): `npm run build:ts && node --expose-gc bench/ingest.mjs [--reps N]`.
// Times the conversion of 20,000 x 784 inputs (the MNIST training shape) to the engine's float32 matrix through
// the code every entry point uses (lib/tensor.ts toMatrix; target <= 150 ms for nested numbers on the 2-core Zen 4
// dev machine), for each input form, and the asynchronous path (lib/models/ingest.ts toMatrixAsync): total time,
// event-loop turns, and the longest turn. Printed, not asserted.
import os from 'node:os';
import { toMatrix } from '../dist/tensor.js';
import { toMatrixAsync } from '../dist/models/ingest.js';

const reps = Number(process.argv[process.argv.indexOf('--reps') + 1]) || 5;
const R = 20000;
const C = 784;
let s = 7;
const rnd = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
const nested = Array.from({ length: R }, () => Array.from({ length: C }, rnd));
const f32rows = nested.map((r) => Float32Array.from(r));
const f64 = Float64Array.from(nested.flat());
const u8 = Uint8Array.from(f64, (v) => v * 255);
const u8rows = Array.from({ length: R }, (_, i) => u8.subarray(i * C, (i + 1) * C));
const forms = { 'nested numbers': nested, 'Float32Array rows': f32rows, 'Uint8Array rows': u8rows, Float64Array: f64, Uint8Array: u8 };
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

console.log(`CPU ${os.cpus()[0]?.model}, ${os.cpus().length} cores, Node ${process.version}, load average ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`);
console.log(`${R} x ${C} = ${(R * C).toLocaleString()} values, ${reps} reps (median, min-max)`);
for (const [name, x] of Object.entries(forms)) {
  const sync = [];
  const asyncT = [];
  const worst = [];
  const turns = [];
  for (let r = 0; r < reps; r++) {
    let t = performance.now();
    toMatrix(x, 'x', C);
    sync.push(performance.now() - t);
    // Longest stretch without a turn: timestamps of a setImmediate chain running beside the conversion.
    let last = performance.now();
    let gap = 0;
    let n = 0;
    let on = true;
    const spin = () => {
      const now = performance.now();
      gap = Math.max(gap, now - last);
      last = now;
      n++;
      if (on) setImmediate(spin);
    };
    // A major GC of the previous rep's garbage (the heap holds ~200 MB of nested arrays here) would otherwise land
    // in the middle and count as a turn: collected first when --expose-gc (as `npm run bench:ingest` runs it).
    globalThis.gc?.();
    setImmediate(spin);
    t = performance.now();
    last = t;
    await toMatrixAsync(x, 'x', C);
    asyncT.push(performance.now() - t);
    on = false;
    await new Promise((res) => setImmediate(res));
    worst.push(gap);
    turns.push(n);
  }
  const f = (xs) => `${median(xs).toFixed(1)} ms (${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)})`;
  console.log(`${name.padEnd(18)} toMatrix ${f(sync)}   toMatrixAsync ${f(asyncT)} in ~${median(turns)} turns, longest turn ${f(worst)}`);
}
