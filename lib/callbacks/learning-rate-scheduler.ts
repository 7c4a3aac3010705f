/**
 * learningRateScheduler: sets the learning rate at the start of every epoch from fn(epoch, currentLr) (Keras
 * LearningRateScheduler). For per-step schedules use optimizers' learningRate: schedules.cosineDecay(...) instead.
 */
import { SimdnetError, describe } from '../errors.js';
import { BaseCallback } from './callback.js';

export class LearningRateScheduler extends BaseCallback {
  constructor(private readonly fn: (epoch: number, lr: number) => number) {
    super();
    if (typeof fn !== 'function') throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected a function (epoch, lr) => lr for learningRateScheduler but received ${describe(fn)}`);
  }

  onTrainBegin(): void {
    if (this.requireModel().hasLearningRateSchedule)
      throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', 'learningRateScheduler cannot be used with an optimizer whose learningRate is a schedule');
  }

  onEpochBegin(epoch: number): void {
    const model = this.requireModel();
    const lr = this.fn(epoch, model.learningRate);
    if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0)
      throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `learningRateScheduler's function returned ${describe(lr)} for epoch ${epoch}; expected a finite number >= 0`);
    model.learningRate = lr;
  }
}

export const learningRateScheduler = (fn: (epoch: number, lr: number) => number) => new LearningRateScheduler(fn);
