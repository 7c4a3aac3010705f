/** compile({ loss: 'huber', huberDelta }): used by both engines, refused with other losses, saved and loaded back. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Dense, Sequential, loadModel } from '../../lib/index.js';
import { BACKENDS, codeOf } from '../models/backends.js';

const X = [[0, 0], [1, 1], [2, 0], [0, 3]];
const Y = [[0.2, -0.4], [2.5, 0.1], [-1, 1], [0.3, 0.35]];

function identity(backend: 'js' | 'native', delta?: number): Sequential {
  const m = new Sequential([new Dense({ units: 2, inputShape: [2], useBias: false })]);
  m.compile({ optimizer: 'sgd', loss: 'huber', backend, seed: 1, ...(delta === undefined ? {} : { huberDelta: delta }) });
  m.setWeights([Float32Array.from([1, 0, 0, 1])]);
  return m;
}

function huber(delta: number): number {
  let s = 0;
  X.forEach((x, r) => x.forEach((p, j) => {
    const a = Math.abs(p - Y[r][j]);
    s += a <= delta ? 0.5 * a * a : delta * a - 0.5 * delta * delta;
  }));
  return s / 8;
}

describe('huberDelta', () => {
  for (const backend of BACKENDS) {
    it(`${backend}: default 1.0, a given delta, refusals, save/load`, async () => {
      const d1 = identity(backend);
      expect(d1.evaluate(X, Y).loss).toBeCloseTo(huber(1), 6);
      const d = identity(backend, 0.25);
      expect(d.evaluate(X, Y).loss).toBeCloseTo(huber(0.25), 6);
      expect(huber(0.25)).not.toBeCloseTo(huber(1), 3);
      const m = new Sequential([new Dense({ units: 2, inputShape: [2] })]);
      expect(codeOf(() => m.compile({ optimizer: 'sgd', loss: 'mse', huberDelta: 0.5 }))).toBe('SIMDNET_INVALID_ARGUMENT');
      expect(codeOf(() => m.compile({ optimizer: 'sgd', loss: 'huber', huberDelta: 0 }))).toBe('SIMDNET_INVALID_ARGUMENT');
      const dir = await mkdtemp(join(tmpdir(), 'simdnet-huber-'));
      try {
        await d.save(dir);
        const back = await loadModel(dir, { backend });
        expect(back.huberDelta).toBe(0.25);
        expect(back.evaluate(X, Y).loss).toBeCloseTo(huber(0.25), 6);
        back.dispose();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
      d1.dispose();
      d.dispose();
      m.dispose();
    });
  }
});
