/**
 * Builds dist/ with tsc once per test run, for tests that spawn the built CLI or the bench suite, unless it is already
 * newer than every source. Vitest runs files in parallel processes, so a lock directory serialises the build and a
 * stamp lets the second caller skip it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const lock = join(repoRoot, 'dist', '.build-lock');
const stamp = join(repoRoot, 'dist', '.build-stamp');

/** True when every .ts under lib/ has its .js under dist/ at least as new (CI builds dist before the tests: keep it). */
function distIsFresh(): boolean {
  const lib = join(repoRoot, 'lib');
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
  return walk(lib).every((src) => {
    const out = join(repoRoot, 'dist', relative(lib, src).replace(/\.ts$/, '.js'));
    return existsSync(out) && statSync(out).mtimeMs >= statSync(src).mtimeMs;
  });
}

function sleep(ms: number) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export function buildDist(): void {
  mkdirSync(join(repoRoot, 'dist'), { recursive: true });
  const runId = String(process.env.VITEST_RUN_ID ?? process.ppid);
  for (let waited = 0; ; waited += 100) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than 2 minutes belongs to a crashed run.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      if (waited > 180_000) throw new Error(`timed out waiting for ${lock}`);
      sleep(100);
    }
  }
  try {
    if ((existsSync(stamp) && readFileSync(stamp, 'utf8') === runId) || distIsFresh()) return;
    const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    execFileSync(process.execPath, [tsc, '-p', join(repoRoot, 'tsconfig.json')], { cwd: repoRoot, stdio: 'pipe' });
    writeFileSync(stamp, runId);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
