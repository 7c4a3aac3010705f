/**
 * Sequential: a stack of layers compiled into one Engine (native or JS) that owns weights, gradients and optimizer
 * state. The model only steers: fit/evaluate/predict cross into the engine once per epoch/chunk/call.
 */
import type { Engine, Logs, LossName, MetricName, PlanSpec } from '../engine/engine.js';
import { createEngine, defaultBackend, type EngineBackend } from '../engine/create.js';
import { SimdnetError, describe } from '../errors.js';
import { checkSize } from '../validate.js';
import { Layer, autoName } from '../layers/layer.js';
import { normalizeLoss } from '../losses/index.js';
import { normalizeMetric } from '../metrics/index.js';
import { getOptimizer, type Optimizer } from '../optimizers/optimizer.js';
import { Tensor } from '../tensor.js';
import type { TrainingModel } from '../callbacks/callback.js';
import { History } from './history.js';
import { runFit, type FitArgs, type Inputs } from './fit.js';
import { summaryTable } from './summary.js';
import { predictOnBatch, testOnBatch, trainOnBatch } from './on-batch.js';
import { runEvaluateDataset, runFitDataset, runPredictDataset, type DatasetSource, type FitDatasetArgs } from './fit-dataset.js';
import { saveModel } from '../io/save.js';
import { checkFinite, checkSameRows, prepareEvalAsync, prepareInputs, prepareInputsAsync, prepareTargets } from './data.js';

export interface SequentialArgs {
  /** Layers, first one with inputShape. */
  layers?: Layer[];
  /** Model name (default 'sequential', 'sequential_1', ...). */
  name?: string;
}

export interface CompileArgs {
  /** optimizers.adam({...}) etc., or a name ('adam', 'sgd', ...) for the defaults. */
  optimizer: Optimizer | string;
  /** 'categoricalCrossentropy', 'sparseCategoricalCrossentropy', 'binaryCrossentropy', 'meanSquaredError' (Keras aliases ok). */
  loss: LossName | string;
  /** Any of 'accuracy', 'mse', 'mae' (default none). */
  metrics?: (MetricName | string)[];
  /** 'native' (default when the addon loaded) or 'js'. */
  backend?: EngineBackend;
  /** Seeds initialisation, dropout and (by default) shuffling: same seed, same machine and threads = same run. */
  seed?: number;
}

export interface PredictArgs {
  /** Samples per engine batch (default 32; only memory and speed depend on it). */
  batchSize?: number;
}
export type EvaluateArgs = PredictArgs;

interface Compiled {
  engine: Engine;
  optimizer: Optimizer;
  loss: LossName;
  metrics: MetricName[];
  seed: number;
  backend: EngineBackend;
}

export class Sequential implements TrainingModel {
  readonly className = 'Sequential';
  readonly name: string;
  stopTraining = false;
  private readonly layerList: Layer[] = [];
  private compiled: Compiled | null = null;
  private training = false;
  private disposedFlag = false;
  private fitCount = 0;

