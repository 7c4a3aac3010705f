/**
 * JsEngine: the pure-TS twin of the native engine (semantics in docs/engine.md), built only on the reference kernels
 * in lib/kernels/reference. Used by `compile({ backend: 'js' })`, as the fallback when the addon is missing, and as the
 * comparison side of the benchmarks. All buffers are preallocated per plan and grown once to the largest batch seen.
 *
 * trainBatches runs on the main thread: it yields to the event loop every ~10 ms so timers, AbortSignals and cancel()
 * get a chance to run between steps (a step itself is never interrupted).
 *
 * This file holds the engine's state and entry points; the work is in lib/engine/js/: layout.ts (layers, parameter
 * slots, buffers), forward.ts, backward.ts, loss.ts, metrics.ts, optimizer.ts, diagnostics.ts, checks.ts.
 */
import type { Engine, Logs, ParamInfo, PlanSpec, TrainBatchesArgs, TrainBatchesResult } from './engine.js';
import { SimdnetError } from '../errors.js';
import { OPTIMIZER_DEFAULTS } from '../optimizers/defaults.js';
import type { BatchBuffers, Fused, Rt, Slot } from './js/types.js';
import { buildLayer, emptyBatchBuffers, ensureCapacity, initParams, memoryBytes, targetSize } from './js/layout.js';
import { forward } from './js/forward.js';
import { backward } from './js/backward.js';
import { batchLoss, fusedLoss } from './js/loss.js';
import { meanLogs, metricSums } from './js/metrics.js';
import { addPenaltyGrads, applyUpdate, clipGrads, penalty, stateArray, type OptimizerConfig } from './js/optimizer.js';
import { checkOptimizerState, optimizerStateLayout, type OptimizerStateEntry } from './optimizer-state.js';
import { DiagAccumulator } from './js/diagnostics.js';
import { checkBatchArrays, checkBatchSize, checkSampleWeight, checkTrainBatchesArgs } from './js/checks.js';

/** How long trainBatches may hold the event loop before yielding (ms). */
const YIELD_MS = 10;

/** A flat gradient buffer (gradientSums/applyGradientSums). */
function checkFlat(v: unknown, name: string, n: number): void {
  if (!(v instanceof Float32Array) || v.length < n)
    throw new SimdnetError('SIMDNET_BUFFER_TOO_SMALL', `${name} must be a Float32Array of at least ${n} elements`);
}

export class JsEngine implements Engine {
  readonly backend = 'js' as const;
  readonly inputSize: number;
  readonly outputSize: number;
  private readonly plan: PlanSpec;
  private readonly layers: Rt[] = [];
  private readonly slots: Slot[] = [];
  private readonly fused: Fused;
  private opt: OptimizerConfig;
  private lr: number;
  private t = 0;
  private buf: BatchBuffers = emptyBatchBuffers();
  private busyFlag = false;
  private cancelRequested = false;
  private disposedFlag = false;

  constructor(plan: PlanSpec) {
    if (!plan || !Array.isArray(plan.layers) || plan.layers.length === 0)
      throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', 'Expected a plan with at least one layer');
    this.plan = plan;
    this.inputSize = plan.inputSize;
    let size = plan.inputSize;
    plan.layers.forEach((spec, index) => {
      const rt = buildLayer(spec, index, size, this.slots);
      this.layers.push(rt);
      size = rt.outSize;
    });
    this.outputSize = size;
    this.fused = fusedLoss(this.layers[this.layers.length - 1].act, plan.loss);
    this.opt = { ...OPTIMIZER_DEFAULTS[plan.optimizer.kind], ...plan.optimizer } as OptimizerConfig;
    this.lr = plan.optimizer.learningRate;
    initParams(this.layers, plan.seed);
    this.resetOptimizer();
  }

  /** Grows every per-batch buffer to hold `m` rows. */
  private ensureCapacity(m: number): void {
    ensureCapacity(this.buf, this.layers, m, this.inputSize, this.outputSize, this.plan.loss);
  }

