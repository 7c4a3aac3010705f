/**
 * NativeEngine: the Engine contract (lib/engine/engine.ts) over the addon's `Engine` class
 * (native/src/addon/ops-engine.cc, native/src/engine/). Weights, gradients, optimizer state and activations live in
 * native memory; a training step is one addon call, trainBatches/evaluateAsync/predictAsync run on a libuv worker
 * thread and resolve with a promise. Semantics are those of docs/engine.md, shared with JsEngine.
 *
 * Arguments are validated here with coded errors (lib/validate.ts); the addon re-checks them (and the whole plan)
 * as a safety net. The async calls read a snapshot of x and y taken when they are called (./snapshot.ts: the caller's
 * array itself when it is memory the addon pins, such as a Tensor's, else a copy made in slices), so writing to,
 * transferring or detaching the caller's arrays afterwards changes nothing for the call. Async methods capture `new Error()` before crossing into native code, so a rejection carries
 * the caller's stack rather than an empty native one (sharp's is.nativeError).
 */
import { requireNative } from '../native.js';
import { SimdnetError, SimdnetRangeError, SimdnetTypeError, describe, type ErrorCode } from '../errors.js';
import { checkBoolean, checkF32, checkNumber, checkSize } from '../validate.js';
import { checkOptimizerState, optimizerStateLayout, type OptimizerStateEntry } from './optimizer-state.js';
import { hold, holdAll, isPinnable, type Held } from './snapshot.js';
import { checkSampleWeight } from './js/checks.js';
import type {
  Engine,
  LayerDiagnostics,
  Logs,
  OptimizerSpec,
  ParamInfo,
  PlanSpec,
  TrainBatchesArgs,
  TrainBatchesResult,
} from './engine.js';

/** The addon's Engine object (typed here; the binding is untyped). */
interface NativeEngineHandle {
  params(): ParamInfo[];
  getParams(): Float32Array[];
  setParams(values: Float32Array[]): void;
  resetOptimizer(): void;
  getOptimizerState(): Float32Array[];
  setOptimizerState(arrays: Float32Array[], step: number): void;
  setSlice(kind: 0 | 1, index: number, offset: number, values: Float32Array): void;
  setStep(step: number): void;
  getLearningRate(): number;
  setLearningRate(lr: number): void;
  getStep(): number;
  logsBuffer(): Float64Array;
  trainStep(x: Float32Array, y: Float32Array, batch: number, w?: Float32Array | null): void;
  gradientSize(): number;
  gradSums(x: Float32Array, y: Float32Array, batch: number, out: Float32Array): void;
  applyGradientSums(sums: Float32Array, count: number, lr: number): void;
  gradSumsAsync(x: Float32Array, y: Float32Array, batch: number, out: Float32Array): Promise<number[]>;
  applyGradientSumsAsync(sums: Float32Array, count: number, lr: number): Promise<void>;
  distributedStepAsync(x: Float32Array, y: Float32Array, rows: number, buf: Float32Array, slots: number[], stop: boolean,
    ended: boolean, lr: number | null): Promise<void>;
  trainBatches(
    x: Float32Array, y: Float32Array, n: number, order: Uint32Array, batchSize: number, firstBatch: number,
    batchCount: number, lrPerStep: Float32Array | null, diagnostics: boolean, w?: Float32Array | null,
  ): Promise<{ steps: number; logs: number[]; diagnostics?: LayerDiagnostics[] }>;
  cancel(): void;
  evaluate(x: Float32Array, y: Float32Array, n: number, batchSize: number, w?: Float32Array | null): void;
  evaluateAsync(x: Float32Array, y: Float32Array, n: number, batchSize: number, w?: Float32Array | null): Promise<number[]>;
  predict(x: Float32Array, n: number, batchSize: number, out: Float32Array): Float32Array;
  predictAsync(x: Float32Array, n: number, batchSize: number, fed?: boolean): Promise<Float32Array>;
  feedInput(rows: number): void;
  feedFail(): void;
  memoryBytes(): number;
  isBusy(): boolean;
  isDisposed(): boolean;
  dispose(): void;
  inputSize(): number;
  outputSize(): number;
  isServing(): boolean;
  holdSnapshot(on: boolean): void;
  setPublishInterval(ms: number): void;
  servingStats(): ServingStats;
}

