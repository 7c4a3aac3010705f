// Helpers shared by the benchmark suite's parts: statistics, child processes, event-loop lag, markdown tables.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = join(benchDir, '..');
export const distDir = join(repoRoot, 'dist');
/**
 * The Python of the pip contenders (PyTorch 2.x, Keras on TensorFlow, numpy's bundled OpenBLAS): SIMDNET_BENCH_PYTHON,
 * else the repo-local venv that bench/setup-venv.sh makes (.venv/bin/python), else python3 on PATH.
 */
export function resolvePython(env = process.env, root = repoRoot) {
  if (env.SIMDNET_BENCH_PYTHON) return env.SIMDNET_BENCH_PYTHON;
  const local = join(root, '.venv', 'bin', 'python');
  return existsSync(local) ? local : 'python3';
}
export const PYTHON = resolvePython();
/** Debian's python, for Debian's python3-torch 1.13 (with libopenblas0-pthread through LD_LIBRARY_PATH). */
export const DEBIAN_PYTHON = process.env.SIMDNET_BENCH_DEBIAN_PYTHON ?? '/usr/bin/python3';
export const RESULT_PREFIX = 'SIMDNET_BENCH_RESULT ';

/**
 * Timed inference calls per contender and repeat (bench/suite/train-worker.mjs; bench/torch/train.py and
 * bench/keras/train.py take the same count). Five calls of ~7-9 ms gave medians that moved by ±5% from run to run on
 * the 2-vCPU hosts, as much as the 0.7x target's margin; the summary takes the median over every call of every repeat.
 */
export const INFER_CALLS = 20;

/** The p-quantile (0..1) of xs, linear between order statistics. */
export function quantile(xs, p) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const at = p * (s.length - 1), lo = Math.floor(at), hi = Math.ceil(at);
  return s[lo] + (s[hi] - s[lo]) * (at - lo);
}

export function median(xs) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs `fn` until `minSeconds` have passed and at least `minReps` times; returns per-call seconds. */
export async function timeReps(fn, { minSeconds = 0.3, minReps = 3, maxReps = 1000 } = {}) {
  const times = [];
  const start = performance.now();
  while (times.length < maxReps && (times.length < minReps || performance.now() - start < minSeconds * 1000)) {
    const t0 = performance.now();
    await fn();
    times.push((performance.now() - t0) / 1000);
  }
  return times;
}

/**
 * Event-loop lag as a user would see it: a 10 ms setInterval records how late each tick fires
 * (actual gap - 10 ms). Returns { stop(): { worstMs, medianMs, ticks } }.
 */
export function lagMonitor(periodMs = 10) {
  const lags = [];
  let last = performance.now();
  const handle = setInterval(() => {
    const now = performance.now();
    lags.push(Math.max(0, now - last - periodMs));
    last = now;
  }, periodMs);
  return {
    stop() {
      clearInterval(handle);
      // The final gap (from the last tick to now) counts too: a fit that blocks until its end never ticks at all.
      lags.push(Math.max(0, performance.now() - last - periodMs));
      return { worstMs: Math.max(...lags), medianMs: median(lags), ticks: lags.length };
    },
  };
}

/**
 * Runs a child process and resolves with the JSON after RESULT_PREFIX on its stdout (the last such line), or with
 * { error } when it fails. Its stderr passes through when `verbose`. With `raw`, the result also carries the child's
 * whole stdout and stderr (`rawStdout`, `rawStderr`: libraries' own log lines, e.g. oneDNN's ISA line).
 * An env value of undefined removes that variable for the child only.
 */
export function runChild(cmd, args, { env = {}, verbose = false, timeoutMs = 30 * 60_000, raw = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => {
      err += d;
      if (verbose) process.stderr.write(d);
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ error: `${cmd}: ${e.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = out.split('\n').reverse().find((l) => l.startsWith(RESULT_PREFIX));
      if (code === 0 && line) {
        try {
          const r = JSON.parse(line.slice(RESULT_PREFIX.length));
          resolve(raw ? { ...r, rawStdout: out, rawStderr: err } : r);
          return;
        } catch (e) {
          resolve({ error: `bad result line: ${e.message}` });
          return;
        }
      }
      const tail = (err.trim().split('\n').slice(-6).join('\n') || out.trim().split('\n').slice(-3).join('\n')).slice(0, 2000);
      resolve({ error: `${cmd} exited with ${signal ?? code}: ${tail}` });
    });
  });
}

/**
 * Per-epoch figures of one fit call: `steady` = median epoch time excluding the first epoch (which carries one-off
 * costs: JIT, allocation, thread start-up), or the only figure when there are fewer than 3; `drift` = median of the
 * last three epochs / median of epochs 2-4 (epochs 8-10 over 2-4 in a 10-epoch run), null below 7 epochs (the two
 * windows would overlap).
 */
export function epochStats(epochSeconds) {
  const e = epochSeconds ?? [];
  if (!e.length) return { steady: null, drift: null };
  const steady = median(e.length > 2 ? e.slice(1) : e);
  const drift = e.length >= 7 ? median(e.slice(-3)) / median(e.slice(1, 4)) : null;
  return { steady, drift };
}

/** { median, min, max } of the finite numbers in xs, or null when there are none. */
export function spread(xs) {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x));
  return v.length ? { median: median(v), min: Math.min(...v), max: Math.max(...v), n: v.length } : null;
}

/** Whether `python` can import every module in `modules` (a missing interpreter counts as no). */
export function pythonHas(python, modules, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(python, ['-c', modules.map((m) => `import ${m}`).join('; ')], { stdio: 'ignore', env: { ...process.env, ...env } });
    child.on('error', () => resolve(false));
    child.on('close', (code) => resolve(code === 0));
  });
}

export function fmt(v, digits = 2) {
  if (v === null || v === undefined || Number.isNaN(v)) return 'n/a';
  if (typeof v !== 'number') return String(v);
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  return v.toFixed(digits);
}

export function markdownTable(head, rows) {
  const esc = (c) => String(c).replace(/\|/g, '\\|');
  return [`| ${head.map(esc).join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

export function fashionMnistAvailable(dir) {
  return ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'].every(
    (f) => existsSync(join(dir, f + '.gz')) || existsSync(join(dir, f)),
  );
}