  private checkUsable(): void {
    if (this.disposedFlag) throw new SimdnetError('SIMDNET_DISPOSED', 'This engine has been disposed');
  }

  private checkIdle(): void {
    this.checkUsable();
    if (this.busyFlag) throw new SimdnetError('SIMDNET_BUSY', 'The engine is running trainBatches');
  }

  // ---------------------------------------------------------------------------------------------- parameters

  params(): ParamInfo[] {
    return this.slots.map((s) => ({ ...s.info, shape: [...s.info.shape] }));
  }

  getParams(): Float32Array[] {
    this.checkUsable();
    return this.slots.map((s) => s.value.slice());
  }

  setParams(values: Float32Array[]): void {
    this.checkUsable();
    if (!Array.isArray(values) || values.length !== this.slots.length)
      throw new SimdnetError('SIMDNET_SHAPE_MISMATCH', `Expected ${this.slots.length} parameter arrays but received ${Array.isArray(values) ? values.length : typeof values}`);
    values.forEach((v, i) => {
      const s = this.slots[i];
      if (!(v instanceof Float32Array) || v.length !== s.value.length)
        throw new SimdnetError('SIMDNET_SHAPE_MISMATCH', `Expected Float32Array of length ${s.value.length} for ${s.info.name} but received ${v instanceof Float32Array ? 'length ' + v.length : typeof v}`);
    });
    values.forEach((v, i) => this.slots[i].value.set(v));
  }

  resetOptimizer(): void {
    this.t = 0;
    for (const s of this.slots) s.state = {};
  }

  getOptimizerState(): Float32Array[] {
    this.checkUsable();
    return this.optimizerStateLayout().map((e) => Float32Array.from(stateArray(this.slots[e.paramIndex], e.slot, this.opt)));
  }

  setOptimizerState(arrays: Float32Array[], step: number): void {
    this.checkIdle();
    const layout = this.optimizerStateLayout();
    checkOptimizerState(layout, arrays, step);
    layout.forEach((e, i) => stateArray(this.slots[e.paramIndex], e.slot, this.opt).set(arrays[i]));
    this.t = step;
  }

