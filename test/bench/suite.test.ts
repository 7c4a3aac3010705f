/**
 * The benchmark harness in quick mode (tiny sizes, a few batches) so it cannot rot: every part runs, every Node
 * contender produces figures, every Python contender produces figures or says why not ("not installed: ...", "not
 * measured: ..."), and the markdown, JSON and SVG outputs are written. Figures are not checked. Then the reference-BLAS
 * guard end to end, with a fake Debian Python: a PyTorch that reports the reference BLAS gets no figure and no ratio.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDist, repoRoot } from '../cli/build-dist.js';
import { native } from '../../lib/native.js';
// @ts-expect-error plain ESM without types (bench/ is not compiled)
import { fashionMnistAvailable, resolvePython } from '../../bench/suite/common.mjs';

let out: string;
beforeAll(() => {
  buildDist();
  out = mkdtempSync(join(tmpdir(), 'simdnet-bench-'));
}, 240_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('bench suite --quick', () => {
  it('runs kernels and training for every contender and writes markdown, JSON and SVG', () => {
    const r = spawnSync(process.execPath, [join(repoRoot, 'bench', 'suite.mjs'), '--quick', '--out', out], { cwd: repoRoot, encoding: 'utf8', timeout: 560_000 });
    expect(r.status, r.stderr.slice(-3000)).toBe(0);
    for (const h of ['## 1. SGEMM', '## 2. Training', '## 3. Inference', '## 4. Event-loop lag', '## 5. Memory', '## 6. Inference, paired', '## Targets']) expect(r.stdout).toContain(h);
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
    // Python contenders: figures, or a reason (no venv on a fresh machine: "not installed: ..."), never a failure.
    for (const t of rows.filter((x) => /^(pytorch|keras)/.test(x.contender)) as Array<{ contender: string; error?: string; notMeasured?: string; samplesPerSecond?: number }>) {
      expect(t.error, `${t.contender}: ${t.error}`).toBeUndefined();
      if (t.notMeasured === undefined) expect(t.samplesPerSecond, t.contender).toBeGreaterThan(0);
      else expect(t.notMeasured).toMatch(/^not (installed|measured): /);
    }
    const kernels = report.kernels.results as Array<{ contender: string; gflops?: number; error?: string }>;
    expect(kernels.some((k) => k.contender === 'tfjs-wasm' && k.gflops! > 0)).toBe(true);
    if (native) expect(kernels.some((k) => k.contender.startsWith('simdnet native') && k.gflops! > 0)).toBe(true);
    // OpenBLAS through numpy, measured in the same run: one figure per shape, or one row saying why it was not measured.
    // The suite's Python (SIMDNET_BENCH_PYTHON, .venv, python3) with a numpy on OpenBLAS (a numpy 2.x wheel bundles it).
    const py = resolvePython(process.env, repoRoot);
    const numpyBlas = spawnSync(py, ['-c', 'import numpy, threadpoolctl; print(" ".join(x["internal_api"] for x in threadpoolctl.threadpool_info()))'], { encoding: 'utf8' });
    const haveOpenblas = numpyBlas.status === 0 && /\bopenblas\b/.test(numpyBlas.stdout);
    const haveTorch = spawnSync(py, ['-c', 'import torch']).status === 0;
    for (const name of ['OpenBLAS 1t (numpy)', 'OpenBLAS 2t (numpy)']) {
      const ob = kernels.filter((k) => k.contender === name);
      const error = ob.find((k) => k.error)?.error;
      if (error !== undefined) expect(ob).toHaveLength(1);
      else expect(ob.map((k) => k.gflops! > 0), name).toEqual(report.kernels.shapes.map(() => true));
      if (haveOpenblas) expect(error, `${name}: ${error}`).toBeUndefined();
    }
    for (const name of ['MKL 1t (PyTorch)', 'MKL 2t (PyTorch)']) {
      const mkl = kernels.filter((k) => k.contender === name);
      const error = mkl.find((k) => k.error)?.error;
      if (error !== undefined) expect(error).toMatch(/^not (installed|measured): /);
      else expect(mkl.map((k) => k.gflops! > 0), name).toEqual(report.kernels.shapes.map(() => true));
      if (!haveTorch) expect(error).toMatch(/^not installed: /);
    }
    // Section 6, the paired inference: both servers answered every block (the protocol of paired.mjs), or it says why
    // not (no PyTorch in the suite's Python, no Fashion-MNIST), never a failure.
    const paired = report.paired as { error?: string; notMeasured?: string; rounds?: Array<{ simdnetSeconds: number; pytorchSeconds: number; ratio: number }> };
    expect(paired.error, paired.error).toBeUndefined();
    const torchProbe = report.probes?.pytorch as { notMeasured?: string; error?: string } | undefined;
    if (native && torchProbe && !torchProbe.notMeasured && !torchProbe.error && fashionMnistAvailable('/usr/share/datasets/fashion-mnist')) {
      expect(paired.rounds).toHaveLength(2);
      for (const x of paired.rounds!) expect(x.simdnetSeconds > 0 && x.pytorchSeconds > 0 && x.ratio > 0).toBe(true);
    } else expect(paired.notMeasured).toMatch(/^not (installed|measured)/);
    expect(report.machine.cpu).toBeTruthy();
    expect(r.stdout).toContain(`CPU (lscpu "Model name"): **${report.machine.cpu}**`);
    // The widest ISA's FMA peak (bench/native/fma-peak.cc, compiled by the suite) wherever x86-64 and a compiler are.
    if (process.arch === 'x64' && existsSync('/usr/bin/c++')) {
      expect(report.kernels.peakError).toBeNull();
      expect(report.kernels.fmaPeakGflops['1']).toBeGreaterThan(0);
      const flags = readFileSync('/proc/cpuinfo', 'utf8');
      expect(report.kernels.peakIsa).toBe(['avx512f', 'avx512bw', 'avx512dq', 'avx512vl'].every((f) => new RegExp(`\\b${f}\\b`).test(flags)) ? 'avx512' : 'avx2');
    }
    // Issue 10's targets, none with a verdict in quick mode; the earlier four stay.
    expect(report.targets).toHaveLength(15);
    for (const t of report.targets) expect(t.status).toMatch(/^not measured: .+/);
  }, 600_000);
});

describe('bench suite: the reference-BLAS guard', () => {
  const REF = '/usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0';
  const DEB_OB = '/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3';
  /** A stand-in for Debian's python3 running bench/torch/train.py: its probe and training report fixed figures. */
  function fakePython(dir: string, probeLib: string, trainLib: string) {
    const mark = join(dir, 'trained');
    const probe = JSON.stringify({ framework: 'PyTorch 1.13.1', blasInfo: 'generic', blasLibraries: [probeLib], cpuCapability: 'AVX512', threads: 1 });
    const train = JSON.stringify({
      framework: 'PyTorch 1.13.1', blasInfo: 'generic', blasLibraries: [trainLib], cpuCapability: 'AVX512', threads: 1,
      trainSamples: 60000, testSamples: 10000, batchSize: 128, epochSeconds: Array(10).fill(0.1), accuracy: 0.87, inferenceSeconds: 0.001, peakRssBytes: 1e8,
    });
    const py = join(dir, 'python3');
    writeFileSync(py, `#!/bin/sh\ncase "$*" in\n  *--probe*) echo 'SIMDNET_BENCH_RESULT ${probe}' ;;\n  *) touch '${mark}'; echo 'SIMDNET_BENCH_RESULT ${train}' ;;\nesac\n`);
    chmodSync(py, 0o755);
    // Files by the names the suite looks for: the fake never reads them, and no Node contender runs.
    const data = join(dir, 'data');
    mkdirSync(data);
    for (const f of ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) writeFileSync(join(data, f), '');
    return { py, data, mark };
  }
  function run(probeLib: string, trainLib: string) {
    const dir = mkdtempSync(join(tmpdir(), 'simdnet-bench-blas-'));
    try {
      const { py, data, mark } = fakePython(dir, probeLib, trainLib);
      const r = spawnSync(
        process.execPath,
        [join(repoRoot, 'bench', 'suite.mjs'), '--only', 'training', '--contenders', 'pytorch-debian-1t,pytorch-debian-2t', '--data', data, '--out', join(dir, 'out')],
        { cwd: repoRoot, encoding: 'utf8', timeout: 60_000, env: { ...process.env, SIMDNET_BENCH_DEBIAN_PYTHON: py } },
      );
      expect(r.status, r.stderr.slice(-2000)).toBe(0);
      const json = readdirSync(join(dir, 'out')).find((f) => f.endsWith('.json'))!;
      return { r, report: JSON.parse(readFileSync(join(dir, 'out', json), 'utf8')), trained: existsSync(mark) };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const check = (r: { stdout: string }, report: { training: Array<Record<string, unknown>>; targets: Array<{ measured: string; status: string }> }) => {
    for (const row of report.training) {
      expect(row.notMeasured).toMatch(/^not measured: reference BLAS/);
      expect(row.samplesPerSecond).toBeUndefined();
    }
    expect(r.stdout).toMatch(/\| pytorch-debian-1t \| PyTorch 1\.13\.1 \+ reference BLAS \(netlib\) \|  \| not measured: reference BLAS[^|]*\|/);
    expect(r.stdout).not.toContain('600,000');
    for (const t of report.targets) expect(t.status).not.toBe('met');
  };

  it('does not train a PyTorch whose probe shows the reference BLAS', () => {
    const { r, report, trained } = run(REF, REF);
    expect(trained).toBe(false);
    check(r, report);
  }, 90_000);

  it("drops a training run's figures when the run itself reports the reference BLAS", () => {
    const { r, report, trained } = run(DEB_OB, REF);
    expect(trained).toBe(true);
    check(r, report);
  }, 90_000);

  it('measures the same fake on OpenBLAS (the guard is what refuses it above)', () => {
    const { report } = run(DEB_OB, DEB_OB);
    for (const row of report.training) {
      expect(row.notMeasured).toBeUndefined();
      expect(row.samplesPerSecond).toBeCloseTo(600_000, 3);
      expect((row.blas as { kind: string }).kind).toBe('openblas');
    }
  }, 90_000);
});
