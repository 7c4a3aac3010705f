// Keras warns when earlyStopping, reduceLROnPlateau or modelCheckpoint watch a key the logs never have
// (`val_loss` without validation data, Keras 2's `val_acc`): once per callback, naming the keys that exist.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { earlyStopping, modelCheckpoint, reduceLROnPlateau } from '../../lib/callbacks/index.js';
import type { TrainingModel } from '../../lib/callbacks/callback.js';
import { Dense, Sequential, tensor } from '../../lib/index.js';

function fakeModel(): TrainingModel & { saves: number } {
  return {
    stopTraining: false, learningRate: 0.1, hasLearningRateSchedule: false, saves: 0,
    getWeights: () => [{ data: () => Float32Array.of(0) }],
    setWeights() {},
    async save() {
      this.saves++;
    },
  };
}

afterEach(() => vi.restoreAllMocks());

const makers = {
  earlyStopping: (monitor: string) => earlyStopping({ monitor }),
  reduceLROnPlateau: (monitor: string) => reduceLROnPlateau({ monitor }),
  modelCheckpoint: (monitor: string) => modelCheckpoint({ filepath: '/nonexistent/never-written', monitor }),
};

describe.each(Object.keys(makers) as (keyof typeof makers)[])('%s', (name) => {
  it('warns once when the monitored key never appears, naming the keys that exist', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    for (const monitor of ['val_loss', 'val_acc']) {
      warn.mockClear();
      const cb = makers[name](monitor);
      const m = fakeModel();
      cb.setModel(m);
      cb.onTrainBegin();
      for (let epoch = 0; epoch < 5; epoch++) await cb.onEpochEnd(epoch, { loss: 1 / (epoch + 1), accuracy: 0.5 });
      expect(warn).toHaveBeenCalledTimes(1);
      const msg = String(warn.mock.calls[0][0]);
      expect(msg).toContain(name);
      expect(msg).toContain(`\`${monitor}\``);
      expect(msg).toMatch(/Available metrics are: loss, accuracy/);
      expect(m.saves).toBe(0);
    }
  });

  it('stays quiet when the key is there', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const cb = makers[name]('val_loss');
    cb.setModel(fakeModel());
    cb.onTrainBegin();
    for (let epoch = 0; epoch < 3; epoch++) await cb.onEpochEnd(epoch, { loss: 1, val_loss: 1 / (epoch + 1) });
    expect(warn).not.toHaveBeenCalled();
  });
});

it('fit without validation data and earlyStopping on val_loss warns once (end to end)', async () => {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  const m = new Sequential([new Dense({ units: 2, inputShape: [3], activation: 'softmax' })]);
  m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['accuracy'], backend: 'js', seed: 1 });
  const x = tensor(Float32Array.from({ length: 12 }, (_, i) => i / 12), [4, 3]);
  const y = tensor(Float32Array.of(1, 0, 0, 1, 1, 0, 0, 1), [4, 2]);
  await m.fit(x, y, { epochs: 4, verbose: 0, callbacks: [earlyStopping({ monitor: 'val_loss', patience: 1 })] });
  const ours = warn.mock.calls.filter((c) => String(c[0]).includes('earlyStopping'));
  expect(ours).toHaveLength(1);
  expect(String(ours[0][0])).toMatch(/Available metrics are: loss, accuracy/);
  m.dispose();
});
