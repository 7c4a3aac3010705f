// Kernel benchmark entry: `npm run bench:kernels [-- --quick]` (= `npm run build:ts && node bench/kernels.mjs`).
// Prints the machine header (CPU model, ISA in use and available, threads, Node version, the FMA peak measured in
// this run on 1 and 2 threads), then runs the family benches in bench/kernels/ (gemm, eltwise, optim; each prints
// its table) and writes every row, with the header, to bench/results/kernels-<date>[-quick].json.
// SIMDNET_ISA=scalar|avx2|neon and SIMDNET_THREADS=n are honoured by the addon as everywhere else.
// Figures are best-of-batches; other processes on the machine still make them noisy (see each bench's notes).
import { readFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fmaPeak, runtimeInfo } from '../dist/kernels/index.js';
import { nativePath } from '../dist/native.js';
import { run as runGemm } from './kernels/gemm.mjs';
import { run as runEltwise } from './kernels/eltwise.mjs';
import { run as runOptim } from './kernels/optim.mjs';
import { benchArgs } from './cli-args.mjs';

/** "AMD EPYC 7B13" from /proc/cpuinfo (Linux; x86 `model name`, some arm64 kernels `Hardware`), else os.cpus(). */
function cpuModel() {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const m = /^(?:model name|Hardware|Processor)\s*:\s*(.+)$/m.exec(info);
    if (m) return m[1].trim();
  } catch {
    // not Linux: fall through
  }
  return os.cpus()[0]?.model?.trim() || 'unknown';
}

function header(quick) {
  const info = runtimeInfo();
  const h = {
    date: new Date().toISOString(),
    quick,
    cpu: cpuModel(),
    logicalCpus: os.cpus().length,
    platform: `${process.platform}-${process.arch}`,
    node: process.version,
    backend: info.backend,
    isa: info.isa,
    availableIsas: info.availableIsas,
    threads: info.threads,
    env: { SIMDNET_ISA: process.env.SIMDNET_ISA ?? null, SIMDNET_THREADS: process.env.SIMDNET_THREADS ?? null },
    addon: nativePath,
    fmaPeak1: null,
    fmaPeak2: null,
  };
  if (info.backend === 'native') {
    // Peak of the ISA in use (vfmadd on independent accumulators; see fma_peak in kernels/gemm): the ceiling the
    // GEMM figures are compared with. Longer windows in a full run so a busy neighbour costs less.
    const ms = quick ? 50 : 300;
    h.fmaPeak1 = fmaPeak(ms, 1);
    h.fmaPeak2 = fmaPeak(ms, 2);
  }
  return h;
}

function printHeader(h) {
  const fmt = (v) => (v === null ? 'n/a (no addon)' : `${v.toFixed(1)} GFLOP/s`);
  console.log('simdnet kernel benchmarks' + (h.quick ? ' (--quick: tiny sizes, short budgets)' : ''));
  console.log(`  CPU            ${h.cpu} (${h.logicalCpus} logical CPUs, ${h.platform})`);
  console.log(`  Node           ${h.node}`);
  console.log(`  backend        ${h.backend}${h.addon ? ` (${h.addon})` : ''}`);
  console.log(`  ISA in use     ${h.isa}${h.env.SIMDNET_ISA ? ` (SIMDNET_ISA=${h.env.SIMDNET_ISA})` : ''}`);
  console.log(`  ISAs available ${h.availableIsas.length ? h.availableIsas.join(', ') : 'none (TS twins only)'}`);
  console.log(`  threads        ${h.threads}${h.env.SIMDNET_THREADS ? ` (SIMDNET_THREADS=${h.env.SIMDNET_THREADS})` : ''}`);
  console.log(`  FMA peak       ${fmt(h.fmaPeak1)} on 1 thread, ${fmt(h.fmaPeak2)} on 2 threads (measured now)`);
  console.log('');
}

export async function run({ quick = false } = {}) {
  const h = header(quick);
  printHeader(h);
  const results = { header: h };
  for (const [name, bench] of [['gemm', runGemm], ['eltwise', runEltwise], ['optim', runOptim]]) {
    console.log(`== ${name} ==`);
    const t0 = performance.now();
    const out = await bench({ quick });
    // gemm returns { isa, threads, peak1, peak2, openblas, rows }; the others return their rows.
    results[name] = Array.isArray(out) ? { rows: out } : out;
    console.log(`(${name}: ${((performance.now() - t0) / 1e3).toFixed(1)} s)\n`);
  }
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `kernels-${h.date.slice(0, 10)}${quick ? '-quick' : ''}.json`);
  writeFileSync(`${file}.tmp`, JSON.stringify(results, null, 2) + '\n');
  renameSync(`${file}.tmp`, file); // never leave a half-written result behind
  console.log(`rows written to ${file}`);
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await run(benchArgs('node bench/kernels.mjs [--quick]  (npm run bench:kernels)'));
