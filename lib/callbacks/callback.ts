/**
 * Callbacks: plain objects (or class instances) with optional hooks. Every hook may return a promise, which fit awaits.
 * Batch hooks cost: when any callback defines onBatchEnd, fit runs the engine one batch per call; onProgress only
 * asks for a few calls per second; with neither, a whole epoch is one engine call.
 */
import type { Logs } from '../engine/engine.js';
import { metricDirection } from '../metrics/index.js';

/** What callbacks may touch on the model being trained. */
export interface TrainingModel {
  /** Set to true to stop after the current epoch (or batch, from onBatchEnd). */
  stopTraining: boolean;
  getWeights(): { data(): Float32Array }[];
  setWeights(weights: ({ data(): Float32Array } | Float32Array)[]): void;
  /** The optimizer's current learning rate (settable unless it follows a schedule). */
  learningRate: number;
  /** Whether the learning rate follows a schedule (then callbacks must not set it). */
  readonly hasLearningRateSchedule: boolean;
  save(path: string): Promise<void>;
}

/** Parameters fit passes to callbacks before training. */
export interface TrainingParams {
  epochs: number;
  initialEpoch: number;
  /** Batches per epoch. */
  steps: number;
  batchSize: number;
  samples: number;
  verbose: number;
  /** Keys the epoch logs will have, e.g. ['loss', 'accuracy', 'val_loss', 'val_accuracy']. */
  metrics: string[];
}

export interface Callback {
  setModel?(model: TrainingModel): void;
  setParams?(params: TrainingParams): void;
  onTrainBegin?(logs?: Logs): void | Promise<void>;
  onTrainEnd?(logs?: Logs): void | Promise<void>;
  onEpochBegin?(epoch: number, logs?: Logs): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: Logs): void | Promise<void>;
  /** After every batch, with that batch's logs (forces one engine call per batch). */
  onBatchEnd?(batch: number, logs: Logs): void | Promise<void>;
  /** A few times per second during an epoch: batches done, batches in the epoch, running means so far. */
  onProgress?(batchesDone: number, batchesTotal: number, logs: Logs): void | Promise<void>;
}

/** Base class for callbacks written as classes: keeps the model and params. */
export abstract class BaseCallback implements Callback {
  protected model: TrainingModel | null = null;
  protected params: TrainingParams | null = null;
  setModel(model: TrainingModel): void {
    this.model = model;
  }
  setParams(params: TrainingParams): void {
    this.params = params;
  }
  private warnedMissing = false;
  /**
   * Keras warns when a callback's monitored key is not in the epoch logs (`val_loss` without validation data, Keras
   * 2's `val_acc` where the key is `val_accuracy`): the callback then silently does nothing. Warns once per
   * instance, naming the keys that exist.
   */
  protected warnMissingMonitor(what: string, monitor: string, logs: Logs | undefined): void {
    if (this.warnedMissing) return;
    this.warnedMissing = true;
    const keys = Object.keys(logs ?? {});
    console.warn(`${what} is conditioned on metric \`${monitor}\`, which is not available; it does nothing. Available metrics are: ${keys.join(', ') || '(none)'}`);
  }
  protected requireModel(): TrainingModel {
    if (!this.model) throw new Error('internal: callback used before setModel');
    return this.model;
  }
}

/** Keras monitor_op resolution for 'auto' mode: losses and errors go down, accuracies go up. */
export function resolveMode(monitor: string, mode: 'auto' | 'min' | 'max'): 'min' | 'max' {
  if (mode !== 'auto') return mode;
  // Keras 3 asks the metric object (its _direction): AUC, precision, F1... go up, rmse goes down (lib/metrics).
  const known = metricDirection(monitor);
  if (known) return known;
  const k = monitor.startsWith('val_') ? monitor.slice(4) : monitor;
  if (k.includes('acc')) return 'max';
  return 'min';
}
