/**
 * modelCheckpoint: saves the model (atomically, lib/io) whenever the monitored value improves on the best seen so far
 * (Keras ModelCheckpoint with save_best_only=True). `filepath` may contain {epoch} (1-based, as Keras).
 */
import type { Logs } from '../engine/engine.js';
import { SimdnetError, describe } from '../errors.js';
import { BaseCallback, resolveMode } from './callback.js';

export interface ModelCheckpointArgs {
  /** Directory to save into; '{epoch}' is replaced by the 1-based epoch number. */
  filepath: string;
  /** Log key to watch (default 'val_loss'). */
  monitor?: string;
  /** 'min', 'max' or 'auto' (default). */
  mode?: 'auto' | 'min' | 'max';
  /** Print a line per save (default false). */
  verbose?: boolean;
}

export class ModelCheckpoint extends BaseCallback {
  readonly filepath: string;
  readonly monitor: string;
  readonly mode: 'min' | 'max';
  readonly verbose: boolean;
  best: number | null = null;
  /** Paths saved, in order. */
  readonly saved: string[] = [];

  constructor(args: ModelCheckpointArgs) {
    super();
    if (typeof args !== 'object' || args === null || typeof args.filepath !== 'string' || args.filepath === '')
      throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected { filepath: string } for modelCheckpoint() but received ${describe(args?.filepath)}`);
    this.filepath = args.filepath;
    this.monitor = args.monitor ?? 'val_loss';
    this.mode = resolveMode(this.monitor, args.mode ?? 'auto');
    this.verbose = args.verbose ?? false;
  }

  onTrainBegin(): void {
    this.best = null;
  }

  async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    const current = logs?.[this.monitor];
    if (current === undefined) this.warnMissingMonitor('modelCheckpoint', this.monitor, logs);
    if (current === undefined || Number.isNaN(current)) return;
    const better = this.best === null || (this.mode === 'min' ? current < this.best : current > this.best);
    if (!better) return;
    const path = this.filepath.replaceAll('{epoch}', String(epoch + 1));
    if (this.verbose) console.log(`Epoch ${epoch + 1}: ${this.monitor} improved from ${this.best ?? 'none'} to ${current}, saving model to ${path}`);
    this.best = current;
    await this.requireModel().save(path);
    this.saved.push(path);
  }
}

export const modelCheckpoint = (args: ModelCheckpointArgs) => new ModelCheckpoint(args);
