/**
 * The fit loop. One engine.trainBatches call per epoch, unless a callback listens per batch (onBatchEnd: one call
 * per batch) or for progress (onProgress: calls sized to ~100 ms). Splitting an epoch never changes the result: the
 * sample order, learning rates and dropout streams are fixed per step.
 *
 * AbortSignal: aborting stops training cleanly after the current step (engine.cancel()); the epoch in progress is
 * dropped from the history (its steps were applied to the weights), onTrainEnd still runs, and fit RESOLVES with the
 * history so far, with history.stoppedBy === 'abort'. (Rejecting would throw away a valid model state and history.)
 */
import type { Engine, LayerDiagnostics, Logs, LossName, MetricName } from '../engine/engine.js';
import { SimdnetError, describe } from '../errors.js';
import { checkBoolean, checkNumber, checkSize } from '../validate.js';
import type { Callback, TrainingModel, TrainingParams } from '../callbacks/callback.js';
import { ProgressBar } from '../callbacks/progress-bar.js';
import type { Optimizer } from '../optimizers/optimizer.js';
import { History } from './history.js';
import type { Held } from '../engine/snapshot.js';
import { checkSameRows, prepareInputsAsync, prepareTargetsAsync, sliceRows, snapshotMatrices } from './data.js';
import { releaseConverted } from './ingest.js';
import { identityOrder, shuffledOrder, shuffleStream } from './shuffle.js';
import { resolveSampleWeights, type ClassWeight, type SampleWeight } from './sample-weight.js';
import type { Tensor, NestedArray, NumericArray, TypedRows } from '../tensor.js';
import type { Group } from '../distributed/group.js';
import { abortOnError, fitGroup } from '../distributed/fit-hook.js';
import { DistributedTrainer } from '../distributed/train.js';

/** Tensor; a flat typed array (Float32Array, Float64Array, Int32Array, Uint8Array, ...: values as they are, no
 *  scaling); an array of typed-array rows; nested number arrays. */
export type Inputs = Tensor | NumericArray | TypedRows | NestedArray[];

/**
 * What fit() and fitDataset() need of an AbortSignal, structurally: the global AbortSignal of Node or a browser, or any
 * look-alike. A structural type, so that the published .d.ts needs neither the DOM lib nor @types/node (issue 15).
 */
