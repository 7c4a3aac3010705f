// Launching the rank scripts (./scripts) under Open MPI's mpirun, shared by distributed.test.ts and
// event-loop.test.ts: whether the tests can run here, the environment of the job and the launch inside `timeout`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../lib/native.js';

const libDirs = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib'];

// Why the tests cannot run here (Open MPI absent, dist/ not built: the rank scripts use the built package), or null.
export function mpiSkipReason(): string | null {
  if (spawnSync('mpirun', ['--version'], { encoding: 'utf8' }).status !== 0) return 'mpirun is not on PATH (apt-get install openmpi-bin)';
  const lib = process.env.SIMDNET_LIBMPI;
  if (lib ? !existsSync(lib) : !libDirs.some((d) => existsSync(join(d, 'libmpi.so.40'))))
    return `libmpi.so.40 not found (${lib ? `SIMDNET_LIBMPI=${lib}` : libDirs.join(', ')}; apt-get install openmpi-bin)`;
  if (!existsSync(join(packageRoot, 'dist', 'index.js'))) return 'dist/ is not built (npm run build:ts)';
  return null;
}

// Loopback TCP only (no shared-memory transport, no network interfaces), as root in CI, and the single-node
// launcher: Open MPI's default (rsh) launcher refuses to start where no ssh client is installed.
export const mpiEnv = {
  ...process.env,
  OMPI_MCA_btl: 'self,tcp',
  OMPI_MCA_btl_tcp_if_include: 'lo',
  OMPI_MCA_plm: 'isolated',
  OMPI_ALLOW_RUN_AS_ROOT: '1',
  OMPI_ALLOW_RUN_AS_ROOT_CONFIRM: '1',
  SIMDNET_REQUIRE_NATIVE: '1',
};
// Seconds one launch may take (`timeout` ends it; spawnSync's own limit is 10 s more).
export const LIMIT_S = 120;

export interface Run { status: number | null; stdout: string; stderr: string; seconds: number }
// `mpirun --oversubscribe [flags] -np <np> node <args>` with mpiEnv, inside `timeout LIMIT_S`.
export function mpirun(np: number, args: string[], flags: string[] = []): Run {
  const t0 = performance.now();
  const r = spawnSync('timeout', [String(LIMIT_S), 'mpirun', '--oversubscribe', ...flags, '-np', String(np), process.execPath, ...args],
    { env: mpiEnv, encoding: 'utf8', timeout: (LIMIT_S + 10) * 1000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, seconds: (performance.now() - t0) / 1000 };
}
