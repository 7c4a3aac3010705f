/**
 * Issue 11: transferring the input's ArrayBuffer to a Worker while a native job reads it. Before the fix the addon
 * held the typed array but not its memory: once the Worker dropped the buffer and collected it, fit() and
 * predictAsync() read unmapped memory and the process died with SIGSEGV (3 runs of 3). Each case runs in a child
 * process (test/models/transfer-child.mjs) so a crash is seen here as a signal, on every ISA the addon runs here
 * (SIMDNET_ISA in the child's environment), three times after an undisturbed baseline: every run must exit normally
 * and return exactly the baseline's result (the job trains or predicts on its own snapshot; docs/engine.md, "What a
 * running job holds"), with the buffer detached (x.length 0) and the act done while the engine was busy.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { native } from '../../lib/native.js';
import { buildDist, repoRoot } from '../cli/build-dist.js';

interface Run {
  result?: unknown;
  error?: { code?: string; message: string };
  actedWhileBusy: boolean;
  xLength: number;
}

function child(op: string, action: string, reps: number, isa: string): Promise<{ code: number | null; signal: string | null; out: string; err: string }> {
  const script = join(repoRoot, 'test', 'models', 'transfer-child.mjs');
  const dist = join(repoRoot, 'dist', 'index.js');
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--expose-gc', script, dist, op, action, String(reps)], {
      cwd: repoRoot,
      env: { ...process.env, SIMDNET_ISA: isa, SIMDNET_REQUIRE_NATIVE: '1' },
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('close', (code, signal) => resolve({ code, signal, out, err }));
  });
}

const isas = native ? native.availableIsas() : [];
const REPS = 3;

describe.skipIf(!native)('transferring the input to a Worker while the native job runs (child process)', () => {
  beforeAll(() => buildDist(), 300_000);

  for (const isa of isas)
    for (const op of ['fit', 'predict', 'evaluate'])
      it(`${op === 'fit' ? 'fit' : `${op}Async`} on ${isa}: ${REPS} transfers mid-run, no crash, the baseline's result`, async () => {
        const r = await child(op, 'transfer', REPS, isa);
        expect(r.signal, `child killed by ${r.signal}\n${r.err}`).toBeNull();
        expect(r.code, r.err).toBe(0);
        const res = JSON.parse(r.out.trim().split('\n').pop()!) as { baseline: Run; runs: Run[] };
        expect(res.baseline.error).toBeUndefined();
        expect(res.runs).toHaveLength(REPS);
        for (const run of res.runs) {
          expect(run.error).toBeUndefined();
          expect(run.actedWhileBusy, 'the transfer and GC finished after the job: nothing was tested').toBe(true);
          expect(run.xLength).toBe(0);
          expect(run.result).toEqual(res.baseline.result);
        }
      }, 300_000);
});
