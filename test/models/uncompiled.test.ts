/**
 * Inference without compile (issue 15): a built, never-compiled model predicts, hands out and takes weights, saves
 * and summarises; fit and evaluate still need compile() and say so with Keras's sentence.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dense, Sequential, loadModel, tensor } from '../../lib/index.js';
import { asyncCodeOf, codeOf } from './backends.js';
import { filesOf } from '../io/layout.js';

// 4 -> 3 (relu) -> 2 (softmax) with hand-set weights, and the forward pass written out in float64.
const W1 = Float32Array.from([0.5, -0.25, 0.1, 0.2, 0.3, -0.4, -0.6, 0.7, 0.05, 0.15, -0.35, 0.45]); // [4, 3]
const B1 = Float32Array.from([0.01, -0.02, 0.03]);
const W2 = Float32Array.from([0.9, -0.8, 0.4, 0.6, -0.3, 0.2]); // [3, 2]
const B2 = Float32Array.from([0.1, -0.1]);
const X = [[1, 2, 3, 4], [-1, 0.5, 0, 2], [0.3, -0.7, 1.1, -2]];

function forward(x: number[]): number[] {
  const h = [0, 1, 2].map((j) => Math.max(0, B1[j] + x.reduce((a, xi, i) => a + xi * W1[i * 3 + j], 0)));
  const z = [0, 1].map((k) => B2[k] + h.reduce((a, hj, j) => a + hj * W2[j * 2 + k], 0));
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  return e.map((v) => v / (e[0] + e[1]));
}

function built(): Sequential {
  return new Sequential([new Dense({ units: 3, activation: 'relu', inputShape: [4] }), new Dense({ units: 2, activation: 'softmax' })]);
}

function expectForward(out: Float32Array): void {
  X.forEach((x, i) => forward(x).forEach((v, k) => expect(out[i * 2 + k]).toBeCloseTo(v, 5)));
}

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'simdnet-uncompiled-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a model that was never compiled', () => {
  it('predicts with weights given by setWeights, sync and async, and hands them back', async () => {
    const m = built();
    m.setWeights([tensor(W1, [4, 3]), tensor(B1, [3]), tensor(W2, [3, 2]), tensor(B2, [2])]);
    expect(m.isCompiled).toBe(false);
    expect(m.loss).toBeNull();
    expectForward(m.predict(X).data());
    expectForward((await m.predictAsync(X, { batchSize: 2 })).data());
    const w = m.getWeights();
    expect(w.map((t) => t.shape)).toEqual([[4, 3], [3], [3, 2], [2]]);
    expect(Array.from(w[0].data())).toEqual(Array.from(W1));
    expect(Array.from(m.layers[1].getWeights()[1])).toEqual(Array.from(B2));
    expect(m.summary({ print: false })).toContain('Total params: 23');
    m.dispose();
  });

  it('has initialised weights before any setWeights, as Keras builds them', () => {
    const m = built();
    const w = m.getWeights();
    expect(w[0].data().some((v) => v !== 0)).toBe(true); // glorotUniform kernel
    expect(Array.from(w[1].data())).toEqual([0, 0, 0]); // zeros bias
    expect(m.predict(X).shape).toEqual([3, 2]);
    m.dispose();
  });

  it('refuses fit and evaluate with Keras\'s message', async () => {
    const m = built();
    m.predict(X);
    const err = await m.fit(X, [[1, 0], [0, 1], [1, 0]], { verbose: 0 }).catch((e: Error) => e);
    expect((err as { code?: string }).code).toBe('SIMDNET_NOT_COMPILED');
    expect((err as Error).message).toMatch(/^You must call `compile\(\)` before using the model \(fit\(\) on model /);
    expect(codeOf(() => m.evaluate(X, [[1, 0], [0, 1], [1, 0]]))).toBe('SIMDNET_NOT_COMPILED');
    expect(await asyncCodeOf(m.evaluateAsync(X, [[1, 0], [0, 1], [1, 0]]))).toBe('SIMDNET_NOT_COMPILED');
    expect(codeOf(() => m.learningRate)).toBe('SIMDNET_NOT_COMPILED');
    m.dispose();
  });

  it('keeps the weights it was given when compiled afterwards, then trains', async () => {
    const m = built();
    m.setWeights([W1, B1, W2, B2]);
    m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', backend: 'js', seed: 3 });
    expect(m.isCompiled).toBe(true);
    expectForward(m.predict(X).data());
    const h = await m.fit(X, [[1, 0], [0, 1], [1, 0]], { verbose: 0, epochs: 2 });
    expect(h.history.loss).toHaveLength(2);
    expect(m.getWeights()[0].data()).not.toEqual(W1);
    m.dispose();
  });

  it('keeps the built layers\' weights when a layer is added after predict', () => {
    const m = new Sequential([new Dense({ units: 3, activation: 'relu', inputShape: [4] })]);
    m.setWeights([W1, B1]);
    m.predict(X);
    m.add(new Dense({ units: 2, activation: 'softmax' }));
    const w = m.getWeights();
    expect(w).toHaveLength(4);
    expect(Array.from(w[0].data())).toEqual(Array.from(W1));
    m.setWeights([W1, B1, W2, B2]);
    expectForward(m.predict(X).data());
    m.dispose();
  });

  it('saves, and the loaded model predicts the same', async () => {
    const m = built();
    m.setWeights([W1, B1, W2, B2]);
    await m.save(dir);
    const loaded = await loadModel(dir);
    expectForward(loaded.predict(X).data());
    expect(Array.from(loaded.getWeights()[2].data())).toEqual(Array.from(W2));
    // No trainingConfig was saved (lib/io/format.ts): the model comes back uncompiled, as it was saved.
    expect(loaded.loss).toBeNull();
    expect(loaded.optimizer).toBeNull();
    const files = await filesOf(dir);
    const json = JSON.parse(await readFile(join(files, 'model.json'), 'utf8')) as Record<string, unknown>;
    expect(existsSync(join(files, 'optimizer.bin'))).toBe(false);
    expect(json.trainingConfig).toBeUndefined();
    expect(json.optimizerState).toBeUndefined();
    await expect(loaded.fit(X, X, { verbose: 0 })).rejects.toMatchObject({ code: 'SIMDNET_NOT_COMPILED' });
    loaded.compile({ optimizer: 'sgd', loss: 'mse', backend: 'js', seed: 1 }); // compiling keeps the loaded weights
    expectForward(loaded.predict(X).data());
    loaded.dispose();
    m.dispose();
  });

  it('predicts straight from a model loaded from disk', async () => {
    const src = built();
    src.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', backend: 'js', seed: 1 });
    src.setWeights([W1, B1, W2, B2]);
    await src.save(dir);
    src.dispose();
    const m = await loadModel(dir);
    expectForward((await m.predictAsync(X)).data());
    m.dispose();
  });
});
