/**
 * earlyStopping: Keras 3 semantics (keras/src/callbacks/early_stopping.py):
 * - epochs before startFromEpoch or without the monitored value are ignored;
 * - an epoch improves when current - minDelta beats best (min mode: current < best - |minDelta|); the first counted
 *   epoch always improves; `wait` resets only when the epoch also beats the baseline (when one is given);
 * - training stops once wait >= patience (never on epoch 0);
 * - with restoreBestWeights the best epoch's weights are restored at the end of training, whether or not it stopped early.
 */
import type { Logs } from '../engine/engine.js';
import { SimdnetError, describe } from '../errors.js';
import { checkNumber, checkSize } from '../validate.js';
import { BaseCallback, resolveMode } from './callback.js';

export interface EarlyStoppingArgs {
  /** Log key to watch (default 'val_loss'). */
  monitor?: string;
  /** Minimum change that counts as an improvement (absolute value used; default 0). */
  minDelta?: number;
  /** Epochs without improvement before stopping (default 0). */
  patience?: number;
  /** 'min', 'max' or 'auto' (from the name: accuracies up, losses down; default 'auto'). */
  mode?: 'auto' | 'min' | 'max';
  /** The monitored value must also beat this for wait to reset (default none). */
  baseline?: number | null;
  /** Restore the weights of the best epoch at the end of training (default false). */
  restoreBestWeights?: boolean;
  /** Epochs to wait before monitoring starts (default 0). */
  startFromEpoch?: number;
  /** Print when stopping/restoring (default false). */
  verbose?: boolean;
}

export class EarlyStopping extends BaseCallback {
  readonly monitor: string;
  readonly minDelta: number;
  readonly patience: number;
  readonly mode: 'auto' | 'min' | 'max';
  readonly baseline: number | null;
  readonly restoreBestWeights: boolean;
  readonly startFromEpoch: number;
  readonly verbose: boolean;
  wait = 0;
  stoppedEpoch = 0;
  best: number | null = null;
  bestEpoch = 0;
  private bestWeights: Float32Array[] | null = null;

  constructor(args: EarlyStoppingArgs = {}) {
    super();
    if (typeof args !== 'object' || args === null) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected an options object for earlyStopping() but received ${describe(args)}`);
    this.monitor = args.monitor ?? 'val_loss';
    if (typeof this.monitor !== 'string') throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected string for monitor but received ${describe(args.monitor)}`);
    this.minDelta = Math.abs(checkNumber(args.minDelta ?? 0, 'minDelta'));
    this.patience = checkSize(args.patience ?? 0, 'patience');
    this.mode = args.mode ?? 'auto';
    if (!['auto', 'min', 'max'].includes(this.mode)) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected one of auto, min, max for mode but received ${describe(args.mode)}`);
    this.baseline = args.baseline === undefined || args.baseline === null ? null : checkNumber(args.baseline, 'baseline');
    this.restoreBestWeights = args.restoreBestWeights ?? false;
    this.startFromEpoch = checkSize(args.startFromEpoch ?? 0, 'startFromEpoch');
    this.verbose = args.verbose ?? false;
  }

  private isImprovement(current: number, reference: number | null): boolean {
    if (reference === null) return true;
    return resolveMode(this.monitor, this.mode) === 'min' ? current + this.minDelta < reference : current - this.minDelta > reference;
  }

  onTrainBegin(): void {
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.best = null;
    this.bestWeights = null;
    this.bestEpoch = 0;
  }

  onEpochEnd(epoch: number, logs: Logs): void {
    const current = logs?.[this.monitor];
    if (current === undefined) this.warnMissingMonitor('earlyStopping', this.monitor, logs);
    if (current === undefined || epoch < this.startFromEpoch) return;
    const model = this.requireModel();
    if (this.restoreBestWeights && this.bestWeights === null) {
      this.bestWeights = model.getWeights().map((t) => t.data());
      this.bestEpoch = epoch;
    }
    this.wait += 1;
    if (this.isImprovement(current, this.best)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) this.bestWeights = model.getWeights().map((t) => t.data());
      if (this.baseline === null || this.isImprovement(current, this.baseline)) this.wait = 0;
      return;
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      model.stopTraining = true;
    }
  }

  onTrainEnd(): void {
    if (this.stoppedEpoch > 0 && this.verbose) console.log(`Epoch ${this.stoppedEpoch + 1}: early stopping`);
    if (this.restoreBestWeights && this.bestWeights !== null) {
      if (this.verbose) console.log(`Restoring model weights from the end of the best epoch: ${this.bestEpoch + 1}.`);
      this.requireModel().setWeights(this.bestWeights);
    }
  }
}

export const earlyStopping = (args?: EarlyStoppingArgs) => new EarlyStopping(args);
