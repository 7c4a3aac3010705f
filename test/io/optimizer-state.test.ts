// save() stores the optimizer's state (moments, step counter, current learning rate) in optimizer.bin, and
// loadModel() restores it, so that training resumed from a save follows the same trajectory as training that never
// stopped. Also: the engines' getOptimizerState/setOptimizerState contract, cross-engine loading, old saves without
// the state, and damaged optimizer files.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dense, Sequential, loadModel, optimizers, schedules, tensor } from '../../lib/index.js';
import { BACKENDS, asyncCodeOf, codeOf } from '../models/backends.js';
import { filesOf } from './layout.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'simdnet-optstate-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const X = tensor(Float32Array.from({ length: 48 }, (_, i) => Math.sin(0.7 * i)), [12, 4]);
const Y = tensor(Float32Array.from({ length: 36 }, (_, i) => (i % 3 === Math.floor(i / 3) % 3 ? 1 : 0)), [12, 3]);

// One of each optimizer family, with the options that add state arrays.
const OPTIMIZERS = {
  sgd: () => optimizers.sgd({ learningRate: 0.05 }),
  nesterov: () => optimizers.sgd({ learningRate: 0.05, momentum: 0.9, nesterov: true }),
  adagrad: () => optimizers.adagrad({ learningRate: 0.05, initialAccumulatorValue: 0.1 }),
  rmsprop: () => optimizers.rmsprop({ learningRate: 0.01, centered: true, momentum: 0.5 }),
  amsgrad: () => optimizers.adam({ learningRate: 0.01, amsgrad: true }),
  adamwScheduled: () => optimizers.adamw({ learningRate: schedules.exponentialDecay({ initialLearningRate: 0.02, decaySteps: 3, decayRate: 0.5 }) }),
};

function model(opt: keyof typeof OPTIMIZERS, backend: 'js' | 'native') {
  const m = new Sequential([
    new Dense({ units: 5, activation: 'tanh', inputShape: [4] }),
    new Dense({ units: 3, activation: 'softmax' }),
  ]);
  m.compile({ optimizer: OPTIMIZERS[opt](), loss: 'categorical_crossentropy', backend, seed: 7 });
  return m;
}

const FIT = { epochs: 2, batchSize: 4, shuffle: false, verbose: 0 } as const;
const weightsOf = (m: Sequential) => m.getWeights().flatMap((w) => Array.from(w.data()));

describe.each(BACKENDS)('optimizer state in save/load (%s engine)', (backend) => {
  it.each(Object.keys(OPTIMIZERS) as (keyof typeof OPTIMIZERS)[])('%s: training resumed from a save matches training that never stopped', async (opt) => {
    const a = model(opt, backend);
    await a.fit(X, Y, FIT);
    const path = join(dir, `${backend}-${opt}`);
    await a.save(path);
    expect((await readdir(path)).length).toBe(2); // CURRENT and one version directory
    expect((await readdir(await filesOf(path))).sort()).toEqual(['model.json', 'optimizer.bin', 'weights.bin']);
    const saved = a.engine.getOptimizerState();
    const savedStep = a.engine.step;
    expect(savedStep).toBe(6); // 2 epochs x 3 batches

    const b = await loadModel(path, { backend });
    expect(b.engine.step).toBe(savedStep);
    expect(b.engine.getLearningRate()).toBe(a.engine.getLearningRate());
    expect(b.engine.getOptimizerState()).toEqual(saved);
    // a fresh-state load (what save() did before optimizer.bin) takes another path: the comparison below can fail
    const fresh = await loadModel(path, { backend });
    fresh.engine.resetOptimizer();

    await a.fit(X, Y, FIT);
    await b.fit(X, Y, FIT);
    await fresh.fit(X, Y, FIT);
    expect(weightsOf(b)).toEqual(weightsOf(a));
    if (opt !== 'sgd') expect(weightsOf(fresh)).not.toEqual(weightsOf(a));
    for (const m of [a, b, fresh]) m.dispose();
  });
});

