/**
 * terminateOnNaN: stops training when the loss becomes NaN or infinite. Checked on the epoch logs (the engine reports
 * whole epochs; an epoch mean is non-finite as soon as one batch was), so it costs no per-batch engine calls.
 */
import type { Logs } from '../engine/engine.js';
import { BaseCallback } from './callback.js';

export class TerminateOnNaN extends BaseCallback {
  /** Epoch at which training was terminated, or null. */
  terminatedEpoch: number | null = null;

  onTrainBegin(): void {
    this.terminatedEpoch = null;
  }

  onEpochEnd(epoch: number, logs: Logs): void {
    if (logs && !Number.isFinite(logs.loss)) {
      this.terminatedEpoch = epoch;
      console.warn(`Epoch ${epoch + 1}: invalid loss ${logs.loss}, terminating training`);
      this.requireModel().stopTraining = true;
    }
  }
}

export const terminateOnNaN = () => new TerminateOnNaN();
