// Where the native element-wise kernels start to pay in the tfjs backend (lib/tfjs/threshold.ts): ns per call of the
// JS loop (the backend's below-threshold path) against the addon call (elementwiseBinary / unaryMap) for Add
// (same shape) and Exp, on sizes around NATIVE_MIN_ELEMENTS; min of repeated timings. Printed, not asserted.
// Run: npm run build:ts && node bench/tfjs/crossover.mjs
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { requireNative } from '../../dist/native.js';

const addon = requireNative();
function best(fn) {
  let b = Infinity;
  for (let r = 0; r < 30; r++) {
    const reps = 200, t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    b = Math.min(b, ((performance.now() - t0) / reps) * 1e6);
  }
  return b;
}
console.log(`crossover: ${os.cpus()[0]?.model} x${os.cpus().length}; load ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`);
console.log('n        add-js(ns) add-native(ns)  exp-js(ns) exp-native(ns)');
for (const n of [16, 64, 128, 256, 1024, 4096, 16384, 65536]) {
  const a = Float32Array.from({ length: n }, (_, i) => Math.sin(i)), b = a.map((v) => v * 0.5);
  const addJs = best(() => { const o = new Float32Array(n); for (let i = 0; i < n; i++) o[i] = a[i] + b[i]; return o; });
  const addNat = best(() => addon.elementwiseBinary(0, 1, n, a, 0, b, 0, new Float32Array(n)));
  const expJs = best(() => { const o = new Float32Array(n); for (let i = 0; i < n; i++) o[i] = Math.exp(a[i]); return o; });
  const expNat = best(() => addon.unaryMap(4, 0, 0, n, a, new Float32Array(n)));
  console.log(String(n).padEnd(8), addJs.toFixed(0).padStart(10), addNat.toFixed(0).padStart(14), expJs.toFixed(0).padStart(11), expNat.toFixed(0).padStart(14));
}
