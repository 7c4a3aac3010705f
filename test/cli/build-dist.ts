/**
 * Builds dist/ with tsc once per test run, for tests that spawn the built CLI or the bench suite. Vitest runs files
 * in parallel processes, so a lock directory serialises the build and a stamp lets the second caller skip it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const lock = join(repoRoot, 'dist', '.build-lock');
const stamp = join(repoRoot, 'dist', '.build-stamp');

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
    if (existsSync(stamp) && readFileSync(stamp, 'utf8') === runId) return;
    const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    execFileSync(process.execPath, [tsc, '-p', join(repoRoot, 'tsconfig.json')], { cwd: repoRoot, stdio: 'pipe' });
    writeFileSync(stamp, runId);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
