/**
 * reduceLROnPlateau: multiplies the learning rate by `factor` after `patience` epochs without improvement of the
 * monitored value, then waits `cooldown` epochs; never below minLr (Keras ReduceLROnPlateau). Also writes the rate in
 * use into the epoch logs as `learning_rate`. Incompatible with a learning-rate schedule (Keras refuses too).
 */
import type { Logs } from '../engine/engine.js';
import { SimdnetError, describe } from '../errors.js';
import { checkNumber, checkSize } from '../validate.js';
import { BaseCallback, resolveMode } from './callback.js';

export interface ReduceLROnPlateauArgs {
  /** Log key to watch (default 'val_loss'). */
  monitor?: string;
  /** Multiplier in (0, 1) (default 0.1). */
  factor?: number;
  /** Epochs without improvement before reducing (default 10). */
  patience?: number;
  /** 'min', 'max' or 'auto' (default). */
  mode?: 'auto' | 'min' | 'max';
  /** Threshold for an improvement (default 1e-4). */
  minDelta?: number;
  /** Epochs to wait after a reduction before counting again (default 0). */
  cooldown?: number;
  /** Lower bound of the rate (default 0). */
  minLr?: number;
}

export class ReduceLROnPlateau extends BaseCallback {
  readonly monitor: string;
  readonly factor: number;
  readonly patience: number;
  readonly mode: 'min' | 'max';
  readonly minDelta: number;
  readonly cooldown: number;
  readonly minLr: number;
  private wait = 0;
  private cooldownCounter = 0;
  private best = Infinity;

  constructor(args: ReduceLROnPlateauArgs = {}) {
    super();
    if (typeof args !== 'object' || args === null) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected an options object for reduceLROnPlateau() but received ${describe(args)}`);
    this.monitor = args.monitor ?? 'val_loss';
    this.factor = checkNumber(args.factor ?? 0.1, 'factor', { lo: 0, hi: 1, loOpen: true, hiOpen: true });
    this.patience = checkSize(args.patience ?? 10, 'patience');
    const mode = args.mode ?? 'auto';
    if (!['auto', 'min', 'max'].includes(mode)) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected one of auto, min, max for mode but received ${describe(mode)}`);
    this.mode = resolveMode(this.monitor, mode);
    this.minDelta = checkNumber(args.minDelta ?? 1e-4, 'minDelta', { lo: 0 });
    this.cooldown = checkSize(args.cooldown ?? 0, 'cooldown');
    this.minLr = checkNumber(args.minLr ?? 0, 'minLr', { lo: 0 });
  }

  private improved(current: number): boolean {
    return this.mode === 'min' ? current < this.best - this.minDelta : current > this.best + this.minDelta;
  }

  onTrainBegin(): void {
    if (this.requireModel().hasLearningRateSchedule)
      throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', 'reduceLROnPlateau cannot be used with an optimizer whose learningRate is a schedule');
    this.best = this.mode === 'min' ? Infinity : -Infinity;
    this.wait = 0;
    this.cooldownCounter = 0;
  }

  onEpochEnd(_epoch: number, logs: Logs): void {
    const model = this.requireModel();
    logs.learning_rate = model.learningRate;
    const current = logs[this.monitor];
    if (current === undefined) {
      this.warnMissingMonitor('reduceLROnPlateau', this.monitor, logs);
      return;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.wait = 0;
    }
    if (this.improved(current)) {
      this.best = current;
      this.wait = 0;
    } else if (this.cooldownCounter <= 0) {
      this.wait++;
      if (this.wait >= this.patience) {
        const old = model.learningRate;
        if (old > Math.fround(this.minLr)) {
          model.learningRate = Math.max(old * this.factor, this.minLr);
          this.cooldownCounter = this.cooldown;
          this.wait = 0;
        }
      }
    }
  }
}

export const reduceLROnPlateau = (args?: ReduceLROnPlateauArgs) => new ReduceLROnPlateau(args);
