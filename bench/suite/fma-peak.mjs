// The FMA peak of the widest ISA this CPU has (AVX-512 where AVX-512F is there, else AVX2), measured by
// bench/native/fma-peak.cc, which the suite compiles on first use with the system C++ compiler into
// build-bench/fma-peak (rebuilt when the source is newer). The suite's GEMM percentages are taken against it;
// simdnet's own fmaPeak() is printed beside it (it runs the chains of the GEMM table its ISA selects).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { benchDir, repoRoot } from './common.mjs';

const SOURCE = join(benchDir, 'native', 'fma-peak.cc');
const BINARY = join(repoRoot, 'build-bench', 'fma-peak');

function build() {
  if (existsSync(BINARY) && statSync(BINARY).mtimeMs >= statSync(SOURCE).mtimeMs) return null;
  mkdirSync(join(repoRoot, 'build-bench'), { recursive: true });
  const cxx = process.env.CXX ?? 'c++';
  try {
    execFileSync(cxx, ['-O2', '-std=c++17', '-pthread', SOURCE, '-o', BINARY], { stdio: ['ignore', 'ignore', 'pipe'] });
    return null;
  } catch (e) {
    return `${cxx} could not build bench/native/fma-peak.cc: ${(e.stderr?.toString() || e.message).split('\n')[0]}`;
  }
}

/**
 * { isa, gflops: { 1: x, 2: y } } for the widest of `isas` (best first) this CPU runs, or { error } when there is no
 * x86 compiler or CPU (arm64: not measured here).
 */
export function widestFmaPeak({ avx512, ms = 300, threads = [1, 2] }) {
  if (process.arch !== 'x64') return { error: `no FMA peak probe for ${process.arch}` };
  const err = build();
  if (err) return { error: err };
  const isa = avx512 ? 'avx512' : 'avx2';
  const gflops = {};
  for (const t of threads) {
    try {
      gflops[t] = JSON.parse(execFileSync(BINARY, [isa, String(t), String(ms)], { encoding: 'utf8' })).gflops;
    } catch (e) {
      return { error: `fma-peak ${isa} ${t}: ${(e.stderr?.toString() || e.message).split('\n')[0]}` };
    }
  }
  return { isa, gflops, binary: BINARY };
}
