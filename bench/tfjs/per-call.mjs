// Per-call timing for the kernel benches (bench/tfjs/pool.mjs, bench/tfjs/depthwise.mjs): one warm-up call, then
// `rounds` timed rounds of as many calls as fill `windowMs`; median, min and max ms per call across the rounds.
import { performance } from 'node:perf_hooks';

export function timePerCall(fn, { windowMs, rounds }) {
  fn();
  let reps = 1;
  for (let t0 = performance.now(); performance.now() - t0 < windowMs; reps++) fn();
  const xs = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fn();
    xs.push((performance.now() - t0) / reps);
  }
  xs.sort((a, b) => a - b);
  return { med: xs[Math.floor((xs.length - 1) / 2)], min: xs[0], max: xs[xs.length - 1] };
}

/** `median [min-max]`, padded to `width`. */
export const fmtTiming = (t, width) => `${t.med.toFixed(3)} [${t.min.toFixed(3)}-${t.max.toFixed(3)}]`.padEnd(width);
