// Memory during a load (issue 11: "memory during any load stays within the model's own size plus a small
// constant"). A 784-3072-3072-10 Adam model (11.9M parameters: weights.bin 45 MiB, optimizer.bin 91 MiB) is saved
// after one training step, then loaded in a fresh child process (load-memory-child.mjs) per engine, which reports:
//   - peak RSS growth during loadModel, bounded by the engine's bytes (model.memoryBytes()) + 32 MiB: the guarantee;
//   - peak growth of process.memoryUsage().arrayBuffers, bounded by 8 MiB (+ the engine's bytes on the JS engine,
//     whose arrays are ArrayBuffers): a buffer of a whole file (45 or 91 MiB) cannot hide under it. The loader that
//     read each file into one buffer showed +136 MiB here; so does this one with LOAD_CHUNK_BYTES raised to 1 GiB.
//   - digests of the loaded weights and optimizer state, equal to the saved model's (the 1 MiB chunks cross the
//     parameter boundaries).
// Not timed. The JS engine's child runs without the addon (PREBUILDS_ONLY, no LD_PRELOAD), so it means the same under
// tools/addon-sanitize.sh; the native child runs only where the plain addon loads (ASan's quarantine and shadow
// memory would be measured instead of simdnet).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Dense, Sequential, optimizers } from '../../lib/index.js';
import { native } from '../../lib/native.js';
import { buildDist } from '../cli/build-dist.js';

const CHILD = fileURLToPath(new URL('./load-memory-child.mjs', import.meta.url));
const MiB = 1024 * 1024;
const sanitized = (process.env.LD_PRELOAD ?? '') !== '';
const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'LD_PRELOAD' && k !== 'SIMDNET_REQUIRE_NATIVE'));

let dir: string;
let saved: { weights: string; state: string; step: number };

const digest = (arrays: Float32Array[]) => {
  const h = createHash('sha256');
  for (const a of arrays) h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return h.digest('hex');
};

beforeAll(async () => {
  buildDist();
  dir = await mkdtemp(join(tmpdir(), 'simdnet-loadmem-'));
  const model = new Sequential({ layers: [
    new Dense({ units: 3072, activation: 'relu', inputShape: [784] }),
    new Dense({ units: 3072, activation: 'relu' }),
    new Dense({ units: 10, activation: 'softmax' }),
  ] });
  model.compile({ optimizer: optimizers.adam({ learningRate: 1e-3 }), loss: 'sparseCategoricalCrossentropy', seed: 3, backend: native ? 'native' : 'js' });
  const n = 8;
  const x = Float32Array.from({ length: n * 784 }, (_, i) => ((i * 7919) % 255) / 255);
  const y = Float32Array.from({ length: n }, (_, i) => i % 10);
  await model.fit(x, y, { epochs: 1, batchSize: n, verbose: 0 });
  await model.save(join(dir, 'model'));
  await model.save(join(dir, 'tfjs'), { format: 'tfjs' });
  saved = { weights: digest(model.engine.getParams()), state: digest(model.engine.getOptimizerState()), step: model.engine.step };
  model.dispose();
}, 240_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function loadInChild(backend: 'native' | 'js', format: 'simdnet' | 'tfjs' = 'simdnet') {
  const env = backend === 'js' ? { ...baseEnv, PREBUILDS_ONLY: '1' } : baseEnv;
  const args = format === 'tfjs' ? [CHILD, join(dir, 'tfjs'), backend, 'weights-only'] : [CHILD, join(dir, 'model'), backend];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', env, timeout: 120_000 });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as {
    backend: string; rss0: number; peak: number; arrayBuffers: number; engine: number; weights: string; state: string | null; step: number | null;
  };
}

describe('loadModel memory', () => {
  for (const backend of ['native', 'js'] as const) {
    it.skipIf(backend === 'native' && (!native || sanitized))(`${backend} engine: RSS grows by at most the engine's bytes + 32 MiB, and no whole-file buffer exists`, () => {
      const o = loadInChild(backend);
      const growth = o.peak - o.rss0;
      const abBound = (backend === 'js' ? o.engine : 0) + 8 * MiB;
      console.log(`${backend} load: RSS +${(growth / MiB).toFixed(1)} MiB (engine ${(o.engine / MiB).toFixed(1)} MiB), arrayBuffers peak +${(o.arrayBuffers / MiB).toFixed(1)} MiB (bound ${(abBound / MiB).toFixed(1)})`);
      expect(o.backend).toBe(backend);
      expect({ weights: o.weights, state: o.state, step: o.step }).toEqual(saved);
      expect(growth).toBeLessThanOrEqual(o.engine + 32 * MiB);
      expect(o.arrayBuffers).toBeLessThanOrEqual(abBound);
    }, 120_000);
  }

  // The tfjs layers-model format (lib/io/tfjs/load.ts) streams its shards the same way.
  it.skipIf(!native || sanitized)('a tfjs-format directory: RSS grows by at most the engine\'s bytes + 32 MiB, no whole-file buffer', () => {
    const o = loadInChild('native', 'tfjs');
    const growth = o.peak - o.rss0;
    console.log(`tfjs-format load: RSS +${(growth / MiB).toFixed(1)} MiB (engine ${(o.engine / MiB).toFixed(1)} MiB), arrayBuffers peak +${(o.arrayBuffers / MiB).toFixed(1)} MiB`);
    expect(o.weights).toBe(saved.weights);
    expect(growth).toBeLessThanOrEqual(o.engine + 32 * MiB);
    expect(o.arrayBuffers).toBeLessThanOrEqual(8 * MiB);
  }, 120_000);
});