/** Counters of the weight snapshot published for reads during training (native/src/addon/engine-serving.h). */
export interface ServingStats {
  /** Snapshots published by the training thread (after a step). */
  publishes: number;
  /** Publishes skipped because a reader was copying the snapshot at that moment. */
  skipped: number;
  /** Time the training thread spent copying published snapshots, in ms (all publishes so far). */
  publishMs: number;
  /** Synchronous reads answered from the JS thread's reader copy because a publish held the lock at that moment. */
  kept: number;
  /** Version of the snapshot (publishes, plus one at the start of each trainBatches). */
  version: number;
  /** Optimizer step the snapshot holds. */
  step: number;
}

type NativeEngineCtor = new (plan: PlanSpec) => NativeEngineHandle;

/**
 * predictAsync's input stage (see NativeEngine.#holdInput): inputs of at least STAGE_MIN floats are copied into a
 * block kept for the next call, up to STAGE_MAX floats, and released STAGE_IDLE_MS after the last call. Why: a fresh
 * allocF32 block of the 10,000 x 784 Fashion-MNIST test set (31 MB) is a new anonymous mapping, and faulting in its
 * 7,650 pages cost more than the forward pass itself (Zen 4 KVM host: allocF32 + set + releaseF32 33-37 ms, set into
 * a kept block 3-5 ms, the 2-thread forward pass ~13 ms; bench/inference/predict-profile.mjs).
 */
const STAGE_MIN = 1 << 18; // 1 MiB: below this a fresh block is a few pages
const STAGE_MAX = 1 << 26; // 256 MiB
const STAGE_IDLE_MS = 1000;

/**
 * Re-throws a native error on the stack captured at the call site: same class (TypeError/RangeError/Error),
 * same `code` and message; errors without a code become SIMDNET_ABORTED.
 */
function nativeError(err: unknown, context: Error): Error {
  if (!(err instanceof Error)) return err as Error;
  const code = ((err as Error & { code?: string }).code ?? 'SIMDNET_ABORTED') as ErrorCode;
  const out =
    err instanceof RangeError
      ? new SimdnetRangeError(code, err.message)
      : err instanceof TypeError
        ? new SimdnetTypeError(code, err.message)
        : new SimdnetError(code, err.message, { cause: err });
  const frames = (context.stack ?? '').split('\n').slice(1).join('\n');
  out.stack = `${out.name}: ${out.message}\n${frames}`;
  return out;
}

/**
 * checkF32 with a fast path for the per-step calls: a Float32Array long enough is accepted at once (a detached one
 * has length 0, so with minLength > 0 it takes the full check; the addon re-checks detachment either way).
 */
function f32(v: unknown, name: string, minLength: number): void {
  if (minLength > 0 && v instanceof Float32Array && v.length >= minLength) return;
  checkF32(v, name, minLength);
}

