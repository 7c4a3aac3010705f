// The event loop keeps turning during a distributed fit (lib/distributed/train.ts): each step is one job on a worker
// thread (engine.distributedStepAsync: gradient sums, the all-reduce on the MPI communication thread, the update), so
// a setInterval inside each rank keeps firing. The model is sized so that the steps dominate the process's CPU time:
// a step run on the JS thread shows as most of that thread's CPU time. Skipped where Open MPI is absent (as
// distributed.test.ts).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../lib/native.js';
import { mpirun, mpiSkipReason } from './mpirun.js';

const script = join(packageRoot, 'test', 'distributed', 'scripts', 'event-loop.mjs');
const why = mpiSkipReason();
if (why) console.warn(`test/distributed/event-loop skipped: ${why}`);

// Most of the JS thread's CPU time during the steps would be the steps themselves if they ran there (measured on the
// 2-core Zen 4 machine, 2 ranks of a 512-1536-1536-10 MLP, batch 512: 90% with the synchronous gradientSums /
// applyGradientSums, 15 to 30% with the jobs: input copies, the published-state copies, the predictions of the
// test). The share of CPU time is used, not the tick lag alone: on a loaded shared machine an idle thread waits tens
// of ms for a core now and then (ticks up to 300 ms late were seen with the jobs, 500 ms with the synchronous step),
// and CPU time does not count waiting.
const MAX_JS_SHARE = 0.5;

interface Steps { main: number; process: number; ms: number }
interface Rank {
  rank: number; ticks: number; worstLagMs: number; medianLagMs: number; stepMs: number; busy: number; predictions: number;
  errors: number; steps: Steps | null;
}
function run(mode: 'fit' | 'dataset'): Rank[] {
  const r = mpirun(2, [script, JSON.stringify({ mode })], ['--bind-to', 'none']);
  expect(r.status, r.stderr).toBe(0);
  const ranks = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Rank).sort((a, b) => a.rank - b.rank);
  const s = ranks[0].steps;
  console.log(`distributed ${mode}, 2 ranks: ` + ranks.map((x) => `rank ${x.rank}: step ${x.stepMs.toFixed(0)} ms, ${x.ticks} ticks, ` +
    `worst lag ${x.worstLagMs.toFixed(1)} ms, median ${x.medianLagMs.toFixed(2)} ms, event loop busy ${(100 * x.busy).toFixed(0)}%, ` +
    `${x.predictions} predictions`).join('; ') +
    (s ? `; rank 0 steps 2..last: JS thread ${s.main} ms CPU of the process's ${s.process.toFixed(0)} ms in ${s.ms.toFixed(0)} ms` : ''));
  return ranks;
}

describe.skipIf(why !== null)('event loop during a distributed fit (mpirun -np 2)', () => {
  for (const mode of ['fit', 'dataset'] as const) {
    it(`${mode}: the steps run off the JS thread (< ${100 * MAX_JS_SHARE}% of the CPU time there), a setInterval keeps firing, predict answers`, () => {
      const ranks = run(mode);
      expect(ranks.map((x) => x.rank)).toEqual([0, 1]);
      const s = ranks[0].steps!;
      expect(s, 'rank 0 measured its steps').not.toBeNull();
      expect(s.process, 'the steps must cost enough CPU time for the share to mean something').toBeGreaterThan(200);
      expect(s.main / s.process).toBeLessThan(MAX_JS_SHARE);
      for (const x of ranks) {
        expect(x.ticks).toBeGreaterThan(20);
        expect(x.errors).toBe(0);
        expect(x.predictions).toBeGreaterThan(0);
      }
    });
  }
});
