// The Keras route (issue 14, docs/interop.md): a simdnet model saved with { format: 'tfjs' } becomes a Keras 3 model
// through tools/keras/from-simdnet.py (JSON topology -> keras layers, weights by name from the weights file), whose
// predictions match simdnet's within 1e-5. Needs a Python with keras (SIMDNET_KERAS_PYTHON, /work/venv/bin/python,
// the repository's .venv, or python3); skipped, with the reason printed, where there is none.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lcgArray } from '../helpers/random.js';
import { IN, allLayersModel, f32, maxDiff } from './tfjs-helpers.js';

const root = new URL('../../', import.meta.url).pathname;
const script = join(root, 'tools/keras/from-simdnet.py');

function findPython(): { python: string | null; why: string } {
  const candidates = [process.env.SIMDNET_KERAS_PYTHON, '/work/venv/bin/python', join(root, '.venv/bin/python'), 'python3'].filter((p): p is string => !!p);
  const tried: string[] = [];
  for (const p of candidates) {
    if (p.includes('/') && !existsSync(p)) continue;
    const r = spawnSync(p, ['-c', 'import keras, numpy; print(keras.__version__)'], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' } });
    if (r.status === 0) return { python: p, why: '' };
    tried.push(p);
  }
  return { python: null, why: `no Python with keras found (tried ${tried.join(', ') || 'nothing'}); set SIMDNET_KERAS_PYTHON` };
}

const { python, why } = findPython();
if (!python) console.warn(`keras-route.test.ts skipped: ${why}`);

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'simdnet-keras-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe.skipIf(!python)('simdnet -> tfjs format -> Keras 3 (tools/keras/from-simdnet.py)', () => {
  it('Keras predicts what simdnet does within 1e-5 (every layer and activation, temperature 2.5, leakyRelu 0.17/0.05)', async () => {
    const m = allLayersModel('js', 31);
    const dir = join(tmp, 'model');
    await m.save(dir, { format: 'tfjs' });
    const rows = 64;
    const x = lcgArray(rows * IN, 77, -2, 2);
    await writeFile(join(tmp, 'x.f32'), Buffer.from(x.buffer, x.byteOffset, x.byteLength));
    const r = spawnSync(python!, [script, dir, '--input', join(tmp, 'x.f32'), '--rows', String(rows), '--output', join(tmp, 'y.f32'), '--save', join(tmp, 'm.keras')], {
      encoding: 'utf8', timeout: 300_000, env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' },
    });
    expect(r.status, r.stderr).toBe(0);
    // 13 Keras layers: the two leakyRelu and the softmax temperature become LeakyReLU, Rescaling + Softmax layers.
    expect(r.stderr).toContain(`: 13 layers, ${m.countParams()} parameters`);
    const y = f32(await readFile(join(tmp, 'y.f32')));
    expect(maxDiff(y, m.predict(x).data())).toBeLessThan(1e-5);
    expect(existsSync(join(tmp, 'm.keras'))).toBe(true);
  }, 400_000);
});
