/**
 * fitDataset, evaluateDataset, predictDataset (issue 12; tfjs model.fitDataset): training on batches that a source
 * yields, for data that does not fit in memory or arrives as a stream.
 *
 * A source is iterated once per epoch, so it must be re-iterable: an object with [Symbol.asyncIterator] or
 * [Symbol.iterator] (an array of batches, a class whose iterator method starts over), a function returning a fresh
 * iterable or iterator (e.g. an async generator function), or a tfjs data.Dataset-like object whose iterator()
 * returns (a promise of) an iterator with next(). A one-shot generator object works for one epoch only; a second
 * epoch that yields nothing is an error rather than an epoch silently skipped, unless batchesPerEpoch bounds each
 * epoch of a long stream (then the same iterator continues, as in tfjs).
 *
 * Each element is { xs, ys } in any accepted input form (lib/tensor.ts toMatrix). Every batch is one optimizer step,
 * run off the main thread (engine.trainBatches with one batch); while it runs, the next batch is fetched and
 * converted on the JS side, so a fast source costs little over fit(). Learning-rate schedules give the rate for
 * each step as in fit(); AbortSignal and model.stopTraining stop between steps (fitDataset then resolves with the
 * history so far, history.stoppedBy set).
 */
import type { Logs } from '../engine/engine.js';
import { SimdnetError, describe } from '../errors.js';
import { checkSize } from '../validate.js';
import type { Callback } from '../callbacks/callback.js';
import { ProgressBar } from '../callbacks/progress-bar.js';
import { Tensor, type Matrix } from '../tensor.js';
import { History } from './history.js';
import { isAbortSignalLike, type AbortSignalLike, type FitHost, type Inputs } from './fit.js';
import { checkFiniteAsync, checkSameRows, prepareInputsAsync, prepareTargetsAsync, prepareEvalAsync } from './data.js';
import { releaseConverted } from './ingest.js';
import type { Group } from '../distributed/group.js';
import { abortOnError, fitGroup } from '../distributed/fit-hook.js';
import { DistributedTrainer } from '../distributed/train.js';

export interface Batch {
  xs: Inputs;
  ys: Inputs;
}

type AnyIterator<T> = Iterator<T> | AsyncIterator<T>;
export type DatasetSource<T = Batch> =
  | Iterable<T>
  | AsyncIterable<T>
  | (() => Iterable<T> | AsyncIterable<T> | AnyIterator<T> | Promise<AnyIterator<T>>)
  | { iterator(): AnyIterator<T> | Promise<AnyIterator<T>> };

export interface FitDatasetArgs {
  /** Epochs (default 1). */
  epochs?: number;
  /** Batches per epoch; default: until the source ends. With it, a stream that does not end can be trained on. */
  batchesPerEpoch?: number;
  /** [x, y] arrays, or a dataset of { xs, ys } batches, evaluated after each epoch (val_ logs). */
  validationData?: [Inputs, Inputs] | DatasetSource;
  callbacks?: Callback[];
  /** 0 silent (default), 1 or 2 a line per epoch. */
  verbose?: 0 | 1 | 2 | boolean;
  signal?: AbortSignalLike;
  /** Epoch to start from (default 0). */
  initialEpoch?: number;
  /** Data-parallel training (true: the group of distributed.init()): each rank iterates its OWN source (shard the
   *  data by group.rank); every step averages the gradients of all ranks' batches; an epoch ends on every rank when
   *  one rank's source ends. docs/engine.md "Distributed training". */
  distributed?: boolean | Group;
}

const KEYS = ['epochs', 'batchesPerEpoch', 'validationData', 'callbacks', 'verbose', 'signal', 'initialEpoch', 'distributed'];

