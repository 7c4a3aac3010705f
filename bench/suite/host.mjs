// What machine a run is on: the CPU model as `lscpu` names it (the README's tables are per CPU kind, never mixed),
// /proc/cpuinfo's model name and flags, and whether it is an AVX-512 host in issue 10's sense.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** issue 10's AVX-512 host: AVX-512F, BW, DQ and VL all in the CPU's flags (the set simdnet's avx512 tier needs). */
export const AVX512_FLAGS = ['avx512f', 'avx512bw', 'avx512dq', 'avx512vl'];
export function hasAvx512(flags) {
  const set = new Set(flags ?? []);
  return AVX512_FLAGS.every((f) => set.has(f));
}

/** `lscpu`'s "Model name" line from its output, or null. */
export function lscpuModelName(text) {
  const m = /^Model name:\s*(.+)$/m.exec(text ?? '');
  return m ? m[1].trim() : null;
}

export function hostInfo() {
  let lscpu = null;
  try {
    lscpu = lscpuModelName(execFileSync('lscpu', { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } }));
  } catch {
    // no lscpu (not Linux, or util-linux missing): /proc/cpuinfo or Node's view below
  }
  let cpuinfo = '';
  try {
    cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    // not Linux
  }
  const modelName = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1].trim() ?? cpus()[0]?.model?.trim() ?? null;
  const flags = /^flags\s*:\s*(.+)$/m.exec(cpuinfo)?.[1].trim().split(/\s+/) ?? [];
  const fms = ['cpu family', 'model', 'stepping'].map((k) => new RegExp(`^${k}\\s*:\\s*(\\d+)$`, 'm').exec(cpuinfo)?.[1] ?? '?');
  return {
    cpu: lscpu ?? modelName ?? 'unknown',
    lscpuModelName: lscpu,
    cpuinfoModelName: modelName,
    familyModelStepping: fms.join('/'),
    avx512: hasAvx512(flags),
    flags,
    simdFlags: flags.filter((f) => /^(avx|fma|amx)/.test(f)),
  };
}
