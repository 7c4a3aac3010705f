/** `simdnet info`: what this installation runs on. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { native, nativeLoadError, nativePath, packageRoot } from '../native.js';
import { runtimeInfo } from '../backend.js';
import { type CliIo, parse } from './args.js';

export const infoUsage = `Usage: simdnet info [--json]

Prints the simdnet version, the instruction set in use and those available, the thread count, how native ops treat
subnormal floats (flush to zero, or IEEE), and where the native addon was loaded from (or why it was not).`;

export function version(): string {
  return (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

export function infoCommand(argv: string[], io: CliIo): number {
  const { values } = parse(argv, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    io.out(infoUsage);
    return 0;
  }
  const rt = runtimeInfo();
  const info = {
    version: version(),
    backend: rt.backend,
    isa: rt.isa,
    availableIsas: rt.availableIsas,
    threads: rt.threads,
    subnormals: rt.subnormals,
    cpus: availableParallelism(),
    addon: native ? nativePath ?? '(loaded; path unknown)' : null,
    addonError: native ? null : nativeLoadError?.message ?? 'not loaded',
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
  if (values.json) {
    io.out(JSON.stringify(info, null, 2));
    return 0;
  }
  const lines = [
    `simdnet ${info.version} (Node ${info.node}, ${info.platform})`,
    `backend:        ${info.backend}`,
    `ISA in use:     ${info.isa}`,
    `ISAs available: ${info.availableIsas.length ? info.availableIsas.join(', ') : 'none (native addon not loaded)'}`,
    `threads:        ${info.threads} (of ${info.cpus} CPUs)`,
    `subnormals:     ${info.subnormals === 'flush' ? 'flush to zero (FTZ+DAZ; SIMDNET_SUBNORMALS=ieee keeps them)' : native ? 'IEEE (kept)' : 'IEEE (pure-TS backend)'}`,
    native ? `addon:          ${info.addon}` : `addon:          not loaded: ${info.addonError}`,
  ];
  io.out(lines.join('\n'));
  return 0;
}