export interface AbortSignalLike {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** Whether v has AbortSignalLike's members. */
export function isAbortSignalLike(v: unknown): v is AbortSignalLike {
  const s = v as AbortSignalLike | null;
  return typeof s === 'object' && s !== null && typeof s.aborted === 'boolean' &&
    typeof s.addEventListener === 'function' && typeof s.removeEventListener === 'function';
}

export interface FitArgs {
  /** Epochs to run (default 1). */
  epochs?: number;
  /** Samples per step (default 32); the last batch of an epoch may be smaller. */
  batchSize?: number;
  /** Reshuffle the training samples every epoch with a seeded generator (default true). */
  shuffle?: boolean;
  /** Fraction in [0, 1) of the samples, taken from the END before shuffling, held out for validation (Keras). */
  validationSplit?: number;
  /** Explicit validation set [x, y] (takes precedence over validationSplit). */
  validationData?: [Inputs, Inputs];
  /** Callbacks, called in order. */
  callbacks?: Callback[];
  /** 0 silent, 1 progress bar (live on a TTY, else a line per epoch), 2 a line per epoch. Default 1. */
  verbose?: 0 | 1 | 2 | boolean;
  /** Seeds the shuffling (default: derived from the compile seed and the number of fits so far). */
  seed?: number;
  /** Stops training cleanly between steps; fit then resolves with the history so far. */
  signal?: AbortSignalLike;
  /** Collect per-layer diagnostics into the epoch logs as '<layer>/<stat>' (default false). */
  diagnostics?: boolean;
  /** Epoch to start from (for resuming; default 0). */
  initialEpoch?: number;
  /** One weight (finite, >= 0) per sample of x: each sample's loss is scaled by it, the batch loss is
   *  sum(w_i l_i) / batch size; compiled metrics stay unweighted, as Keras 3's compile(metrics=...) (docs/engine.md
   *  "Sample weights").
   *  With validationSplit, the tail's weights weigh the validation loss. */
  sampleWeight?: SampleWeight;
  /** Class index -> weight (Keras class_weight): each training sample weighs its class's weight (1 if unlisted).
   *  Not with sampleWeight; validation is not weighted by it (Keras). */
  classWeight?: ClassWeight;
  /** Data-parallel training over the group's ranks (true: the group of distributed.init()); batchSize is then per
   *  rank. A group of one changes nothing. docs/engine.md "Distributed training". */
  distributed?: boolean | Group;
  /** Distributed: cut each epoch's order to a multiple of the group size instead of padding it (default false). */
  dropLast?: boolean;
}

const FIT_KEYS = ['epochs', 'batchSize', 'shuffle', 'validationSplit', 'validationData', 'callbacks', 'verbose', 'seed', 'signal', 'diagnostics', 'initialEpoch',
  'sampleWeight', 'classWeight', 'distributed', 'dropLast'];

export interface FitHost {
  engine: Engine;
  optimizer: Optimizer;
  loss: LossName;
  metrics: MetricName[];
  /** Layer names by engine layer index (diagnostics keys). */
  layerNames: string[];
  model: TrainingModel;
  compileSeed: number;
  fitIndex: number;
  /** Throws SIMDNET_DISPOSED once the model is disposed (checked before every engine call). */
  checkAlive: () => void;
}

interface Parsed {
  epochs: number; initialEpoch: number; batchSize: number; shuffle: boolean; validationSplit: number;
  validationData: [Inputs, Inputs] | null; callbacks: Callback[]; verbose: 0 | 1 | 2; seed: number | null;
  signal: AbortSignalLike | null; diagnostics: boolean; sampleWeight: unknown; classWeight: unknown; distributed: unknown; dropLast: boolean;
}

function parseArgs(a: unknown): Parsed {
  if (a === undefined) a = {};
  if (typeof a !== 'object' || a === null) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected an options object for fit() but received ${describe(a)}`);
  const o = a as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!FIT_KEYS.includes(k) && o[k] !== undefined)
    throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Unknown fit() option '${k}' (expected one of ${FIT_KEYS.join(', ')})`);
  const epochs = checkSize(o.epochs ?? 1, 'epochs', 1);
  const initialEpoch = checkSize(o.initialEpoch ?? 0, 'initialEpoch');
  if (initialEpoch >= epochs) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected initialEpoch < epochs but received ${initialEpoch} >= ${epochs}`);
  const cbs = o.callbacks ?? [];
  if (!Array.isArray(cbs) || cbs.some((c) => typeof c !== 'object' || c === null))
    throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected an array of callback objects for callbacks but received ${describe(cbs)}`);
  const vd = o.validationData;
  if (vd !== undefined && vd !== null && (!Array.isArray(vd) || vd.length !== 2))
    throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected [x, y] for validationData but received ${describe(vd)}`);
  const v = o.verbose ?? 1;
  const verbose = v === true ? 1 : v === false ? 0 : v;
  if (verbose !== 0 && verbose !== 1 && verbose !== 2) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected 0, 1 or 2 for verbose but received ${describe(v)}`);
  if (o.signal !== undefined && !isAbortSignalLike(o.signal))
    throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected an AbortSignal for signal but received ${describe(o.signal)}`);
  return {
    epochs, initialEpoch,
    batchSize: checkSize(o.batchSize ?? 32, 'batchSize', 1),
    shuffle: checkBoolean(o.shuffle ?? true, 'shuffle'),
    validationSplit: checkNumber(o.validationSplit ?? 0, 'validationSplit', { lo: 0, hi: 1, hiOpen: true }),
    validationData: (vd as [Inputs, Inputs] | undefined) ?? null,
    callbacks: cbs as Callback[],
    verbose,
    seed: o.seed === undefined ? null : checkSize(o.seed, 'seed'),
    signal: (o.signal as AbortSignalLike | undefined) ?? null,
    diagnostics: checkBoolean(o.diagnostics ?? false, 'diagnostics'),
    distributed: o.distributed ?? false,
    dropLast: checkBoolean(o.dropLast ?? false, 'dropLast'),
    sampleWeight: o.sampleWeight, classWeight: o.classWeight, // checked against the targets (./sample-weight.ts)
  };
}

function addScaled(totals: Record<string, number>, logs: Logs, w: number): void {
  for (const k in logs) totals[k] = (totals[k] ?? 0) + logs[k] * w;
}

function means(totals: Record<string, number>, n: number): Logs {
  const out: Logs = { loss: NaN };
  for (const k in totals) out[k] = totals[k] / n;
  return out;
}

class DiagMerge {
  private sums = new Map<number, { d: LayerDiagnostics; steps: number; grad: number; ratio: number }>();
  add(list: LayerDiagnostics[] | undefined, steps: number): void {
    if (!list || steps === 0) return;
    for (const d of list) {
      const e = this.sums.get(d.layerIndex) ?? { d, steps: 0, grad: 0, ratio: 0 };
      e.d = d;
      e.steps += steps;
      e.grad += d.gradNorm * steps;
      e.ratio += d.updateRatio * steps;
      this.sums.set(d.layerIndex, e);
    }
  }
  into(logs: Logs, names: string[]): void {
    for (const [i, e] of this.sums) {
      const p = names[i] ?? `layer_${i}`;
      logs[`${p}/gradNorm`] = e.grad / e.steps;
      logs[`${p}/weightNorm`] = e.d.weightNorm;
      logs[`${p}/updateRatio`] = e.ratio / e.steps;
      logs[`${p}/deadFraction`] = e.d.deadFraction;
      logs[`${p}/activationMean`] = e.d.activationMean;
      logs[`${p}/activationStd`] = e.d.activationStd;
    }
  }
}

/**
 * fit trains on a snapshot of x, y and the validation data taken when it is called (docs/engine.md, "What a running
 * job holds"): writing to, transferring or detaching the caller's arrays once fit() has returned its promise changes
 * nothing. The snapshots are released when fit settles.
 */
export async function runFit(host: FitHost, x: unknown, y: unknown, args: unknown): Promise<History> {
  const p = parseArgs(args);
  const held: Held[] = [];
  // (awaited only when asked for: a plain fit still takes its snapshots within the call)
  const group = p.distributed === false ? null : await fitGroup(p.distributed);
  try {
    return await fitHeld(host, x, y, p, held, group);
  } catch (err) {
    if (group) abortOnError(group, err);
    throw err;
  } finally {
    for (const h of held) h.release();
  }
}

async function fitHeld(host: FitHost, x: unknown, y: unknown, p: Parsed, held: Held[], group: Group | null): Promise<History> {
  const { engine } = host;
  const labels = host.loss === 'sparseCategoricalCrossentropy' ? engine.outputSize : undefined;
  // Shapes and labels of everything are checked before the first snapshot is taken, then each is copied once.
  // Converted in slices with event-loop turns between (./ingest.ts).
  // (An await only where there is slicing to do: a Float32Array's snapshot still starts within the call.)
  const xP = prepareInputsAsync(x, engine.inputSize, 'x');
  const xIn = xP instanceof Promise ? await xP : xP;
  const yP = prepareTargetsAsync(y, host.loss, engine.outputSize, 'y');
  const yIn = yP instanceof Promise ? await yP : yP;
  checkSameRows(xIn, yIn, 'x', 'y');
  let xValIn = null;
  let yValIn = null;
  if (p.validationData) {
    const xvP = prepareInputsAsync(p.validationData[0], engine.inputSize, 'validationData[0]');
    xValIn = xvP instanceof Promise ? await xvP : xvP;
    const yvP = prepareTargetsAsync(p.validationData[1], host.loss, engine.outputSize, 'validationData[1]');
    yValIn = yvP instanceof Promise ? await yvP : yvP;
    checkSameRows(xValIn, yValIn, 'validationData[0]', 'validationData[1]');
  }
  const list = [{ m: xIn, name: 'x' }, { m: yIn, name: 'y', labels }];
  if (xValIn && yValIn) list.push({ m: xValIn, name: 'validationData[0]' }, { m: yValIn, name: 'validationData[1]', labels });
  // What ./ingest.ts converted for this call is freed when fit settles, rather than by a GC (see releaseConverted).
  held.push(...list.map(({ m }) => ({ data: m.data, copied: false, release: () => releaseConverted(m) })));
  const snap = await snapshotMatrices(list);
  held.push(...snap.held);
  const [xAll, yAll] = snap.matrices;
  let xTrain = xAll;
  let yTrain = yAll;
  let xVal = null;
  let yVal = null;
  if (xValIn && yValIn) {
    xVal = snap.matrices[2];
    yVal = snap.matrices[3];
  } else if (p.validationSplit > 0) {
    // Keras: split_at = floor(n * (1 - validation_split)); the tail is the validation set, taken before shuffling.
    const at = Math.floor(xAll.rows * (1 - p.validationSplit));
    if (at === 0 || at === xAll.rows)
      throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `validationSplit ${p.validationSplit} leaves ${at} training and ${xAll.rows - at} validation samples; both must be non-empty`);
    xTrain = sliceRows(xAll, 0, at);
    yTrain = sliceRows(yAll, 0, at);
    xVal = sliceRows(xAll, at, xAll.rows);
    yVal = sliceRows(yAll, at, yAll.rows);
  }
  // Sample weights: split as x and y are; class weights weigh the training samples only (Keras).
  let wTrain: Float32Array | undefined;
  let wVal: Float32Array | undefined;
  if (p.classWeight !== undefined && p.classWeight !== null) {
    wTrain = resolveSampleWeights(yTrain, host.loss, engine.outputSize, p.sampleWeight, p.classWeight);
  } else {
    const wAll = resolveSampleWeights(yAll, host.loss, engine.outputSize, p.sampleWeight, undefined);
    wTrain = wAll && wAll.subarray(0, yTrain.rows);
    wVal = wAll && xVal && !(xValIn && yValIn) ? wAll.subarray(yTrain.rows) : undefined;
  }
  const nTrain = xTrain.rows;
  const seed = p.seed ?? host.compileSeed;
  const fitIndex = p.seed === null ? host.fitIndex : 0;
  // Data-parallel (lib/distributed/train.ts): steps per epoch of the rank's shard; callbacks on rank 0 only.
  if (group && p.diagnostics) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', 'diagnostics are not available in distributed training');
  // The split step (gradientSums) takes no per-sample weights yet: refused rather than silently unweighted.
  if (group && wTrain) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', 'sampleWeight and classWeight are not available in distributed training yet');
  const trainer = group ? new DistributedTrainer(group, engine, ['loss', ...host.metrics], p.batchSize, p.shuffle, seed, p.dropLast) : null;
  const batches = trainer ? trainer.shape(nTrain).steps : Math.ceil(nTrain / p.batchSize);

  const callbacks = group && !group.isRoot ? [] : [...p.callbacks];
  // verbose adds the default display unless the caller brought their own progressBar().
  const hasBar = callbacks.some((c) => c instanceof ProgressBar);
  if (group && !group.isRoot) { /* no display off rank 0 */ }
  else if (p.verbose === 1 && !hasBar) callbacks.push(new ProgressBar());
  else if (p.verbose === 2 && !hasBar) callbacks.push(new ProgressBar({ live: false }));
  const metricKeys = ['loss', ...host.metrics];
  const params: TrainingParams = {
    epochs: p.epochs, initialEpoch: p.initialEpoch, steps: batches, batchSize: p.batchSize, samples: nTrain, verbose: p.verbose,
    metrics: xVal ? [...metricKeys, ...metricKeys.map((k) => `val_${k}`)] : metricKeys,
  };
  for (const cb of callbacks) {
    cb.setModel?.(host.model);
    cb.setParams?.(params);
  }
  const batchHook = callbacks.some((c) => typeof c.onBatchEnd === 'function');
  const progressHook = callbacks.some((c) => typeof c.onProgress === 'function');
  const schedule = host.optimizer.schedule;
  const history = new History();
  const signal = p.signal;
  const onAbort = () => engine.cancel();
  signal?.addEventListener('abort', onAbort);
  host.model.stopTraining = false;
  let lastLogs: Logs | undefined;
  try {
    if (trainer) await trainer.syncState(); // rank 0's weights and optimizer state everywhere
    for (const cb of callbacks) await cb.onTrainBegin?.();
    for (let epoch = p.initialEpoch; epoch < p.epochs; epoch++) {
      if (signal?.aborted) {
        history.stoppedBy = 'abort';
        break;
      }
      for (const cb of callbacks) await cb.onEpochBegin?.(epoch);
      const order = trainer ? new Uint32Array(0) : p.shuffle ? shuffledOrder(nTrain, seed, shuffleStream(fitIndex, epoch)) : identityOrder(nTrain);
      const totals: Record<string, number> = {};
      const diag = new DiagMerge();
      let done = 0;
      let samples = 0;
      let chunk = batchHook || progressHook ? 1 : batches;
      let aborted = false;
      if (trainer) {
        const r = await trainer.epoch(xTrain, yTrain, epoch, {
          lrAt: (step) => (schedule ? schedule.valueAt(step) : null),
          wantStop: () => signal?.aborted ?? false,
          checkAlive: host.checkAlive,
          afterStep: async (k, logs, size, n, steps, sums, seen) => {
            if (batchHook) for (const cb of callbacks) await cb.onBatchEnd?.(k, { ...logs, batch: k, size });
            if (progressHook) for (const cb of callbacks) await cb.onProgress?.(n, steps, means(sums, seen));
          },
        });
        Object.assign(totals, r.totals);
        samples = r.samples;
        done = batches; // the loop below has nothing left to run
        aborted = r.stopped;
      }
      while (done < batches) {
        if (signal?.aborted) {
          aborted = true;
          break;
        }
        host.checkAlive();
        const count = Math.min(chunk, batches - done);
        const lrPerStep = schedule ? Float32Array.from({ length: count }, (_, i) => schedule.valueAt(engine.step + i)) : undefined;
        const t0 = performance.now();
        const r = await engine.trainBatches({
          x: xTrain.data, y: yTrain.data, n: nTrain, order, batchSize: p.batchSize, firstBatch: done, batchCount: count,
          lrPerStep, diagnostics: p.diagnostics, ...(wTrain ? { sampleWeight: wTrain } : {}),
        });
        const s = Math.min(nTrain, (done + r.steps) * p.batchSize) - done * p.batchSize;
        if (r.steps > 0) {
          addScaled(totals, r.logs, s);
          diag.add(r.diagnostics, r.steps);
        }
        samples += Math.max(s, 0);
        done += r.steps;
        if (r.steps < count) {
          aborted = signal?.aborted ?? false;
          if (aborted) break;
        }
        if (batchHook && r.steps > 0) for (const cb of callbacks) await cb.onBatchEnd?.(done - 1, { ...r.logs, batch: done - 1, size: s });
        if (progressHook && samples > 0) {
          for (const cb of callbacks) await cb.onProgress?.(done, batches, means(totals, samples));
          if (!batchHook && r.steps > 0) {
            const perBatch = (performance.now() - t0) / r.steps;
            chunk = Math.max(1, Math.min(batches, Math.floor(100 / Math.max(perBatch, 1e-3))));
          }
        }
        if (host.model.stopTraining || r.steps === 0) break;
      }
      if (aborted) {
        history.stoppedBy = 'abort';
        break;
      }
      const logs = samples > 0 ? means(totals, samples) : { loss: NaN };
      if (xVal && yVal) {
        host.checkAlive();
        const v = await engine.evaluateAsync(xVal.data, yVal.data, xVal.rows, p.batchSize, wVal);
        for (const k in v) logs[`val_${k}`] = v[k];
      }
      if (p.diagnostics) diag.into(logs, host.layerNames);
      for (const cb of callbacks) await cb.onEpochEnd?.(epoch, logs);
      if (trainer) host.model.stopTraining = await trainer.agree(host.model.stopTraining);
      history.record(epoch, logs);
      lastLogs = logs;
      if (host.model.stopTraining) {
        history.stoppedBy = 'callback';
        break;
      }
    }
    for (const cb of callbacks) await cb.onTrainEnd?.(lastLogs);
    if (trainer) await trainer.syncState(); // rank 0's callbacks may have changed its weights (restoreBestWeights)
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  return history;
}