  constructor(layers?: Layer[] | SequentialArgs, args: { name?: string } = {}) {
    const opts: SequentialArgs = Array.isArray(layers) ? { layers, ...args } : (layers ?? {});
    if (typeof opts !== 'object') throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected an array of layers for new Sequential() but received ${describe(layers)}`);
    if (opts.name !== undefined && (typeof opts.name !== 'string' || opts.name === ''))
      throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected a non-empty string for name but received ${describe(opts.name)}`);
    this.name = opts.name ?? autoName('sequential');
    for (const l of opts.layers ?? []) this.add(l);
  }

  get layers(): Layer[] {
    return [...this.layerList];
  }

  add(layer: Layer): void {
    this.checkUsable();
    if (!(layer instanceof Layer)) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected a Layer for add() but received ${describe(layer)}`);
    if (this.compiled) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', 'Cannot add layers to a compiled model; build a new Sequential');
    if (this.layerList.includes(layer)) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Layer ${layer.name} is already in this model`);
    if (this.layerList.some((l) => l.name === layer.name))
      throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `The model already has a layer named ${layer.name}; layer names must be unique`);
    if (this.layerList.length === 0 && layer.declaredInputSize === null)
      throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `The first layer (${layer.name}) needs inputShape, e.g. new Dense({ units: 10, inputShape: [784] })`);
    const inSize = this.layerList.length === 0 ? layer.declaredInputSize! : this.layerList[this.layerList.length - 1].outputSize;
    layer.build(inSize);
    this.layerList.push(layer);
  }

  private checkUsable(): void {
    if (this.disposedFlag) throw new SimdnetError('SIMDNET_DISPOSED', `Model ${this.name} has been disposed`);
  }

  private requireCompiled(what: string): Compiled {
    this.checkUsable();
    if (!this.compiled) throw new SimdnetError('SIMDNET_NOT_COMPILED', `Call compile() on model ${this.name} before ${what}`);
    return this.compiled;
  }

  /** Compiled and the engine not mid-call. `strict` also refuses while a fit() is in progress (callbacks run then). */
  private requireIdle(what: string, strict = false): Compiled {
    const c = this.requireCompiled(what);
    if ((strict && this.training) || c.engine.busy) throw new SimdnetError('SIMDNET_BUSY', `Model ${this.name} is training; ${what} must wait until fit() settles`);
    return c;
  }

  /** Compiled, and reads allowed: idle, or fit() running (reads then see its latest published step). */
  private requireReadable(what: string): Compiled {
    const c = this.requireCompiled(what);
    if (!c.engine.readable) throw new SimdnetError('SIMDNET_BUSY', `Model ${this.name} is busy with an asynchronous call; ${what} must wait until it settles`);
    return c;
  }

  get inputSize(): number {
    if (this.layerList.length === 0) throw new SimdnetError('SIMDNET_NOT_BUILT', `Model ${this.name} has no layers`);
    return this.layerList[0].inputSize;
  }

  get outputSize(): number {
    if (this.layerList.length === 0) throw new SimdnetError('SIMDNET_NOT_BUILT', `Model ${this.name} has no layers`);
    return this.layerList[this.layerList.length - 1].outputSize;
  }

  compile(args: CompileArgs): void {
    this.checkUsable();
    if (this.training) throw new SimdnetError('SIMDNET_BUSY', `Model ${this.name} is training; compile() must wait until fit() settles`);
    if (typeof args !== 'object' || args === null) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected an options object for compile() but received ${describe(args)}`);
    if (this.layerList.length === 0) throw new SimdnetError('SIMDNET_NOT_BUILT', `Model ${this.name} has no layers to compile`);
    const optimizer = getOptimizer(args.optimizer);
    const loss = normalizeLoss(args.loss);
    const metricsArg = args.metrics ?? [];
    if (!Array.isArray(metricsArg)) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected an array for metrics but received ${describe(metricsArg)}`);
    const metrics = [...new Set(metricsArg.map(normalizeMetric))];
    const seed = args.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : checkSize(args.seed, 'seed');
    const backend = args.backend ?? defaultBackend();
    const plan: PlanSpec = {
      inputSize: this.inputSize, layers: this.layerList.map((l) => l.toSpec()), loss, metrics, optimizer: optimizer.toSpec(), seed,
    };
    const engine = createEngine(plan, backend);
    // Recompiling keeps the trained weights (Keras): copy them into the new engine, fresh optimizer state.
    if (this.compiled) {
      engine.setParams(this.compiled.engine.getParams());
      this.compiled.engine.dispose();
    }
    this.compiled = { engine, optimizer, loss, metrics, seed, backend };
    for (const l of this.layerList) l.owner = this;
  }

  get isCompiled(): boolean {
    return this.compiled !== null;
  }

  get isDisposed(): boolean {
    return this.disposedFlag;
  }

  get isTraining(): boolean {
    return this.training;
  }

  /** The engine's backend, or null before compile. */
  get backend(): EngineBackend | null {
    return this.compiled?.backend ?? null;
  }

  get optimizer(): Optimizer | null {
    return this.compiled?.optimizer ?? null;
  }

  get loss(): LossName | null {
    return this.compiled?.loss ?? null;
  }

  get metrics(): MetricName[] {
    return [...(this.compiled?.metrics ?? [])];
  }

  get seed(): number | null {
    return this.compiled?.seed ?? null;
  }

  /** @internal the compiled engine (tests, io) */
  get engine(): Engine {
    return this.requireCompiled('using its engine').engine;
  }

  get learningRate(): number {
    return this.requireCompiled('reading the learning rate').engine.getLearningRate();
  }

  set learningRate(lr: number) {
    const c = this.requireCompiled('setting the learning rate');
    if (c.optimizer.schedule) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', 'The learning rate follows a schedule and cannot be set directly');
    c.engine.setLearningRate(lr);
  }

  get hasLearningRateSchedule(): boolean {
    return this.compiled?.optimizer.schedule != null;
  }

  /** Trains the model; resolves with the History. Rejects with SIMDNET_BUSY if this model is already training. */
  async fit(x: Inputs, y: Inputs, args?: FitArgs): Promise<History> {
    const c = this.requireIdle('fit()', true);
    this.training = true;
    try {
      const fitIndex = this.fitCount++;
      return await runFit(
        { engine: c.engine, optimizer: c.optimizer, loss: c.loss, metrics: c.metrics, layerNames: this.layerList.map((l) => l.name),
          model: this, compileSeed: c.seed, fitIndex, checkAlive: () => this.checkUsable() },
        x, y, args,
      );
    } finally {
      this.training = false;
    }
  }

  private evalData(x: Inputs, y: Inputs, args: EvaluateArgs | undefined, c: Compiled) {
    const batchSize = checkSize(args?.batchSize ?? 32, 'batchSize', 1);
    const xm = prepareInputs(x, c.engine.inputSize, 'x');
    const ym = prepareTargets(y, c.loss, c.engine.outputSize, 'y');
    checkSameRows(xm, ym, 'x', 'y');
    checkFinite(xm, 'x');
    checkFinite(ym, 'y');
    return { xm, ym, batchSize };
  }

  /** Loss (with penalties) and metrics in inference mode. */
  evaluate(x: Inputs, y: Inputs, args?: EvaluateArgs): Logs {
    const c = this.requireReadable('evaluate()');
    const { xm, ym, batchSize } = this.evalData(x, y, args, c);
    return c.engine.evaluate(xm.data, ym.data, xm.rows, batchSize);
  }

  async evaluateAsync(x: Inputs, y: Inputs, args?: EvaluateArgs): Promise<Logs> {
    const c = this.requireReadable('evaluateAsync()');
    const batchSize = checkSize(args?.batchSize ?? 32, 'batchSize', 1);
    const d = prepareEvalAsync(x, y, c.loss, c.engine.inputSize, c.engine.outputSize); // nested input: in slices
    const { xm, ym } = d instanceof Promise ? await d : d;
    return c.engine.evaluateAsync(xm.data, ym.data, xm.rows, batchSize);
  }

  /** Outputs for x in inference mode, as an [n, outputSize] Tensor. */
  predict(x: Inputs, args?: PredictArgs): Tensor {
    const c = this.requireReadable('predict()');
    const batchSize = checkSize(args?.batchSize ?? 32, 'batchSize', 1);
    const xm = prepareInputs(x, c.engine.inputSize, 'x');
    return new Tensor(c.engine.predict(xm.data, xm.rows, batchSize), [xm.rows, c.engine.outputSize]);
  }

  /** predict off the main thread (native engine); the JS engine runs it after yielding once. */
  async predictAsync(x: Inputs, args?: PredictArgs): Promise<Tensor> {
    const c = this.requireReadable('predictAsync()');
    const batchSize = checkSize(args?.batchSize ?? 32, 'batchSize', 1);
    const xP = prepareInputsAsync(x, c.engine.inputSize, 'x'); // nested input: in slices
    const xm = xP instanceof Promise ? await xP : xP;
    const out = await c.engine.predictAsync(xm.data, xm.rows, batchSize);
    return new Tensor(out, [xm.rows, c.engine.outputSize]);
  }

  /** Trains on the { xs, ys } batches a re-iterable source yields (lib/models/fit-dataset.ts); resolves with the History. */
  async fitDataset(source: DatasetSource, args?: FitDatasetArgs): Promise<History> {
    const c = this.requireIdle('fitDataset()', true);
    this.training = true;
    try {
      return await runFitDataset(
        { engine: c.engine, optimizer: c.optimizer, loss: c.loss, metrics: c.metrics, layerNames: this.layerList.map((l) => l.name),
          model: this, compileSeed: c.seed, fitIndex: this.fitCount++, checkAlive: () => this.checkUsable() },
        source, args,
      );
    } finally {
      this.training = false;
    }
  }

  /** Loss and metrics over one pass of a dataset of { xs, ys } batches. */
  async evaluateDataset(source: DatasetSource): Promise<Logs> {
    const c = this.requireReadable('evaluateDataset()');
    return runEvaluateDataset(c, source);
  }

  /** Outputs for every batch of a dataset ({ xs } elements or plain inputs), as one [n, outputSize] Tensor. */
  async predictDataset(source: DatasetSource<unknown>): Promise<Tensor> {
    const c = this.requireReadable('predictDataset()');
    return runPredictDataset(c, source);
  }

  /** One optimizer step on (x, y), synchronously (Keras train_on_batch); returns the batch's loss and metrics. */
  trainOnBatch(x: Inputs, y: Inputs): Logs {
    return trainOnBatch(this.requireIdle('trainOnBatch()', true), x, y);
  }

  /** Loss and metrics on (x, y) as one batch, synchronously (Keras test_on_batch). */
  testOnBatch(x: Inputs, y: Inputs): Logs {
    return testOnBatch(this.requireReadable('testOnBatch()'), x, y);
  }

  /** Outputs for x as one batch, synchronously (Keras predict_on_batch). */
  predictOnBatch(x: Inputs): Tensor {
    return predictOnBatch(this.requireReadable('predictOnBatch()'), x);
  }

  /** Prints the Keras summary table (unless print is false or a function to print with) and returns it. */
  summary(args: { print?: boolean | ((s: string) => void) } = {}): string {
    this.checkUsable();
    if (this.layerList.length === 0) throw new SimdnetError('SIMDNET_NOT_BUILT', `Model ${this.name} has no layers`);
    const s = summaryTable(this.name, this.layerList);
    const print = args.print ?? true;
    if (typeof print === 'function') print(s);
    else if (print) console.log(s);
    return s;
  }

  countParams(): number {
    this.checkUsable();
    return this.layerList.reduce((a, l) => a + l.countParams(), 0);
  }

  /** Copies of every parameter (engine order: per layer kernel, bias / gamma, beta, moving_mean, moving_variance). */
  getWeights(): Tensor[] {
    const c = this.requireReadable('getWeights()');
    const infos = c.engine.params();
    return c.engine.getParams().map((v, i) => new Tensor(v, infos[i].shape));
  }

  /** Replaces every parameter (copied in); shapes must match getWeights(). */
  setWeights(weights: (Tensor | Float32Array | { data(): Float32Array })[]): void {
    const c = this.requireIdle('setWeights()');
    const infos = c.engine.params();
    if (!Array.isArray(weights) || weights.length !== infos.length)
      throw new SimdnetError('SIMDNET_SHAPE_MISMATCH', `Expected ${infos.length} weight arrays for setWeights() but received ${describe(weights)}`);
    const values = weights.map((w, i) => {
      const v = w instanceof Float32Array ? w.slice() : w instanceof Tensor ? w.data() : typeof w?.data === 'function' ? w.data() : null;
      if (!(v instanceof Float32Array)) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected Tensor or Float32Array for weights[${i}] but received ${describe(w)}`);
      if (w instanceof Tensor && w.shape.join(',') !== infos[i].shape.join(','))
        throw new SimdnetError('SIMDNET_SHAPE_MISMATCH', `Expected shape [${infos[i].shape}] for ${infos[i].name} but received [${w.shape}]`);
      // NaN or Inf weights make every prediction NaN (issue 11); loadModel refuses them too unless allowNonFinite.
      for (let k = 0; k < v.length; k++)
        if (!Number.isFinite(v[k])) throw new SimdnetError('SIMDNET_NOT_FINITE', `weights[${i}] (${infos[i].name}) holds ${v[k]} at index ${k}; weights must be finite`);
      return v;
    });
    c.engine.setParams(values);
  }

  /** @internal copies of one layer's parameters (Layer.getWeights). */
  layerWeights(layer: Layer): Float32Array[] {
    const c = this.requireReadable('getWeights()');
    const idx = this.layerList.indexOf(layer);
    const all = c.engine.getParams();
    return c.engine.params().flatMap((p, i) => (p.layerIndex === idx ? [all[i]] : []));
  }

  /** Topology for model.json. */
  getConfig(): { name: string; layers: { className: string; config: Record<string, unknown> }[] } {
    return { name: this.name, layers: this.layerList.map((l) => ({ className: l.className, config: l.getConfig() })) };
  }

  /** Saves topology, training config and weights to a directory, atomically (see lib/io). */
  async save(path: string): Promise<void> {
    const c = this.requireReadable('save()');
    // saveModel reads every array synchronously before its first await: one step's state, even during fit().
    await c.engine.consistentRead(() => saveModel(this, path));
  }

  /** Bytes the engine holds. */
  memoryBytes(): number {
    return this.compiled && !this.disposedFlag ? this.compiled.engine.memoryBytes() : 0;
  }

  /** Frees the engine; later calls throw SIMDNET_DISPOSED. Disposing during fit() cancels it first. */
  dispose(): void {
    if (this.disposedFlag) return;
    this.disposedFlag = true;
    if (this.compiled) {
      const engine = this.compiled.engine;
      engine.cancel();
      // An engine call in flight (fit's trainBatches stops after the current step once cancelled; predictAsync and
      // evaluateAsync run to completion) keeps its buffers until it settles: the engine is freed right after.
      const release = () => (engine.busy ? setTimeout(release, 1) : engine.dispose());
      release();
    }
    for (const l of this.layerList) l.dispose();
  }
}

export { History };