export class NativeEngine implements Engine {
  readonly backend = 'native' as const;
  readonly inputSize: number;
  readonly outputSize: number;
  readonly #h: NativeEngineHandle;
  readonly #metrics: readonly string[];
  readonly #logs: Float64Array;
  readonly #params: readonly ParamInfo[];
  readonly #optimizer: OptimizerSpec;
  /** Columns of y per sample: outputSize, or 1 for sparse labels. */
  readonly #targetSize: number;
  #disposed = false;
  /**
   * An async call is taking its snapshots (before the addon's job starts and sets its own busy flag): the engine
   * counts as busy, and a cancel() then is remembered, since the addon clears its flag when a job starts.
   */
  #pending = false;
  #cancelPending = false;
  /** The kept input stage (an allocF32 block), whether a call is using it, and its idle-release timer. */
  #stage: Float32Array | null = null;
  #stageBusy = false;
  #stageTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(plan: PlanSpec) {
    if (typeof plan !== 'object' || plan === null || Array.isArray(plan))
      throw new SimdnetTypeError('SIMDNET_INVALID_ARGUMENT', `Expected a PlanSpec object for plan but received ${describe(plan)}`);
    const Ctor = requireNative().Engine as NativeEngineCtor | undefined;
    if (typeof Ctor !== 'function')
      throw new SimdnetError('SIMDNET_NATIVE_UNAVAILABLE', 'The loaded addon has no Engine class (rebuild the addon)');
    this.#h = new Ctor(plan); // checks every field of the plan, coded errors
    this.inputSize = this.#h.inputSize();
    this.outputSize = this.#h.outputSize();
    this.#targetSize = plan.loss === 'sparseCategoricalCrossentropy' ? 1 : this.outputSize;
    this.#metrics = [...(plan.metrics ?? [])];
    this.#logs = this.#h.logsBuffer();
    this.#params = this.#h.params();
    this.#optimizer = { ...plan.optimizer };
  }

  #live(): NativeEngineHandle {
    if (this.#disposed) throw new SimdnetError('SIMDNET_DISPOSED', 'This engine has been disposed');
    return this.#h;
  }

  /** #live() for calls the addon refuses while a job runs, extended to the snapshot phase before the job. */
  #idle(): NativeEngineHandle {
    const h = this.#live();
    if (this.#pending) throw new SimdnetError('SIMDNET_BUSY', 'The engine is busy with an asynchronous call');
    return h;
  }

  /** Runs an async call's snapshot phase and job with the engine marked busy throughout. */
  async #exclusive<T>(run: () => Promise<T>): Promise<T> {
    this.#pending = true;
    this.#cancelPending = false;
    try {
      return await run();
    } finally {
      this.#pending = false;
    }
  }

  #toLogs(values: ArrayLike<number>): Logs {
    const logs: Logs = { loss: values[0] };
    for (let i = 0; i < this.#metrics.length; i++) logs[this.#metrics[i]] = values[i + 1];
    return logs;
  }

  params(): ParamInfo[] {
    this.#live();
    return this.#params.map((p) => ({ ...p, shape: [...p.shape] }));
  }

  // Reads (getParams, getOptimizerState, step, evaluate, predict and their async forms) also work while trainBatches
  // runs: the addon then serves them from the snapshot of the last published step (docs/engine.md, "Serving while
  // training"), so they check #live() only; the addon still refuses them during another call's job.
  getParams(): Float32Array[] {
    return this.#live().getParams();
  }

  /** Reads are allowed now: nothing runs, or a trainBatches job runs and reads go to its published snapshot. */
  get readable(): boolean {
    return !this.#disposed && (!this.#h.isBusy() || this.#h.isServing());
  }

  /** Runs `read` (synchronous reads only) with publishing paused, so all it reads comes from one step. */
  consistentRead<T>(read: () => T): T {
    const h = this.#live();
    if (!h.isServing()) return read();
    h.holdSnapshot(true);
    try {
      return read();
    } finally {
      h.holdSnapshot(false);
    }
  }

  /** Minimum time between two snapshots published during training, in ms (default 5; 0: after every step). */
  setPublishInterval(ms: number): void {
    this.#live().setPublishInterval(ms);
  }

  servingStats(): ServingStats {
    return this.#live().servingStats();
  }

  setParams(values: Float32Array[]): void {
    const h = this.#idle();
    if (!Array.isArray(values))
      throw new SimdnetTypeError('SIMDNET_INVALID_ARGUMENT', `Expected an Array of Float32Array for values but received ${describe(values)}`);
    if (values.length !== this.#params.length)
      throw new SimdnetRangeError('SIMDNET_SHAPE_MISMATCH', `Expected ${this.#params.length} parameter arrays but received ${values.length}`);
    values.forEach((v, i) => {
      const p = this.#params[i];
      const size = p.shape.reduce((a, b) => a * b, 1);
      checkF32(v, `values[${i}] (${p.name})`);
      if (v.length !== size)
        throw new SimdnetRangeError('SIMDNET_SHAPE_MISMATCH', `values[${i}] (${p.name}) has ${v.length} elements but ${size} are needed`);
    });
    h.setParams(values);
  }

  resetOptimizer(): void {
    this.#idle().resetOptimizer();
  }

  getOptimizerState(): Float32Array[] {
    return this.#live().getOptimizerState();
  }

  setOptimizerState(arrays: Float32Array[], step: number): void {
    const h = this.#idle();
    checkOptimizerState(this.optimizerStateLayout(), arrays, step);
    h.setOptimizerState(arrays, step);
  }

  writeSlice(kind: 'param' | 'optimizerState', index: number, offset: number, values: Float32Array): void {
    const h = this.#idle();
    if (kind !== 'param' && kind !== 'optimizerState')
      throw new SimdnetTypeError('SIMDNET_INVALID_ARGUMENT', `Expected 'param' or 'optimizerState' for kind but received ${describe(kind)}`);
    checkSize(index, 'index');
    checkSize(offset, 'offset');
    checkF32(values, 'values');
    h.setSlice(kind === 'param' ? 0 : 1, index, offset, values);
  }

  setOptimizerStep(step: number): void {
    const h = this.#idle();
    checkSize(step, 'step');
    h.setStep(step);
  }

  optimizerStateLayout(): OptimizerStateEntry[] {
    return optimizerStateLayout(this.#optimizer, [...this.#params]);
  }

  getLearningRate(): number {
    return this.#live().getLearningRate();
  }

  setLearningRate(lr: number): void {
    if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0)
      throw new SimdnetRangeError('SIMDNET_INVALID_ARGUMENT', `Expected finite number >= 0 for lr but received ${describe(lr)}`);
    this.#idle().setLearningRate(lr);
  }

  get step(): number {
    return this.#disposed ? 0 : this.#h.getStep();
  }

  trainStep(x: Float32Array, y: Float32Array, batch: number, sampleWeight?: Float32Array): Logs {
    const h = this.#idle();
    if (!Number.isInteger(batch) || batch < 1) checkSize(batch, 'batch', 1);
    f32(x, 'x', batch * this.inputSize);
    f32(y, 'y', batch * this.#targetSize);
    if (sampleWeight !== undefined) checkSampleWeight(sampleWeight, batch);
    h.trainStep(x, y, batch, sampleWeight ?? null); // labels are range-checked natively before anything runs
    return this.#toLogs(this.#logs);
  }

  gradientSize(): number {
    return this.#idle().gradientSize();
  }

  gradientSums(x: Float32Array, y: Float32Array, batch: number, out: Float32Array): Logs {
    const h = this.#idle();
    if (!Number.isInteger(batch) || batch < 1) checkSize(batch, 'batch', 1);
    f32(x, 'x', batch * this.inputSize);
    f32(y, 'y', batch * this.#targetSize);
    f32(out, 'out', h.gradientSize());
    h.gradSums(x, y, batch, out);
    return this.#toLogs(this.#logs);
  }

  applyGradientSums(sums: Float32Array, count: number, lr?: number): void {
    const h = this.#idle();
    f32(sums, 'sums', h.gradientSize());
    checkNumber(count, 'count', { lo: 0, loOpen: true });
    h.applyGradientSums(sums, count, lr ?? h.getLearningRate());
  }

  // The same two halves as jobs on a libuv thread (distributed fit: the event loop keeps turning during a step).
  // Reads while one runs are served from the published snapshot, as during trainBatches. x and y are read from a
  // copy taken now unless they are allocF32 blocks (pinned); `out` and `sums` should be allocF32 blocks (a Tensor's
  // storage or requireNative().allocF32): then the job reads or writes them in place, else `sums` is copied now and
  // `out` is filled when the promise settles. The caller must not write `out` or `sums` until then.
  async gradientSumsAsync(x: Float32Array, y: Float32Array, batch: number, out: Float32Array): Promise<Logs> {
    const context = new Error();
    const h = this.#idle();
    if (!Number.isInteger(batch) || batch < 1) checkSize(batch, 'batch', 1);
    f32(x, 'x', batch * this.inputSize);
    f32(y, 'y', batch * this.#targetSize);
    f32(out, 'out', h.gradientSize());
    let values: number[];
    try {
      values = await this.#exclusive(() => h.gradSumsAsync(x, y, batch, out));
    } catch (err) {
      throw nativeError(err, context);
    }
    return this.#toLogs(values);
  }

  async applyGradientSumsAsync(sums: Float32Array, count: number, lr?: number): Promise<void> {
    const context = new Error();
    const h = this.#idle();
    f32(sums, 'sums', h.gradientSize());
    checkNumber(count, 'count', { lo: 0, loOpen: true });
    try {
      await this.#exclusive(() => h.applyGradientSumsAsync(sums, count, lr ?? h.getLearningRate()));
    } catch (err) {
      throw nativeError(err, context);
    }
  }

  /**
   * One whole data-parallel step as one native job, for lib/distributed/train.ts with an MPI group (after
   * distributed.init()): this rank's gradient sums of rows [0, rows) of x/y (rows 0: none) and its log sums for
   * `keys` ('loss' and compiled metrics) into `buf` (train.ts's layout; it must be native memory, allocF32), the
   * in-place all-reduce over all ranks on the MPI communication thread, then the update from the summed buffer at
   * `lr` (null: the current rate; else also set as the current rate) unless no rank had samples. On return `buf`
   * holds the global sums. Internal.
   */
  async distributedStepAsync(x: Float32Array, y: Float32Array, rows: number, buf: Float32Array, keys: string[], stop: boolean,
    ended: boolean, lr: number | null): Promise<void> {
    const context = new Error();
    const h = this.#idle();
    checkSize(rows, 'rows');
    const names = ['loss', ...this.#metrics];
    const slots = keys.map((k) => {
      const i = names.indexOf(k);
      if (i < 0) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `${describe(k)} is not a log of this model`);
      return i;
    });
    if (rows > 0) {
      f32(x, 'x', rows * this.inputSize);
      f32(y, 'y', rows * this.#targetSize);
    }
    f32(buf, 'buf', h.gradientSize() + 3 + keys.length);
    try {
      await this.#exclusive(() => h.distributedStepAsync(x, y, rows, buf, slots, stop, ended, lr));
    } catch (err) {
      throw nativeError(err, context);
    }
  }

  async trainBatches(args: TrainBatchesArgs): Promise<TrainBatchesResult> {
    const context = new Error();
    const h = this.#idle();
    if (typeof args !== 'object' || args === null)
      throw new SimdnetTypeError('SIMDNET_INVALID_ARGUMENT', `Expected a TrainBatchesArgs object but received ${describe(args)}`);
    const { x, y, n, order, batchSize, firstBatch, batchCount, lrPerStep, diagnostics } = args;
    checkSize(n, 'n', 1);
    checkSize(batchSize, 'batchSize', 1);
    checkSize(firstBatch, 'firstBatch');
    checkSize(batchCount, 'batchCount');
    checkF32(x, 'x', n * this.inputSize);
    checkF32(y, 'y', n * this.#targetSize);
    if (!(order instanceof Uint32Array))
      throw new SimdnetTypeError('SIMDNET_INVALID_ARGUMENT', `Expected Uint32Array for order but received ${describe(order)}`);
    if (order.length < n) throw new SimdnetRangeError('SIMDNET_BUFFER_TOO_SMALL', `order has ${order.length} elements but ${n} are needed`);
    const batches = Math.ceil(n / batchSize);
    if (firstBatch + batchCount > batches)
      throw new SimdnetRangeError(
        'SIMDNET_INVALID_ARGUMENT',
        `Batches [${firstBatch}, ${firstBatch + batchCount}) are outside the epoch's ${batches} batches`,
      );
    if (lrPerStep !== undefined) checkF32(lrPerStep, 'lrPerStep', batchCount);
    if (diagnostics !== undefined) checkBoolean(diagnostics, 'diagnostics');
    const sw = args.sampleWeight === undefined ? null : checkSampleWeight(args.sampleWeight, n); // copied by the addon
    let r: Awaited<ReturnType<NativeEngineHandle['trainBatches']>>;
    const held: Held[] = [];
    try {
      r = await this.#exclusive(async () => {
        held.push(...(await holdAll([{ src: x, length: n * this.inputSize, name: 'x' }, { src: y, length: n * this.#targetSize, name: 'y' }])));
        this.#live();
        if (this.#cancelPending) return { steps: 0, logs: [NaN, ...this.#metrics.map(() => NaN)] };
        return h.trainBatches(held[0].data, held[1].data, n, order, batchSize, firstBatch, batchCount, lrPerStep ?? null,
          diagnostics === true, sw);
      });
    } catch (err) {
      throw nativeError(err, context);
    } finally {
      for (const k of held) k.release();
    }
    const result: TrainBatchesResult = { steps: r.steps, logs: this.#toLogs(r.logs) };
    if (r.diagnostics) result.diagnostics = r.diagnostics;
    return result;
  }

  cancel(): void {
    if (this.#disposed) return;
    if (this.#pending) this.#cancelPending = true;
    this.#h.cancel();
  }

  #checkEval(x: Float32Array, y: Float32Array | null, n: number, batchSize: number): void {
    checkSize(n, 'n');
    checkSize(batchSize, 'batchSize', 1);
    checkF32(x, 'x', n * this.inputSize);
    if (y !== null) checkF32(y, 'y', n * this.#targetSize);
  }

  evaluate(x: Float32Array, y: Float32Array, n: number, batchSize: number, sampleWeight?: Float32Array): Logs {
    const h = this.#live();
    this.#checkEval(x, y, n, batchSize);
    const sw = sampleWeight === undefined ? null : checkSampleWeight(sampleWeight, n);
    h.evaluate(x, y, n, batchSize, sw);
    return this.#toLogs(this.#logs);
  }

  async evaluateAsync(x: Float32Array, y: Float32Array, n: number, batchSize: number, sampleWeight?: Float32Array): Promise<Logs> {
    const context = new Error();
    const h = this.#live();
    this.#checkEval(x, y, n, batchSize);
    const sw = sampleWeight === undefined ? null : checkSampleWeight(sampleWeight, n).slice(0, n); // a snapshot
    const held: Held[] = [];
    // The job runs on the addon's reader engine (the published snapshot): it never holds this engine, so no
    // exclusive phase (a fit() may start meanwhile).
    try {
      return this.#toLogs(await (async () => {
        held.push(...(await holdAll([{ src: x, length: n * this.inputSize, name: 'x' }, { src: y, length: n * this.#targetSize, name: 'y' }])));
        this.#live();
        return h.evaluateAsync(held[0].data, held[1].data, n, batchSize, sw);
      })());
    } catch (err) {
      throw nativeError(err, context);
    } finally {
      for (const k of held) k.release();
    }
  }

  predict(x: Float32Array, n: number, batchSize: number): Float32Array {
    const h = this.#live();
    this.#checkEval(x, null, n, batchSize);
    return h.predict(x, n, batchSize, new Float32Array(n * this.outputSize));
  }

  async predictAsync(x: Float32Array, n: number, batchSize: number): Promise<Float32Array> {
    const context = new Error();
    const h = this.#live();
    this.#checkEval(x, null, n, batchSize);
    if (n > batchSize && this.#stageable(x, n * this.inputSize)) return this.#predictFed(h, x, n, batchSize, context);
    const held: Held[] = [];
    try {
      return await (async () => {
        held.push(await this.#holdInput(x, n * this.inputSize));
        this.#live();
        return await h.predictAsync(held[0].data, n, batchSize);
      })();
    } catch (err) {
      throw nativeError(err, context);
    } finally {
      for (const k of held) k.release();
    }
  }

  /**
   * predictAsync's snapshot of x (./snapshot.ts hold()): a large plain array is copied into the kept stage (grown as
   * needed; one call at a time uses it, a concurrent one takes a fresh copy), whose pages are already mapped. The
   * snapshot semantics are unchanged: the job reads the copy, which only this engine can reach, and the addon pins
   * the block for the job (releasing it mid-job is safe). release() ends the call's use and starts the idle timer.
   */
  async #holdInput(x: Float32Array, length: number): Promise<Held> {
    if (!this.#stageable(x, length)) return hold(x, length, 'x');
    const stage = this.#takeStage(length);
    let held: Held;
    try {
      held = await hold(x, length, 'x', { into: stage });
    } catch (err) {
      this.#stageDone();
      throw err;
    }
    return { data: held.data, copied: true, release: () => this.#stageDone() };
  }

  /** Whether predictAsync's copy of x would go to the kept stage (a large plain array, the stage free). */
  #stageable(x: Float32Array, length: number): boolean {
    return length >= STAGE_MIN && length <= STAGE_MAX && !this.#stageBusy && !isPinnable(x);
  }

  /** The kept stage, at least `length` floats, marked busy (#stageDone frees it for the next call). */
  #takeStage(length: number): Float32Array {
    if (this.#stageTimer !== null) clearTimeout(this.#stageTimer);
    this.#stageTimer = null;
    if (this.#stage === null || this.#stage.length < length || !isPinnable(this.#stage)) {
      this.#dropStage();
      this.#stage = requireNative().allocF32(length) as Float32Array;
    }
    this.#stageBusy = true;
    return this.#stage;
  }

  /**
   * predictAsync of a large plain array over two or more batches: the job is queued first, on the stage that is
   * still empty, and predicts each batch as soon as the copy (the same slices and event-loop turns as #holdInput's)
   * has reported its rows (feedInput; native/src/addon/input-feed.h), so the copy and the forward passes overlap
   * instead of running one after the other. One job, so its outputs all come from one published step, as before.
   * A copy that fails (x detached mid-copy) or a dispose() during it fails the feed: the job stops, the call
   * rejects with the copy's error. A job left without rows for a second gives up (a terminated Worker must not
   * leave it waiting: input-feed.h); the call then runs again on the finished copy. The stage is freed only once
   * the job has ended.
   */
  async #predictFed(h: NativeEngineHandle, x: Float32Array, n: number, batchSize: number, context: Error): Promise<Float32Array> {
    const cols = this.inputSize;
    const stage = this.#takeStage(n * cols);
    let job: Promise<Float32Array> | null = null;
    let reported = 0;
    try {
      job = h.predictAsync(stage, n, batchSize, true);
      job.catch(() => undefined); // awaited below, on success and on failure
      await hold(x, n * cols, 'x', {
        into: stage,
        progress: (copied) => {
          const rows = Math.floor(copied / cols);
          if (rows >= n || rows - reported >= batchSize) {
            h.feedInput(rows);
            reported = rows;
          }
        },
      });
      this.#live();
      if (reported < n) h.feedInput(n);
      reported = n;
      try {
        return await job;
      } catch (err) {
        // The job gave up waiting for rows (the event loop was held for over a second mid-copy; input-feed.h):
        // the copy is complete now, so the call runs again on it, as one unfed job.
        if (!(err instanceof Error) || !/input stalled/.test(err.message)) throw err;
        job = null;
        return await h.predictAsync(stage, n, batchSize);
      }
    } catch (err) {
      if (reported < n) h.feedFail();
      if (job) await job.catch(() => undefined);
      throw nativeError(err, context);
    } finally {
      this.#stageDone();
    }
  }

  #stageDone(): void {
    this.#stageBusy = false;
    if (this.#disposed) return this.#dropStage();
    if (this.#stageTimer !== null) clearTimeout(this.#stageTimer);
    this.#stageTimer = setTimeout(() => this.#dropStage(), STAGE_IDLE_MS);
    this.#stageTimer.unref?.();
  }

  #dropStage(): void {
    if (this.#stageTimer !== null) clearTimeout(this.#stageTimer);
    this.#stageTimer = null;
    if (this.#stage !== null && !this.#stageBusy) {
      requireNative().releaseF32(this.#stage); // a job still reading it keeps it pinned (job-input.h)
      this.#stage = null;
    }
  }

  memoryBytes(): number {
    return this.#disposed ? 0 : this.#h.memoryBytes();
  }

  get busy(): boolean {
    return !this.#disposed && (this.#pending || this.#h.isBusy());
  }

  /** Frees the native memory now (a finalizer does it otherwise). Throws SIMDNET_BUSY while an async call runs. */
  dispose(): void {
    if (this.#disposed) return;
    if (this.#pending) throw new SimdnetError('SIMDNET_BUSY', 'Cannot dispose the engine while an asynchronous call runs');
    this.#h.dispose();
    this.#disposed = true;
    this.#dropStage();
  }

  get disposed(): boolean {
    return this.#disposed;
  }
}
