/** What fit returns: per-epoch logs (Keras History.history), with the val_ twins when validating. */
import type { Logs } from '../engine/engine.js';

export class History {
  /** Epoch indices run, in order. */
  readonly epoch: number[] = [];
  /** Log key -> one value per epoch run. */
  readonly history: Record<string, number[]> = {};
  /** Why training ended early: 'callback' (stopTraining), 'abort' (AbortSignal), or null when all epochs ran. */
  stoppedBy: 'callback' | 'abort' | null = null;

  record(epoch: number, logs: Logs): void {
    this.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) {
      // A key that appears late (e.g. learning_rate added by a callback) is padded with NaN for the earlier epochs.
      const arr = (this.history[k] ??= new Array(this.epoch.length - 1).fill(NaN));
      arr.push(v);
    }
  }
}
