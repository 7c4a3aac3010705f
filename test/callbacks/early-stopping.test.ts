import { describe, expect, it } from 'vitest';
import { earlyStopping, reduceLROnPlateau, terminateOnNaN, progressBar, type EarlyStoppingArgs } from '../../lib/callbacks/index.js';
import type { TrainingModel } from '../../lib/callbacks/callback.js';

/** A model whose single weight is the epoch number, so restored weights tell which epoch was kept. */
function fakeModel(): TrainingModel & { w: number } {
  return {
    stopTraining: false,
    w: -1,
    learningRate: 0.1,
    hasLearningRateSchedule: false,
    getWeights() {
      const w = this.w;
      return [{ data: () => Float32Array.of(w) }];
    },
    setWeights(ws) {
      const v = ws[0];
      this.w = (v instanceof Float32Array ? v : v.data())[0];
    },
    async save() {},
  };
}

/** Runs epochs with the given monitored values; returns the last epoch run and the final weight. */
function run(args: EarlyStoppingArgs, values: number[], key = 'val_loss') {
  const cb = earlyStopping(args);
  const m = fakeModel();
  cb.setModel(m);
  cb.onTrainBegin();
  let last = -1;
  for (let epoch = 0; epoch < values.length; epoch++) {
    m.w = epoch;
    cb.onEpochEnd(epoch, { loss: 0, [key]: values[epoch] });
    last = epoch;
    if (m.stopTraining) break;
  }
  cb.onTrainEnd();
  return { last, weight: m.w, stopped: m.stopTraining, cb };
}

describe('earlyStopping (Keras 3 semantics)', () => {
  it('stops once wait reaches patience', () => {
    const r = run({ patience: 2 }, [1, 0.9, 0.95, 0.93, 0.8]);
    expect(r.stopped).toBe(true);
    expect(r.last).toBe(3);
    expect(r.cb.stoppedEpoch).toBe(3);
    expect(r.weight).toBe(3); // no restore requested: weights of the last epoch
  });

  it('restores the best weights when it stops', () => {
    const r = run({ patience: 2, restoreBestWeights: true }, [1, 0.9, 0.95, 0.93, 0.8]);
    expect(r.last).toBe(3);
    expect(r.weight).toBe(1);
    expect(r.cb.bestEpoch).toBe(1);
  });

  it('restores the best weights even when it never stops early', () => {
    const r = run({ patience: 10, restoreBestWeights: true }, [1, 0.5, 0.7, 0.6]);
    expect(r.stopped).toBe(false);
    expect(r.last).toBe(3);
    expect(r.weight).toBe(1);
  });

  it('patience 0 stops at the first non-improving epoch, never at epoch 0', () => {
    expect(run({ patience: 0 }, [1, 2, 3]).last).toBe(1);
    expect(run({ patience: 0 }, [1]).stopped).toBe(false);
  });

  it('baseline: improvements that do not beat the baseline do not reset wait', () => {
    expect(run({ patience: 2 }, [0.9, 0.8, 0.85]).stopped).toBe(false);
    const r = run({ patience: 2, baseline: 0.5 }, [0.9, 0.8, 0.85]);
    expect(r.stopped).toBe(true);
    expect(r.last).toBe(2);
    // beating the baseline resets wait as usual
    expect(run({ patience: 2, baseline: 0.95 }, [0.9, 0.8, 0.85]).stopped).toBe(false);
  });

  it('minDelta: smaller changes are not improvements', () => {
    expect(run({ patience: 1, minDelta: 0.1 }, [1, 0.95, 0.85]).last).toBe(1);
    expect(run({ patience: 1 }, [1, 0.95, 0.85]).stopped).toBe(false);
    expect(run({ patience: 1, minDelta: -0.1 }, [1, 0.95, 0.85]).last).toBe(1); // sign ignored, as Keras abs()
  });

  it('startFromEpoch: earlier epochs are ignored', () => {
    expect(run({ patience: 0 }, [1, 2, 3, 4]).last).toBe(1);
    const r = run({ patience: 0, startFromEpoch: 2, restoreBestWeights: true }, [1, 2, 3, 4]);
    expect(r.last).toBe(3);
    expect(r.weight).toBe(2); // epoch 0's better value was never considered
  });

  it("mode 'auto' maximises accuracies; a missing monitor key is ignored", () => {
    const r = run({ monitor: 'val_accuracy', patience: 1, restoreBestWeights: true }, [0.5, 0.7, 0.6], 'val_accuracy');
    expect(r.last).toBe(2);
    expect(r.weight).toBe(1);
    expect(run({ monitor: 'val_accuracy', patience: 0 }, [1, 2, 3], 'other').stopped).toBe(false);
    expect(run({ monitor: 'val_loss', mode: 'max', patience: 0 }, [1, 2, 1]).last).toBe(2);
  });
});

