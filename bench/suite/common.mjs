// Helpers shared by the benchmark suite's parts: statistics, child processes, event-loop lag, markdown tables.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = join(benchDir, '..');
export const distDir = join(repoRoot, 'dist');
/** Debian's python with python3-torch (the pyenv python3 on PATH has no torch). */
export const PYTHON = '/usr/bin/python3';
export const RESULT_PREFIX = 'SIMDNET_BENCH_RESULT ';

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
 * { error } when it fails. Its stderr passes through when `verbose`.
 */
export function runChild(cmd, args, { env = {}, verbose = false, timeoutMs = 30 * 60_000 } = {}) {
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
          resolve(JSON.parse(line.slice(RESULT_PREFIX.length)));
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

export function torchAvailable() {
  return new Promise((resolve) => {
    if (!existsSync(PYTHON)) return resolve(false);
    const child = spawn(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' });
    child.on('error', () => resolve(false));
    child.on('close', (code) => resolve(code === 0));
  });
}