  writeSlice(kind: 'param' | 'optimizerState', index: number, offset: number, values: Float32Array): void {
    this.checkIdle();
    let target: Float32Array | undefined;
    if (kind === 'param') target = this.slots[index]?.value;
    else if (kind === 'optimizerState') {
      const e = this.optimizerStateLayout()[index];
      if (e) target = stateArray(this.slots[e.paramIndex], e.slot, this.opt);
    } else throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected 'param' or 'optimizerState' for kind but received ${String(kind)}`);
    if (!Number.isInteger(index) || !target) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `No ${kind} array at index ${index}`);
    if (!(values instanceof Float32Array) || !Number.isInteger(offset) || offset < 0 || offset + values.length > target.length)
      throw new SimdnetError('SIMDNET_SHAPE_MISMATCH', `Expected a Float32Array within the ${target.length} elements of ${kind} ${index} from offset ${offset}`);
    target.set(values, offset);
  }

  setOptimizerStep(step: number): void {
    this.checkIdle();
    if (!Number.isSafeInteger(step) || step < 0) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected a non-negative integer for step but received ${String(step)}`);
    this.t = step;
  }

  optimizerStateLayout(): OptimizerStateEntry[] {
    return optimizerStateLayout(this.opt, this.params());
  }

  getLearningRate(): number {
    return this.lr;
  }

  setLearningRate(lr: number): void {
    if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0)
      throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected non-negative finite number for learningRate but received ${String(lr)}`);
    this.lr = lr;
  }

  get step(): number {
    return this.t;
  }

  /** Reads between two steps of trainBatches (it yields only there) see one completed step. */
  get readable(): boolean {
    return !this.disposedFlag;
  }

  consistentRead<T>(read: () => T): T {
    return read();
  }

  get busy(): boolean {
    return this.busyFlag;
  }

  get disposed(): boolean {
    return this.disposedFlag;
  }

  memoryBytes(): number {
    return memoryBytes(this.buf, this.slots, this.layers);
  }

  dispose(): void {
    this.disposedFlag = true;
    this.cancelRequested = true;
    this.buf.cap = 0;
    this.buf.xb = new Float32Array(0);
    for (const rt of this.layers) {
      rt.y = rt.dOut = new Float32Array(0);
      rt.z = rt.dz = null;
    }
  }

  // ---------------------------------------------------------------------------------------------- passes

  /** Runs the forward pass on rows [0, m) of the batch buffer; returns the output buffer (last layer's y). */
  private forward(m: number, training: boolean, updateStats: boolean): Float32Array {
    return forward(this.layers, this.buf.xb, m, training, updateStats, this.plan.seed, this.t);
  }

  /** Data loss of the batch (batch mean); with `withGrad` also its gradient (see js/loss.ts). */
  private loss(m: number, withGrad: boolean, w: Float32Array | null = null): { value: number; into: 'pre' | 'out' } {
    return batchLoss(this.layers, this.buf, this.plan.loss, this.fused, m, withGrad, this.plan.huberDelta ?? 1, w);
  }

  /** Sums (not means) of each metric over rows [0, m) of the batch. */
  private metricSums(m: number, out: Record<string, number>): void {
    metricSums(this.plan.metrics, this.plan.loss, this.layers[this.layers.length - 1].y, this.buf.yb, m, this.outputSize, out);
  }

  /** Loads rows [0, m) of x/y (row-major, already gathered) into the batch buffers. */
  private loadBatch(x: Float32Array, y: Float32Array | null, m: number): void {
    this.ensureCapacity(m);
    this.buf.xb.set(x.subarray(0, m * this.inputSize));
    if (y) this.buf.yb.set(y.subarray(0, m * this.ySize));
  }

  private get ySize(): number {
    return targetSize(this.plan.loss, this.outputSize);
  }

  /**
   * Training-mode loss (data + penalties) and the gradient of every trainable parameter (after penalties, before
   * clipping) for rows [0, m) of x/y, without updating anything: no step, no moving statistics. Dropout uses the
   * mask of the next step. Internal: used by the gradient checks in the tests.
   */
  computeGradients(x: Float32Array, y: Float32Array, m: number): { loss: number; grads: (Float32Array | null)[] } {
    this.checkUsable();
    this.loadBatch(x, y, m);
    this.forward(m, true, false);
    const l = this.loss(m, true);
    backward(this.layers, this.buf, m, l.into);
    addPenaltyGrads(this.slots);
    return { loss: l.value + penalty(this.slots), grads: this.slots.map((s) => (s.grad ? s.grad.slice() : null)) };
  }

  // ---------------------------------------------------------------------------------------------- steps

  /** One step on the batch already in the batch buffers. Returns loss (data + penalty) and metric sums (not means). */
  private stepLoaded(m: number, lr: number, diag: DiagAccumulator | null, w: Float32Array | null = null): Record<string, number> {
    this.forward(m, true, true);
    const pen = penalty(this.slots);
    const l = this.loss(m, true, w);
    const sums: Record<string, number> = { loss: (l.value + pen) * m };
    this.metricSums(m, sums); // unweighted: Keras weights only weighted_metrics
    backward(this.layers, this.buf, m, l.into);
    addPenaltyGrads(this.slots);
    clipGrads(this.slots, this.opt);
    diag?.beforeUpdate(this.layers);
    this.t += 1;
    applyUpdate(this.slots, this.opt, lr, this.t);
    diag?.afterUpdate(this.layers, m);
    return sums;
  }

  trainStep(x: Float32Array, y: Float32Array, batch: number, sampleWeight?: Float32Array): Logs {
    this.checkUsable();
    if (this.busyFlag) throw new SimdnetError('SIMDNET_BUSY', 'The engine is running trainBatches');
    this.checkBatchArrays(x, y, batch);
    const w = sampleWeight ? checkSampleWeight(sampleWeight, batch).subarray(0, batch) : null;
    this.loadBatch(x, y, batch);
    const sums = this.stepLoaded(batch, this.lr, null, w);
    return meanLogs(sums, batch);
  }

  gradientSize(): number {
    let n = 0;
    for (const s of this.slots) if (s.grad) n += s.grad.length;
    return n;
  }

  gradientSums(x: Float32Array, y: Float32Array, batch: number, out: Float32Array): Logs {
    this.checkUsable();
    if (this.busyFlag) throw new SimdnetError('SIMDNET_BUSY', 'The engine is running trainBatches');
    this.checkBatchArrays(x, y, batch);
    checkFlat(out, 'out', this.gradientSize());
    this.loadBatch(x, y, batch);
    // stepLoaded up to the backward pass (same order: forward, penalty, loss, metrics, backward).
    this.forward(batch, true, true);
    const pen = penalty(this.slots);
    const l = this.loss(batch, true);
    const sums: Record<string, number> = { loss: (l.value + pen) * batch };
    this.metricSums(batch, sums);
    backward(this.layers, this.buf, batch, l.into);
    const b = Math.fround(batch);
    let o = 0;
    for (const s of this.slots) {
      if (!s.grad) continue;
      for (let i = 0; i < s.grad.length; i++) out[o + i] = s.grad[i] * b; // float32 product, as the native loop
      o += s.grad.length;
    }
    return meanLogs(sums, batch);
  }

  applyGradientSums(sums: Float32Array, count: number, lr?: number): void {
    this.checkUsable();
    if (this.busyFlag) throw new SimdnetError('SIMDNET_BUSY', 'The engine is running trainBatches');
    checkFlat(sums, 'sums', this.gradientSize());
    if (typeof count !== 'number' || !(count > 0))
      throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected a positive count but received ${count}`);
    const c = Math.fround(count);
    let o = 0;
    for (const s of this.slots) {
      if (!s.grad) continue;
      for (let i = 0; i < s.grad.length; i++) s.grad[i] = Math.fround(sums[o + i] / c);
      o += s.grad.length;
    }
    addPenaltyGrads(this.slots);
    clipGrads(this.slots, this.opt);
    this.t += 1;
    applyUpdate(this.slots, this.opt, lr ?? this.lr, this.t);
  }

  // The JS engine has no worker thread: the async forms run the step on the calling thread, as its trainBatches does.
  async gradientSumsAsync(x: Float32Array, y: Float32Array, batch: number, out: Float32Array): Promise<Logs> {
    return this.gradientSums(x, y, batch, out);
  }

  async applyGradientSumsAsync(sums: Float32Array, count: number, lr?: number): Promise<void> {
    this.applyGradientSums(sums, count, lr);
  }

  private checkBatchArrays(x: Float32Array, y: Float32Array | null, n: number): void {
    checkBatchArrays(x, y, n, this.inputSize, this.ySize);
  }

  async trainBatches(args: TrainBatchesArgs): Promise<TrainBatchesResult> {
    this.checkUsable();
    if (this.busyFlag) throw new SimdnetError('SIMDNET_BUSY', 'The engine is already running trainBatches');
    const { x, y, n, order, batchSize, firstBatch, batchCount, lrPerStep } = args;
    this.checkBatchArrays(x, y, n);
    checkTrainBatchesArgs(args);
    const sw = args.sampleWeight ? checkSampleWeight(args.sampleWeight, n) : null;
    const wb = sw ? new Float32Array(batchSize) : null;
    this.busyFlag = true;
    this.cancelRequested = false;
    const diag = args.diagnostics ? new DiagAccumulator(this.layers) : null;
    const totals: Record<string, number> = {};
    let samples = 0;
    let steps = 0;
    try {
      await yieldToLoop();
      let since = Date.now();
      const inS = this.inputSize;
      const yS = this.ySize;
      for (let b = firstBatch; b < firstBatch + batchCount; b++) {
        if (this.cancelRequested || this.disposedFlag) break;
        const start = b * batchSize;
        const m = Math.min(batchSize, n - start);
        if (m <= 0) break;
        this.ensureCapacity(m);
        for (let r = 0; r < m; r++) {
          const src = order[start + r];
          this.buf.xb.set(x.subarray(src * inS, src * inS + inS), r * inS);
          this.buf.yb.set(y.subarray(src * yS, src * yS + yS), r * yS);
          if (wb) wb[r] = sw![src];
        }
        const lr = lrPerStep ? lrPerStep[b - firstBatch] : this.lr;
        if (lrPerStep) this.lr = lr;
        const w = wb ? wb.subarray(0, m) : null;
        const sums = this.stepLoaded(m, lr, diag, w);
        for (const k in sums) totals[k] = (totals[k] ?? 0) + sums[k];
        samples += m;
        steps++;
        if (Date.now() - since >= YIELD_MS) {
          await yieldToLoop();
          since = Date.now();
        }
      }
    } finally {
      this.busyFlag = false;
      this.cancelRequested = false;
    }
    const logs = samples > 0 ? meanLogs(totals, samples) : { loss: NaN };
    return diag ? { steps, logs, diagnostics: diag.result(this.layers) } : { steps, logs };
  }

  cancel(): void {
    if (this.busyFlag) this.cancelRequested = true;
  }

  // ---------------------------------------------------------------------------------------------- inference

  evaluate(x: Float32Array, y: Float32Array, n: number, batchSize: number, sampleWeight?: Float32Array): Logs {
    this.checkUsable();
    this.checkBatchArrays(x, y, n);
    checkBatchSize(batchSize);
    const sw = sampleWeight ? checkSampleWeight(sampleWeight, n) : null;
    const totals: Record<string, number> = {};
    const pen = penalty(this.slots);
    for (let start = 0; start < n; start += batchSize) {
      const m = Math.min(batchSize, n - start);
      this.loadBatch(x.subarray(start * this.inputSize), y.subarray(start * this.ySize), m);
      this.forward(m, false, false);
      const w = sw ? sw.subarray(start, start + m) : null;
      const l = this.loss(m, false, w);
      totals.loss = (totals.loss ?? 0) + (l.value + pen) * m;
      this.metricSums(m, totals);
    }
    return meanLogs(totals, n);
  }

  async evaluateAsync(x: Float32Array, y: Float32Array, n: number, batchSize: number, sampleWeight?: Float32Array): Promise<Logs> {
    // A snapshot taken at call time, as the native engine reads (docs/engine.md, "What a running job holds").
    this.checkUsable();
    this.checkBatchArrays(x, y, n);
    const ws = sampleWeight ? checkSampleWeight(sampleWeight, n).slice(0, n) : undefined;
    const xs = x.slice(0, n * this.inputSize);
    const ys = y.slice(0, n * this.ySize);
    await yieldToLoop();
    return this.evaluate(xs, ys, n, batchSize, ws);
  }

  predict(x: Float32Array, n: number, batchSize: number): Float32Array {
    this.checkUsable();
    this.checkBatchArrays(x, null, n);
    checkBatchSize(batchSize);
    const out = new Float32Array(n * this.outputSize);
    for (let start = 0; start < n; start += batchSize) {
      const m = Math.min(batchSize, n - start);
      this.loadBatch(x.subarray(start * this.inputSize), null, m);
      const y = this.forward(m, false, false);
      out.set(y.subarray(0, m * this.outputSize), start * this.outputSize);
    }
    return out;
  }

  async predictAsync(x: Float32Array, n: number, batchSize: number): Promise<Float32Array> {
    this.checkUsable();
    this.checkBatchArrays(x, null, n);
    const xs = x.slice(0, n * this.inputSize);  // a snapshot taken at call time, as the native engine reads
    await yieldToLoop();
    return this.predict(xs, n, batchSize);
  }
}

function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