describe('other callbacks', () => {
  it('reduceLROnPlateau divides the rate after patience epochs without improvement, honouring cooldown and minLr', () => {
    const cb = reduceLROnPlateau({ factor: 0.5, patience: 1, cooldown: 2, minLr: 0.02 });
    const m = fakeModel();
    cb.setModel(m);
    cb.onTrainBegin();
    const lrs: number[] = [];
    [1, 1, 1, 1, 1, 1, 1].forEach((v, e) => {
      cb.onEpochEnd(e, { loss: 0, val_loss: v });
      lrs.push(m.learningRate);
    });
    // Keras order: the cooldown counter drops before the check, so cooldown 2 skips one epoch: e1 -> 0.05, e3 -> 0.025, e5 -> max(0.0125, minLr)
    expect(lrs.map((x) => +x.toFixed(6))).toEqual([0.1, 0.05, 0.05, 0.025, 0.025, 0.02, 0.02]);
  });

  it('terminateOnNaN stops on a non-finite loss', () => {
    const cb = terminateOnNaN();
    const m = fakeModel();
    cb.setModel(m);
    cb.onEpochEnd(0, { loss: 1 });
    expect(m.stopTraining).toBe(false);
    const warn = console.warn;
    console.warn = () => {};
    cb.onEpochEnd(1, { loss: NaN });
    console.warn = warn;
    expect(m.stopTraining).toBe(true);
    expect(cb.terminatedEpoch).toBe(1);
  });

  it('progressBar prints one line per epoch when not on a TTY and asks for no batch hooks', () => {
    let out = '';
    const cb = progressBar({ stream: { write: (s: string) => (out += s), isTTY: false } });
    expect(cb.onProgress).toBeUndefined();
    expect((cb as { onBatchEnd?: unknown }).onBatchEnd).toBeUndefined();
    cb.setParams({ epochs: 2, initialEpoch: 0, steps: 3, batchSize: 1, samples: 3, verbose: 1, metrics: ['loss'] });
    cb.onEpochBegin(0);
    cb.onEpochEnd(0, { loss: 0.5, accuracy: 0.25, val_loss: 0.75 });
    expect(out).toMatch(/^Epoch 1\/2 - [\d.]+(us|ms|s) - loss: 0\.5000 - accuracy: 0\.2500 - val_loss: 0\.7500\n$/);
  });

  it('progressBar draws a live bar on a TTY stream', () => {
    let out = '';
    const stream = { write: (s: string) => ((out += s), true), isTTY: true, columns: 120, cursorTo() {}, clearLine() {}, moveCursor() {}, on() {}, removeListener() {} };
    const cb = progressBar({ stream: stream as never, live: true });
    expect(typeof cb.onProgress).toBe('function');
    cb.setParams({ epochs: 1, initialEpoch: 0, steps: 4, batchSize: 1, samples: 4, verbose: 1, metrics: ['loss'] });
    cb.onEpochBegin(0);
    cb.onProgress!(2, 4, { loss: 0.123 });
    cb.onEpochEnd(0, { loss: 0.1 });
    expect(out).toContain('Epoch 1/1');
    expect(out).toContain('loss: 0.1000');
  });
});
