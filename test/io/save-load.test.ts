import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fsp from 'node:fs/promises';
import { mkdtemp, readFile, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchNormalization, Dense, Dropout, Sequential, loadModel, optimizers, schedules, tensor } from '../../lib/index.js';
import { saveModel, type FsOps } from '../../lib/io/save.js';
import { asyncCodeOf } from '../models/backends.js';
import { filesOf } from './layout.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'simdnet-io-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const X = tensor(Float32Array.from({ length: 40 }, (_, i) => Math.sin(i)), [10, 4]);
const Y = tensor(Float32Array.from({ length: 30 }, (_, i) => (i % 3 === Math.floor(i / 3) % 3 ? 1 : 0)), [10, 3]);

async function trained(seed = 1) {
  const m = new Sequential([
    new Dense({ units: 6, activation: { name: 'leakyRelu', alpha: 0.2 }, inputShape: [4], kernelRegularizer: { l2: 1e-3 } }),
    new Dropout({ rate: 0.25 }),
    new BatchNormalization(),
    new Dense({ units: 3, activation: 'softmax' }),
  ]);
  m.compile({ optimizer: optimizers.adamw({ learningRate: schedules.cosineDecay({ initialLearningRate: 0.01, decaySteps: 50 }), clipNorm: 1 }), loss: 'categorical_crossentropy', metrics: ['accuracy'], backend: 'js', seed });
  await m.fit(X, Y, { epochs: 3, batchSize: 4, verbose: 0 });
  return m;
}

describe('save / loadModel', () => {
  it('round-trips topology, training config and weights: identical predictions', async () => {
    const m = await trained();
    const path = join(dir, 'roundtrip');
    await m.save(path);
    expect((await readdir(path)).length).toBe(2); // CURRENT and one version directory
    expect((await readdir(await filesOf(path))).sort()).toEqual(['model.json', 'optimizer.bin', 'weights.bin']);
    const j = JSON.parse(await readFile(join(await filesOf(path), 'model.json'), 'utf8'));
    expect(j.format).toBe('simdnet-model');
    expect(j.formatVersion).toBe(1);
    expect(j.weightsManifest.sha256).toMatch(/^[0-9a-f]{64}$/);
    const again = await loadModel(path, { backend: 'js' });
    expect(again.getConfig()).toEqual(m.getConfig());
    expect(again.loss).toBe('categoricalCrossentropy');
    expect(again.optimizer!.getConfig()).toEqual(m.optimizer!.getConfig());
    expect(Array.from(again.predict(X).data())).toEqual(Array.from(m.predict(X).data()));
    expect(again.summary({ print: false })).toBe(m.summary({ print: false }));
    // the loaded model trains on
    const h = await again.fit(X, Y, { epochs: 1, verbose: 0 });
    expect(Number.isFinite(h.history.loss[0])).toBe(true);
  });

  it('overwrites a previous save atomically and leaves no temp files', async () => {
    const path = join(dir, 'overwrite');
    const a = await trained(1);
    const b = await trained(2);
    await a.save(path);
    await b.save(path);
    expect((await readdir(dir)).filter((f) => f.includes('overwrite'))).toEqual(['overwrite']);
    expect((await readdir(path)).length).toBe(2); // CURRENT and the new version: the old one was removed
    const l = await loadModel(path, { backend: 'js' });
    expect(Array.from(l.predict(X).data())).toEqual(Array.from(b.predict(X).data()));
  });

  it('refuses truncated, corrupt and foreign files with coded errors', async () => {
    const m = await trained();
    const base = join(dir, 'bad');
    const fresh = async (name: string) => {
      const p = `${base}-${name}`;
      await m.save(p);
      return p;
    };
    let p = await fresh('trunc');
    await truncate(join(await filesOf(p), 'weights.bin'), 10);
    expect(await asyncCodeOf(loadModel(p, { backend: 'js' }))).toBe('SIMDNET_CORRUPT_FILE');

    p = await fresh('flip');
    const w = await readFile(join(await filesOf(p), 'weights.bin'));
    w[5] ^= 0x40;
    await writeFile(join(await filesOf(p), 'weights.bin'), w);
    await expect(loadModel(p, { backend: 'js' })).rejects.toThrow(/sha256/);

    p = await fresh('json-trunc');
    const text = await readFile(join(await filesOf(p), 'model.json'), 'utf8');
    await writeFile(join(await filesOf(p), 'model.json'), text.slice(0, text.length / 2));
    expect(await asyncCodeOf(loadModel(p, { backend: 'js' }))).toBe('SIMDNET_CORRUPT_FILE');

    p = await fresh('foreign');
    await writeFile(join(await filesOf(p), 'model.json'), JSON.stringify({ modelTopology: { class_name: 'Sequential' }, weightsManifest: [] }));
    expect(await asyncCodeOf(loadModel(p, { backend: 'js' }))).toBe('SIMDNET_UNSUPPORTED_FORMAT');

    p = await fresh('future');
    await writeFile(join(await filesOf(p), 'model.json'), JSON.stringify({ ...JSON.parse(text), formatVersion: 99 }));
    expect(await asyncCodeOf(loadModel(p, { backend: 'js' }))).toBe('SIMDNET_UNSUPPORTED_FORMAT');

    p = await fresh('edited');
    const j = JSON.parse(text);
    j.modelTopology.config.layers[0].config.units = 7;
    await writeFile(join(await filesOf(p), 'model.json'), JSON.stringify(j));
    expect(await asyncCodeOf(loadModel(p, { backend: 'js' }))).toBe('SIMDNET_CORRUPT_FILE');

    expect(await asyncCodeOf(loadModel(join(dir, 'does-not-exist'), { backend: 'js' }))).toBe('SIMDNET_IO');
  });

  it('a failed save leaves the previous save intact (failures while writing and at the final rename)', async () => {
    const path = join(dir, 'survivor');
    const good = await trained(1);
    const other = await trained(3);
    await good.save(path);
    const expected = Array.from(good.predict(X).data());

    const failingRename: FsOps = { ...fsp, rename: async (from, to) => {
      // the one rename of a save: CURRENT.<pid>-<hex>.tmp over CURRENT
      if (String(from).includes('CURRENT.')) throw Object.assign(new Error('EIO: injected'), { code: 'EIO' });
      return fsp.rename(from, to);
    } };
    expect(await asyncCodeOf(saveModel(other, path, failingRename))).toBe('SIMDNET_IO');

    const failingWrite: FsOps = { ...fsp, open: (async (p: string, flags: string) => {
      if (String(p).endsWith('model.json') && flags === 'wx') throw Object.assign(new Error('ENOSPC: injected'), { code: 'ENOSPC' });
      return fsp.open(p, flags);
    }) as FsOps['open'] };
    expect(await asyncCodeOf(saveModel(other, path, failingWrite))).toBe('SIMDNET_IO');

    const l = await loadModel(path, { backend: 'js' });
    expect(Array.from(l.predict(X).data())).toEqual(expected);
    expect((await readdir(dir)).filter((f) => f.includes('survivor'))).toEqual(['survivor']);
    expect((await readdir(path)).length).toBe(2); // the failed saves left no version directory behind
  });

  it('refuses to replace a directory holding other files', async () => {
    const path = join(dir, 'user-dir');
    await fsp.mkdir(path);
    await writeFile(join(path, 'thesis.tex'), 'precious');
    const m = await trained();
    expect(await asyncCodeOf(m.save(path))).toBe('SIMDNET_IO');
    expect(await readFile(join(path, 'thesis.tex'), 'utf8')).toBe('precious');
  });
});
