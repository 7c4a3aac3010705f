/**
 * The benchmark harness in quick mode (tiny sizes, a few batches) so it cannot rot: every part runs, every Node
 * contender produces figures, and the markdown, JSON and SVG outputs are written. Figures are not checked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDist, repoRoot } from '../cli/build-dist.js';
import { native } from '../../lib/native.js';

let out: string;
beforeAll(() => {
  buildDist();
  out = mkdtempSync(join(tmpdir(), 'simdnet-bench-'));
}, 240_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('bench suite --quick', () => {
  it('runs kernels and training for every contender and writes markdown, JSON and SVG', () => {
    const r = spawnSync(process.execPath, [join(repoRoot, 'bench', 'suite.mjs'), '--quick', '--out', out], { cwd: repoRoot, encoding: 'utf8', timeout: 400_000 });
    expect(r.status, r.stderr.slice(-3000)).toBe(0);
    for (const h of ['## 1. SGEMM', '## 2. Training', '## 3. Inference', '## 4. Event-loop lag', '## 5. Memory', '## Targets']) expect(r.stdout).toContain(h);
    const files = readdirSync(out);
    const json = files.find((f) => f.endsWith('.json'));
    expect(json).toBeDefined();
    expect(files.some((f) => f.endsWith('.svg'))).toBe(true);
    const report = JSON.parse(readFileSync(join(out, json!), 'utf8'));
    expect(report.quick).toBe(true);
    const rows = report.training as Array<{ contender: string; error?: string; samplesPerSecond?: number; lagWorstMs?: number; peakRssBytes?: number }>;
    const expectOk = ['simdnet-js', 'tfjs-cpu', 'tfjs-wasm', ...(native ? ['simdnet-native-1t', 'simdnet-native-2t'] : [])];
    for (const name of expectOk) {
      const row = rows.find((x) => x.contender === name);
      expect(row, name).toBeDefined();
      expect(row!.error, `${name}: ${row!.error}`).toBeUndefined();
      expect(row!.samplesPerSecond).toBeGreaterThan(0);
      expect(row!.lagWorstMs).toBeGreaterThanOrEqual(0);
      expect(row!.peakRssBytes).toBeGreaterThan(1e6);
    }
    const torch = rows.filter((x) => x.contender.startsWith('pytorch'));
    if (existsSync('/usr/bin/python3') && existsSync('/usr/share/datasets/fashion-mnist')) for (const t of torch) expect(t.error, t.error).toBeUndefined();
    const kernels = report.kernels.results as Array<{ contender: string; gflops?: number; error?: string }>;
    expect(kernels.some((k) => k.contender === 'tfjs-wasm' && k.gflops! > 0)).toBe(true);
    if (native) expect(kernels.some((k) => k.contender.startsWith('simdnet native') && k.gflops! > 0)).toBe(true);
    // OpenBLAS through numpy, measured in the same run: one figure per shape, or one row saying why it was not measured.
    const haveOpenblas =
      existsSync('/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0') &&
      existsSync('/usr/bin/python3') &&
      spawnSync('/usr/bin/python3', ['-c', 'import numpy']).status === 0;
    for (const name of ['OpenBLAS 1t (numpy)', 'OpenBLAS 2t (numpy)']) {
      const ob = kernels.filter((k) => k.contender === name);
      const error = ob.find((k) => k.error)?.error;
      if (error !== undefined) expect(ob).toHaveLength(1);
      else expect(ob.map((k) => k.gflops! > 0), name).toEqual(report.kernels.shapes.map(() => true));
      if (haveOpenblas) expect(error, `${name}: ${error}`).toBeUndefined();
    }
    expect(report.targets).toHaveLength(5);
  }, 420_000);
});
