/**
 * The data-parallel training loop behind fit(x, y, { distributed }) (docs/engine.md "Distributed training").
 *
 * Start: rank 0's parameters (moving statistics included), optimizer state and step counter are broadcast, so ranks
 * that compiled with different seeds or loaded different checkpoints start from one state.
 * Each epoch: the shard of lib/distributed/sampler.ts. Each step: every rank runs engine.gradientSumsAsync on its
 * local batch into one flat Float32Array (native memory) laid out as
 *   [ gradient sums (gradientSize) | samples | stop flag | end flag | loss * samples | metric_1 * samples | ... ]
 * one in-place all-reduce adds the buffers of all ranks, and every rank applies the sums divided by the global sample
 * count (engine.applyGradientSumsAsync, also a job: penalties, clipping, optimizer), which is the mean gradient of the global batch
 * even when the last batch is short. All ranks hold the same sums, so they take the same update. The stop flag lets
 * any rank's AbortSignal stop every rank after the same step; the end flag ends a fitDataset epoch on every rank
 * when one rank's source runs out (that rank joins the step with no samples).
 * With the native engine and an MPI group all of it is one job on a worker thread (engine.distributedStepAsync: the
 * all-reduce runs on the communication thread while the job waits), so the JS thread only starts each step; other
 * engines run the three parts as above, the gradient pass and update as worker jobs where the engine has them.
 */
import type { Engine, Logs } from '../engine/engine.js';
import { SimdnetError } from '../errors.js';
import { NativeEngine } from '../engine/native-engine.js';
import { allocStorage, isNativeStorage, type Matrix } from '../tensor.js';
import type { Group } from './group.js';
import { shardOrder } from './sampler.js';

export interface EpochHooks {
  /** Learning rate of the step about to run (schedules), or null for the engine's current rate. */
  lrAt(step: number): number | null;
  /** Called on every rank after every step with the global batch's logs (means) and global batch size. */
  afterStep(batch: number, logs: Logs, size: number, done: number, steps: number, totals: Record<string, number>, samples: number): Promise<void>;
  /** This rank wants to stop after the current step (AbortSignal). */
  wantStop(): boolean;
  checkAlive(): void;
}

export interface EpochResult {
  totals: Record<string, number>;
  samples: number;
  steps: number;
  /** Some rank asked to stop. */
  stopped: boolean;
}

export interface StepResult {
  /** Samples in the global batch (0: no rank had any, nothing was applied). */
  count: number;
  /** The global batch's loss and metrics (means), and their sums over its samples. */
  logs: Logs;
  sums: Record<string, number>;
  stop: boolean;
  ended: boolean;
}

export class DistributedTrainer {
  readonly #g: Group;
  readonly #e: Engine;
  readonly #keys: string[];
  readonly #gSize: number;
  readonly #buf: Float32Array;
  /** The native engine when the group is MPI's: each step is then one job (distributedStepAsync). */
  readonly #fused: NativeEngine | null;
  #xb = new Float32Array(0);
  #yb = new Float32Array(0);

  constructor(group: Group, engine: Engine, metricKeys: string[], readonly batchSize: number, readonly shuffle: boolean, public seed: number, readonly dropLast: boolean) {
    this.#g = group;
    this.#e = engine;
    this.#keys = metricKeys;
    this.#gSize = engine.gradientSize();
    // Native memory when the addon is loaded (allocStorage): the engine's jobs then write and read it in place
    // (pinned), and the all-reduce works on it, with no copy on the JS thread.
    this.#buf = allocStorage(this.#gSize + 3 + metricKeys.length);
    this.#fused = group.kind === 'mpi' && engine instanceof NativeEngine && isNativeStorage(this.#buf) ? engine : null;
  }