/** Opens one pass over a source: an iterator (sync or async). */
export async function openSource<T>(source: DatasetSource<T>, name: string): Promise<AnyIterator<T>> {
  let s: unknown = source;
  if (typeof s === 'function') s = await (s as () => unknown)();
  if (s !== null && typeof s === 'object') {
    const o = s as Record<string | symbol, unknown>;
    if (typeof o[Symbol.asyncIterator] === 'function') return (o[Symbol.asyncIterator] as () => AsyncIterator<T>)();
    if (typeof o[Symbol.iterator] === 'function') return (o[Symbol.iterator] as () => Iterator<T>)();
    if (typeof o.iterator === 'function') s = await (o.iterator as () => unknown)();
    if (s !== null && typeof s === 'object' && typeof (s as { next?: unknown }).next === 'function') return s as AnyIterator<T>;
  }
  throw new SimdnetError('SIMDNET_INVALID_ARGUMENT',
    `Expected a dataset for ${name} (an iterable or async iterable of batches, a function returning one, or an object with iterator()) but received ${describe(source)}`);
}

async function nextOf<T>(it: AnyIterator<T>): Promise<IteratorResult<T>> {
  return await it.next();
}

/** A yielded batch converted and checked: x, y as matrices (conversion of a large batch in slices). */
async function readBatch(host: FitHost, value: unknown, name: string): Promise<{ xm: Matrix; ym: Matrix }> {
  if (typeof value !== 'object' || value === null || !('xs' in value) || !('ys' in value))
    throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected { xs, ys } for a batch of ${name} but received ${describe(value)}`);
  const b = value as Batch;
  const xm = await prepareInputsAsync(b.xs, host.engine.inputSize, `${name} xs`);
  const ym = await prepareTargetsAsync(b.ys, host.loss, host.engine.outputSize, `${name} ys`);
  checkSameRows(xm, ym, `${name} xs`, `${name} ys`);
  await checkFiniteAsync(xm, `${name} xs`); // in slices when large (a 12,000 x 784 batch: 30 to 60 ms at once)
  await checkFiniteAsync(ym, `${name} ys`);
  return { xm, ym };
}

function parse(a: unknown) {
  if (a === undefined) a = {};
  if (typeof a !== 'object' || a === null) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected an options object for fitDataset() but received ${describe(a)}`);
  const o = a as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!KEYS.includes(k) && o[k] !== undefined)
    throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Unknown fitDataset() option '${k}' (expected one of ${KEYS.join(', ')})`);
  const epochs = checkSize(o.epochs ?? 1, 'epochs', 1);
  const initialEpoch = checkSize(o.initialEpoch ?? 0, 'initialEpoch');
  if (initialEpoch >= epochs) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected initialEpoch < epochs but received ${initialEpoch} >= ${epochs}`);
  const batchesPerEpoch = o.batchesPerEpoch === undefined ? null : checkSize(o.batchesPerEpoch, 'batchesPerEpoch', 1);
  const cbs = o.callbacks ?? [];
  if (!Array.isArray(cbs) || cbs.some((c) => typeof c !== 'object' || c === null))
    throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected an array of callback objects for callbacks but received ${describe(cbs)}`);
  const v = o.verbose ?? 0;
  const verbose = v === true ? 1 : v === false ? 0 : v;
  if (verbose !== 0 && verbose !== 1 && verbose !== 2) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected 0, 1 or 2 for verbose but received ${describe(v)}`);
  if (o.signal !== undefined && !isAbortSignalLike(o.signal))
    throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected an AbortSignal for signal but received ${describe(o.signal)}`);
  return {
    epochs, initialEpoch, batchesPerEpoch, callbacks: cbs as Callback[], verbose, signal: (o.signal as AbortSignalLike | undefined) ?? null,
    validationData: (o.validationData as FitDatasetArgs['validationData']) ?? null,
    distributed: o.distributed ?? false,
  };
}

export async function runFitDataset(host: FitHost, source: DatasetSource, args: unknown): Promise<History> {
  const p = parse(args);
  const group = p.distributed === false ? null : await fitGroup(p.distributed);
  if (!group) return fitDatasetLoop(host, source, p, null);
  try {
    return await fitDatasetLoop(host, source, p, group);
  } catch (err) {
    return abortOnError(group, err);
  }
}

async function fitDatasetLoop(host: FitHost, source: DatasetSource, p: ReturnType<typeof parse>, group: Group | null): Promise<History> {
  const { engine } = host;
  // Data-parallel (lib/distributed/train.ts): callbacks and display on rank 0 only.
  const trainer = group ? new DistributedTrainer(group, engine, ['loss', ...host.metrics], 1, false, 0, false) : null;
  const callbacks = group && !group.isRoot ? [] : [...p.callbacks];
  if (p.verbose !== 0 && !(group && !group.isRoot) && !callbacks.some((c) => c instanceof ProgressBar)) callbacks.push(new ProgressBar({ live: false }));
  const metricKeys = ['loss', ...host.metrics];
  for (const cb of callbacks) {
    cb.setModel?.(host.model);
    cb.setParams?.({
      epochs: p.epochs, initialEpoch: p.initialEpoch, steps: p.batchesPerEpoch ?? 0, batchSize: 0, samples: 0, verbose: p.verbose,
      metrics: p.validationData ? [...metricKeys, ...metricKeys.map((k) => `val_${k}`)] : metricKeys,
    });
  }
  const schedule = host.optimizer.schedule;
  const history = new History();
  const signal = p.signal;
  const onAbort = () => engine.cancel();
  signal?.addEventListener('abort', onAbort);
  host.model.stopTraining = false;
  let lastLogs: Logs | undefined;
  // With batchesPerEpoch the iterator carries on across epochs (a long stream); without, each epoch opens a pass.
  let it: AnyIterator<unknown> | null = null;
  try {
    if (trainer) await trainer.syncState(); // rank 0's weights and optimizer state everywhere
    for (const cb of callbacks) await cb.onTrainBegin?.();
    for (let epoch = p.initialEpoch; epoch < p.epochs; epoch++) {
      if (signal?.aborted) {
        history.stoppedBy = 'abort';
        break;
      }
      for (const cb of callbacks) await cb.onEpochBegin?.(epoch);
      if (it === null || p.batchesPerEpoch === null) it = await openSource(source, 'the dataset');
      const iter = it;
      const fetch = async () => {
        const r = await nextOf(iter);
        return r.done ? null : readBatch(host, r.value, 'the dataset');
      };
      const totals: Record<string, number> = {};
      let samples = 0;
      let batches = 0;
      let aborted = false;
      let next: Promise<{ xm: Matrix; ym: Matrix } | null> | null = fetch();
      while (next !== null) {
        const b = await next;
        next = null;
        if (trainer) {
          // Every rank joins every step; one whose source has ended joins with no samples and ends the epoch.
          if (b !== null && (p.batchesPerEpoch === null || batches + 1 < p.batchesPerEpoch)) {
            next = fetch();
            next.catch(() => {});
          }
          host.checkAlive();
          const r = await trainer.step(b?.xm.data ?? new Float32Array(0), b?.ym.data ?? new Float32Array(0), b?.xm.rows ?? 0,
            signal?.aborted ?? false, b === null || host.model.stopTraining, (t) => (schedule ? schedule.valueAt(t) : null));
          if (r.count > 0) {
            for (const k in r.sums) totals[k] = (totals[k] ?? 0) + r.sums[k];
            samples += r.count;
            for (const cb of callbacks) await cb.onBatchEnd?.(batches, { ...r.logs, batch: batches, size: r.count });
            batches++;
          }
          if (r.stop) aborted = true;
          if (r.stop || r.ended) break;
          continue;
        }
        if (b === null) break;
        if (signal?.aborted) {
          aborted = true;
          break;
        }
        host.checkAlive();
        const lrPerStep = schedule ? Float32Array.of(schedule.valueAt(engine.step)) : undefined;
        const step = engine.trainBatches({
          x: b.xm.data, y: b.ym.data, n: b.xm.rows, order: Uint32Array.from({ length: b.xm.rows }, (_, i) => i),
          batchSize: b.xm.rows, firstBatch: 0, batchCount: 1, lrPerStep,
        });
        // The next batch is fetched and converted while this step runs on the worker thread.
        const more = p.batchesPerEpoch === null || batches + 1 < p.batchesPerEpoch;
        if (more) {
          next = fetch();
          next.catch(() => {}); // surfaced when awaited; not an unhandled rejection if the step fails first
        }
        const r = await step.finally(() => releaseConverted(b.xm, b.ym)); // freed now, not by a GC (./ingest.ts)
        if (r.steps === 0) {
          aborted = signal?.aborted ?? false;
          break;
        }
        for (const k in r.logs) totals[k] = (totals[k] ?? 0) + r.logs[k] * b.xm.rows;
        samples += b.xm.rows;
        for (const cb of callbacks) await cb.onBatchEnd?.(batches, { ...r.logs, batch: batches, size: b.xm.rows });
        batches++;
        if (host.model.stopTraining) break;
      }
      if (aborted) {
        history.stoppedBy = 'abort';
        break;
      }
      if (batches === 0)
        throw new SimdnetError('SIMDNET_INVALID_ARGUMENT',
          `The dataset yielded no batch in epoch ${epoch}; a source must be re-iterable (a function returning a fresh iterable, an iterable, or an object with iterator()), or pass batchesPerEpoch`);
      const logs: Logs = { loss: NaN };
      for (const k in totals) logs[k] = totals[k] / samples;
      if (p.validationData) {
        host.checkAlive();
        const vd = p.validationData;
        // [x, y] arrays, unless it is an array of { xs, ys } batches (a dataset).
        const pair = Array.isArray(vd) && vd.length === 2 && !(typeof vd[0] === 'object' && vd[0] !== null && 'xs' in vd[0]);
        const v = pair
          ? await evaluateArrays(host, (vd as [Inputs, Inputs])[0], (vd as [Inputs, Inputs])[1])
          : await runEvaluateDataset(host, vd as DatasetSource);
        for (const k in v) logs[`val_${k}`] = v[k];
      }
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

async function evaluateArrays(host: FitHost, x: Inputs, y: Inputs): Promise<Logs> {
  const d = prepareEvalAsync(x, y, host.loss, host.engine.inputSize, host.engine.outputSize);
  const { xm, ym } = d instanceof Promise ? await d : d;
  return host.engine.evaluateAsync(xm.data, ym.data, xm.rows, 32).finally(() => releaseConverted(xm, ym));
}

/** Loss and metrics over one pass of a dataset (inference mode), weighted by batch rows. */
export async function runEvaluateDataset(host: Pick<FitHost, 'engine' | 'loss'>, source: DatasetSource): Promise<Logs> {
  const it = await openSource(source, 'the dataset');
  const totals: Record<string, number> = {};
  let samples = 0;
  for (;;) {
    const r = await nextOf(it);
    if (r.done) break;
    const { xm, ym } = await readBatch(host as FitHost, r.value, 'the dataset');
    const logs = await host.engine.evaluateAsync(xm.data, ym.data, xm.rows, xm.rows).finally(() => releaseConverted(xm, ym));
    for (const k in logs) totals[k] = (totals[k] ?? 0) + logs[k] * xm.rows;
    samples += xm.rows;
  }
  if (samples === 0) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', 'The dataset yielded no batch to evaluate');
  const out: Logs = { loss: NaN };
  for (const k in totals) out[k] = totals[k] / samples;
  return out;
}

/** Outputs for every batch of a dataset (elements { xs } or plain inputs), concatenated into one Tensor. */
export async function runPredictDataset(host: Pick<FitHost, 'engine'>, source: DatasetSource<unknown>): Promise<Tensor> {
  const it = await openSource(source, 'the dataset');
  const parts: Float32Array[] = [];
  let rows = 0;
  for (;;) {
    const r = await nextOf(it);
    if (r.done) break;
    const v = r.value;
    const xs = typeof v === 'object' && v !== null && 'xs' in v ? (v as { xs: unknown }).xs : v;
    const xm = await prepareInputsAsync(xs, host.engine.inputSize, 'the dataset xs');
    parts.push(await host.engine.predictAsync(xm.data, xm.rows, Math.min(xm.rows, 256)).finally(() => releaseConverted(xm)));
    rows += xm.rows;
  }
  const out = new Float32Array(rows * host.engine.outputSize);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return new Tensor(out, [rows, host.engine.outputSize]);
}