describe('optimizer state files', () => {
  it('loads into the other engine: same arrays, step and learning rate', async () => {
    const a = model('amsgrad', BACKENDS[BACKENDS.length - 1]);
    await a.fit(X, Y, FIT);
    const path = join(dir, 'cross');
    await a.save(path);
    for (const backend of BACKENDS) {
      const b = await loadModel(path, { backend });
      expect(b.engine.backend).toBe(backend);
      expect(b.engine.step).toBe(a.engine.step);
      expect(b.engine.getOptimizerState()).toEqual(a.engine.getOptimizerState());
      expect(b.engine.optimizerStateLayout()).toEqual(a.engine.optimizerStateLayout());
      b.dispose();
    }
    // Adam keeps m, v (and vmax with amsgrad) for each trainable parameter
    const names = a.engine.params().filter((p) => p.trainable).flatMap((p) => ['m', 'v', 'vmax'].map((slot) => `${p.name}:${slot}`));
    expect(names).toHaveLength(12); // 2 dense layers x (kernel, bias) x 3
    expect(a.engine.optimizerStateLayout().map((e) => `${e.param}:${e.slot}`)).toEqual(names);
    a.dispose();
  });

  it('a save without optimizer state (older files) loads with fresh optimizer state', async () => {
    const a = model('amsgrad', 'js');
    await a.fit(X, Y, FIT);
    const path = join(dir, 'old-format');
    await a.save(path);
    const j = JSON.parse(await readFile(join(await filesOf(path), 'model.json'), 'utf8'));
    delete j.optimizerState;
    await writeFile(join(await filesOf(path), 'model.json'), JSON.stringify(j));
    await rm(join(await filesOf(path), 'optimizer.bin'));
    const b = await loadModel(path, { backend: 'js' });
    expect(b.engine.step).toBe(0);
    expect(b.engine.getOptimizerState().every((s) => s.every((v) => v === 0))).toBe(true);
    expect(weightsOf(b)).toEqual(weightsOf(a));
    // and saving over it again is allowed (the directory holds only simdnet's files)
    await b.save(path);
    expect((await readdir(path)).length).toBe(2); // CURRENT and one version directory
    expect((await readdir(await filesOf(path))).sort()).toEqual(['model.json', 'optimizer.bin', 'weights.bin']);
  });

  it('refuses damaged optimizer files with coded errors', async () => {
    const a = model('rmsprop', 'js');
    await a.fit(X, Y, FIT);
    const fresh = async (name: string) => {
      const p = join(dir, `bad-opt-${name}`);
      await a.save(p);
      return p;
    };
    let p = await fresh('trunc');
    await truncate(join(await filesOf(p), 'optimizer.bin'), 8);
    expect(await asyncCodeOf(loadModel(p, { backend: 'js' }))).toBe('SIMDNET_CORRUPT_FILE');

    p = await fresh('flip');
    const bytes = await readFile(join(await filesOf(p), 'optimizer.bin'));
    bytes[3] ^= 0x10;
    await writeFile(join(await filesOf(p), 'optimizer.bin'), bytes);
    await expect(loadModel(p, { backend: 'js' })).rejects.toThrow(/sha256/);

    p = await fresh('missing');
    await rm(join(await filesOf(p), 'optimizer.bin'));
    expect(await asyncCodeOf(loadModel(p, { backend: 'js' }))).toBe('SIMDNET_IO');

    const edit = async (name: string, change: (j: { optimizerState: Record<string, unknown> & { arrays: Record<string, unknown>[] } }) => void) => {
      const q = await fresh(name);
      const j = JSON.parse(await readFile(join(await filesOf(q), 'model.json'), 'utf8'));
      change(j);
      await writeFile(join(await filesOf(q), 'model.json'), JSON.stringify(j));
      return asyncCodeOf(loadModel(q, { backend: 'js' }));
    };
    expect(await edit('slot', (j) => { j.optimizerState.arrays[1].slot = 'm'; })).toBe('SIMDNET_CORRUPT_FILE');
    expect(await edit('count', (j) => { j.optimizerState.arrays.pop(); })).toBe('SIMDNET_CORRUPT_FILE');
    expect(await edit('offset', (j) => { j.optimizerState.arrays[0].offset = 1e9; })).toBe('SIMDNET_CORRUPT_FILE');
    expect(await edit('step', (j) => { j.optimizerState.step = -1; })).toBe('SIMDNET_CORRUPT_FILE');
    expect(await edit('lr', (j) => { j.optimizerState.learningRate = 'fast'; })).toBe('SIMDNET_CORRUPT_FILE');
    expect(await edit('path', (j) => { j.optimizerState.path = '../weights.bin'; })).toBe('SIMDNET_CORRUPT_FILE');
    // a different optimizer in the training config keeps other arrays: refused, not silently misapplied
    expect(await edit('optimizer', (j) => {
      (j as unknown as { trainingConfig: { optimizer: Record<string, unknown> } }).trainingConfig.optimizer.centered = false;
    })).toBe('SIMDNET_CORRUPT_FILE');
    a.dispose();
  });
});

describe.each(BACKENDS)('engine.setOptimizerState (%s engine)', (backend) => {
  it('checks its arguments and changes nothing on a bad call', () => {
    const m = model('amsgrad', backend);
    const e = m.engine;
    const good = e.getOptimizerState().map((a) => a.map((_, i) => i * 0.001));
    const before = e.getOptimizerState();
    expect(codeOf(() => e.setOptimizerState('x' as never, 1))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(codeOf(() => e.setOptimizerState(good.slice(1), 1))).toBe('SIMDNET_SHAPE_MISMATCH');
    expect(codeOf(() => e.setOptimizerState([...good.slice(0, -1), new Float32Array(1)], 1))).toBe('SIMDNET_SHAPE_MISMATCH');
    expect(codeOf(() => e.setOptimizerState([...good.slice(0, -1), new Float64Array(good[good.length - 1].length) as never], 1))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(codeOf(() => e.setOptimizerState(good, -1))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(codeOf(() => e.setOptimizerState(good, 1.5))).toBe('SIMDNET_INVALID_ARGUMENT');
    const detached = good.map((a) => a.slice());
    structuredClone(detached[0].buffer, { transfer: [detached[0].buffer] });
    expect(codeOf(() => e.setOptimizerState(detached, 1))).toBe('SIMDNET_DETACHED_BUFFER');
    expect(e.getOptimizerState()).toEqual(before);
    expect(e.step).toBe(0);
    e.setOptimizerState(good, 3);
    expect(e.getOptimizerState()).toEqual(good);
    expect(e.step).toBe(3);
    m.dispose();
    expect(codeOf(() => e.getOptimizerState())).toBe('SIMDNET_DISPOSED');
  });
});