  /** Samples per rank and steps per epoch for n training samples. */
  shape(n: number): { perRank: number; steps: number } {
    const size = this.#g.size;
    const perRank = this.dropLast ? Math.floor(n / size) : Math.ceil(n / size);
    if (perRank === 0)
      throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `dropLast with ${n} samples over ${size} ranks leaves no sample`);
    return { perRank, steps: Math.ceil(perRank / this.batchSize) };
  }

  /** Broadcasts rank 0's parameters, optimizer state, step counter, learning rate and shuffle seed to every rank. */
  async syncState(): Promise<void> {
    const e = this.#e;
    const params = e.getParams();
    const opt = e.getOptimizerState();
    const all = [...params, ...opt];
    const flat = new Float32Array(all.reduce((s, a) => s + a.length, 0));
    let o = 0;
    for (const a of all) {
      flat.set(a, o);
      o += a.length;
    }
    // A check that every rank built the same model: lengths travel with the step counter (Float64: exact).
    const meta = new Float64Array([e.step, flat.length, e.getLearningRate(), this.seed]);
    const mine = flat.length;
    await this.#g.broadcast(meta, 0);
    if (meta[1] !== mine)
      throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Rank ${this.#g.rank}'s model has ${mine} parameter and optimizer-state floats; rank 0's has ${meta[1]}: every rank must build the same model`);
    await this.#g.broadcast(flat, 0);
    o = 0;
    const take = (a: Float32Array) => {
      const v = flat.slice(o, o + a.length);
      o += a.length;
      return v;
    };
    const newParams = params.map(take);
    const newOpt = opt.map(take);
    e.setParams(newParams);
    e.setOptimizerState(newOpt, meta[0]);
    e.setLearningRate(meta[2]);
    this.seed = meta[3]; // rank 0's shuffle seed: one permutation for all, whatever seed each rank compiled with
  }

  /** Rank 0's decision (model.stopTraining after its callbacks) for every rank. */
  async agree(stop: boolean): Promise<boolean> {
    const f = new Float32Array([stop ? 1 : 0]);
    await this.#g.broadcast(f, 0);
    return f[0] !== 0;
  }

  /** One global step: this rank's batch (rows 0: none) into the shared all-reduce, then the update on every rank. */
  async step(x: Float32Array, y: Float32Array, rows: number, stop: boolean, ended: boolean, lrAt: (step: number) => number | null): Promise<StepResult> {
    const e = this.#e, G = this.#gSize, buf = this.#buf, K = this.#keys;
    if (this.#fused) {
      // One native job: gradient sums, the all-reduce (the job waits for the communication thread) and the update.
      await this.#fused.distributedStepAsync(x, y, rows, buf, K, stop, ended, lrAt(e.step));
      return this.#result(buf);
    }
    if (rows > 0) {
      const local = await e.gradientSumsAsync(x, y, rows, buf);
      for (let m = 0; m < K.length; m++) buf[G + 3 + m] = local[K[m]] * rows;
    } else {
      buf.fill(0);
    }
    buf[G] = rows;
    buf[G + 1] = stop ? 1 : 0;
    buf[G + 2] = ended ? 1 : 0;
    await this.#g.allreduce(buf);
    const count = buf[G];
    if (count > 0) {
      const lr = lrAt(e.step);
      await e.applyGradientSumsAsync(buf, count, lr ?? undefined);
      if (lr !== null) e.setLearningRate(Math.fround(lr));
    }
    return this.#result(buf);
  }

  /** The step's outcome from the summed buffer. */
  #result(buf: Float32Array): StepResult {
    const G = this.#gSize, K = this.#keys;
    const count = buf[G];
    const logs: Logs = { loss: NaN };
    const sums: Record<string, number> = {};
    if (count > 0) {
      for (let m = 0; m < K.length; m++) {
        sums[K[m]] = buf[G + 3 + m];
        logs[K[m]] = buf[G + 3 + m] / count;
      }
    }
    return { count, logs, sums, stop: buf[G + 1] > 0, ended: buf[G + 2] > 0 };
  }

  async epoch(x: Matrix, y: Matrix, epoch: number, hooks: EpochHooks): Promise<EpochResult> {
    const g = this.#g, b = this.batchSize;
    const order = shardOrder({ n: x.rows, size: g.size, rank: g.rank, shuffle: this.shuffle, seed: this.seed, epoch, dropLast: this.dropLast });
    const { steps } = this.shape(x.rows);
    const xc = x.cols, yc = y.cols;
    if (this.#xb.length < b * xc) this.#xb = new Float32Array(b * xc);
    if (this.#yb.length < b * yc) this.#yb = new Float32Array(b * yc);
    const totals: Record<string, number> = {};
    let samples = 0;
    let done = 0;
    let stopped = false;
    for (let k = 0; k < steps; k++) {
      hooks.checkAlive();
      const start = k * b;
      const rows = Math.min(b, order.length - start);
      for (let r = 0; r < rows; r++) {
        const i = order[start + r];
        this.#xb.set(x.data.subarray(i * xc, (i + 1) * xc), r * xc);
        this.#yb.set(y.data.subarray(i * yc, (i + 1) * yc), r * yc);
      }
      const r = await this.step(this.#xb, this.#yb, rows, hooks.wantStop(), false, hooks.lrAt);
      const count = r.count, logs = r.logs;
      for (const key in r.sums) totals[key] = (totals[key] ?? 0) + r.sums[key];
      samples += count;
      done++;
      await hooks.afterStep(k, logs, count, done, steps, totals, samples);
      if (r.stop) {
        stopped = true;
        break;
      }
    }
    return { totals, samples, steps: done, stopped };
  }
}
