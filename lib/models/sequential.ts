/**
 * Sequential: a stack of layers compiled into one Engine (native or JS) that owns weights, gradients and optimizer
 * state. The model only steers: fit/evaluate/predict cross into the engine once per epoch/chunk/call.
 */
import type { Engine, Logs, LossName, MetricName, PlanSpec } from '../engine/engine.js';
import { createEngine, defaultBackend, type EngineBackend } from '../engine/create.js';
import { SimdnetError, describe } from '../errors.js';
import { checkNumber, checkSize } from '../validate.js';
import { Layer, autoName } from '../layers/layer.js';
import { normalizeLoss, type LossIdentifier } from '../losses/index.js';
import type { Metric, MetricIdentifier } from '../metrics/index.js';
import { accumulate, fitMetricsCallback, savedMetricNames, splitMetrics } from '../metrics/model-metrics.js';
import { getOptimizer, type Optimizer, type OptimizerName } from '../optimizers/optimizer.js';
import { Tensor } from '../tensor.js';
import type { TrainingModel } from '../callbacks/callback.js';
import { History } from './history.js';
import { resolveSampleWeights, type ClassWeight, type SampleWeight } from './sample-weight.js';
import { runFit, type FitArgs, type Inputs } from './fit.js';
import { summaryTable } from './summary.js';
import { saveFormat, saveModel, saveOnnx } from '../io/save.js';
import type { SaveOptions } from '../export/save-options.js';
import { saveTfjs } from '../io/tfjs/save.js';
import { copyWeightsTo, type TfjsLayersModelLike, type TfjsNamespaceLike } from '../interop/tfjs.js';
import { INFERENCE_LOSS, carryParams, inferenceOptimizer, notCompiledMessage } from './inference.js';
import { predictOnBatch, testOnBatch, trainOnBatch } from './on-batch.js';
import { runEvaluateDataset, runFitDataset, runPredictDataset, type DatasetSource, type FitDatasetArgs } from './fit-dataset.js';
import { checkFinite, checkSameRows, prepareEvalAsync, prepareInputs, prepareInputsAsync, prepareTargets } from './data.js';
import { releaseConverted } from './ingest.js';

export interface SequentialArgs {
  /** Layers, first one with inputShape. */
  layers?: Layer[];
  /** Model name (default 'sequential', 'sequential_1', ...). */
  name?: string;
}

export interface CompileArgs {
  /** optimizers.adam({...}) etc., or a name ('adam', 'sgd', ...) for the defaults. */
  optimizer: Optimizer | OptimizerName;
  /** 'categoricalCrossentropy', 'sparseCategoricalCrossentropy', 'binaryCrossentropy', 'meanSquaredError',
   *  'meanAbsoluteError', 'huber', 'logCosh', 'hinge', 'squaredHinge', 'kullbackLeiblerDivergence', 'poisson'
   *  (Keras aliases ok; docs/losses.md). */
  loss: LossIdentifier;
  /** delta of the 'huber' loss (Keras keras.losses.Huber(delta)), default 1.0; refused for other losses. */
  huberDelta?: number;
  /** Names ('accuracy', 'mse', 'mae' run in the engine; 'precision', 'auc', ... in JS) or Metric objects (docs/metrics.md). */
  metrics?: MetricIdentifier[];
  /** 'native' (default when the addon loaded) or 'js'. */
  backend?: EngineBackend;
  /** Seeds initialisation, dropout and (by default) shuffling: same seed, same machine and threads = same run. */
  seed?: number;
}

export interface PredictArgs {
  /** Samples per engine batch (default 32; only memory and speed depend on it). */
  batchSize?: number;
}
export interface EvaluateArgs extends PredictArgs {
  /** One weight (finite, >= 0) per sample: the loss is sum(w_i l_i) / batch size per batch; the compiled metrics
   *  stay unweighted (Keras 3 evaluate(sample_weight) with compile(metrics=...); docs/engine.md "Sample weights"). */
  sampleWeight?: SampleWeight;
}

/** trainOnBatch's options (Keras train_on_batch(sample_weight, class_weight)); testOnBatch takes sampleWeight. */
export interface OnBatchArgs {
  sampleWeight?: SampleWeight;
  classWeight?: ClassWeight;
}

interface Compiled {
  engine: Engine;
  optimizer: Optimizer;
  loss: LossName;
  metrics: MetricName[];
  /** Metrics computed in JS from predictions (lib/metrics/model-metrics.ts). */
  jsMetrics: Metric[];
  seed: number;
  backend: EngineBackend;
  /** false for the inference-only engine a never-compiled model builds on first use (lib/models/inference.ts). */
  byUser: boolean;
  /** compile({ huberDelta }), when given. */
  huberDelta?: number;
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
  /** Weights of the layers an inference engine held when add() dropped it; restored into the next engine. */
  private carried: Float32Array[] | null = null;

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
    if (this.compiled?.byUser) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', 'Cannot add layers to a compiled model; build a new Sequential');
    if (this.layerList.includes(layer)) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Layer ${layer.name} is already in this model`);
    if (this.layerList.some((l) => l.name === layer.name))
      throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `The model already has a layer named ${layer.name}; layer names must be unique`);
    if (this.layerList.length === 0 && layer.declaredInputSize === null)
      throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `The first layer (${layer.name}) needs inputShape, e.g. new Dense({ units: 10, inputShape: [784] })`);
    const inSize = this.layerList.length === 0 ? layer.declaredInputSize! : this.layerList[this.layerList.length - 1].outputSize;
    layer.build(inSize);
    if (this.compiled) {
      // An inference-only engine (predict or getWeights before compile) has the old topology: keep its weights for
      // the layers it had and let the next use build a new engine, as Keras keeps built layers' weights on add().
      if (this.compiled.engine.busy) throw new SimdnetError('SIMDNET_BUSY', `Model ${this.name} is running predictAsync(); add() must wait until it settles`);
      this.carried = this.compiled.engine.getParams();
      this.compiled.engine.dispose();
      this.compiled = null;
    }
    this.layerList.push(layer);
    layer.owner = this;
  }

  private checkUsable(): void {
    if (this.disposedFlag) throw new SimdnetError('SIMDNET_DISPOSED', `Model ${this.name} has been disposed`);
  }

  /** compile() was called: training, evaluation and the learning rate need a loss and an optimizer. */
  private requireCompiled(what: string): Compiled {
    this.checkUsable();
    if (!this.compiled?.byUser) throw new SimdnetError('SIMDNET_NOT_COMPILED', notCompiledMessage(this.name, what));
    return this.compiled;
  }

  /**
   * The engine for inference and weights: the compiled one, or on a never-compiled model an inference-only engine
   * built now (weights initialised as the layers say, seeded at random, as Keras builds a model's weights before
   * compile). compile() later keeps these weights.
   */
  private requireEngine(what: string): Compiled {
    this.checkUsable();
    if (this.compiled) return this.compiled;
    if (this.layerList.length === 0) throw new SimdnetError('SIMDNET_NOT_BUILT', `Model ${this.name} has no layers; add layers before ${what}`);
    const optimizer = inferenceOptimizer();
    const seed = Math.floor(Math.random() * 2 ** 31);
    const backend = defaultBackend();
    const engine = createEngine({
      inputSize: this.inputSize, layers: this.layerList.map((l) => l.toSpec()), loss: INFERENCE_LOSS, metrics: [], optimizer: optimizer.toSpec(), seed,
    }, backend);
    if (this.carried) engine.setParams(carryParams(engine, this.carried));
    this.carried = null;
    this.compiled = { engine, optimizer, loss: INFERENCE_LOSS, metrics: [], jsMetrics: [], seed, backend, byUser: false };
    for (const l of this.layerList) l.owner = this;
    return this.compiled;
  }

  /** Compiled and the engine not mid-call. `strict` also refuses while a fit() is in progress (callbacks run then). */
  private requireIdle(what: string, strict = false): Compiled {
    return this.idle(this.requireCompiled(what), what, strict);
  }

  /** An engine (compiled or inference-only) not mid-call. */
  private requireIdleEngine(what: string): Compiled {
    return this.idle(this.requireEngine(what), what, false);
  }

  private idle(c: Compiled, what: string, strict: boolean): Compiled {
    if ((strict && this.training) || c.engine.busy) throw new SimdnetError('SIMDNET_BUSY', `Model ${this.name} is training; ${what} must wait until fit() settles`);
    return c;
  }

  /** Compiled, and reads allowed: idle, or fit() running (reads then see its latest published step). */
  private requireReadable(what: string): Compiled {
    return this.readable(this.requireCompiled(what), what);
  }

  /** An engine (compiled or inference-only) that allows reads: idle, or fit() running. */
  private requireReadableEngine(what: string): Compiled {
    return this.readable(this.requireEngine(what), what);
  }

  private readable(c: Compiled, what: string): Compiled {
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
    if (args.huberDelta !== undefined && loss !== 'huber')
      throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `huberDelta applies to the 'huber' loss only, not ${loss}`);
    const huberDelta = args.huberDelta === undefined ? undefined : checkNumber(args.huberDelta, 'huberDelta', { lo: 0, loOpen: true });
    const metricsArg = args.metrics ?? [];
    if (!Array.isArray(metricsArg)) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected an array for metrics but received ${describe(metricsArg)}`);
    const { engine: metrics, js: jsMetrics } = splitMetrics(metricsArg);
    const seed = args.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : checkSize(args.seed, 'seed');
    const backend = args.backend ?? defaultBackend();
    const plan: PlanSpec = {
      inputSize: this.inputSize, layers: this.layerList.map((l) => l.toSpec()), loss, metrics, optimizer: optimizer.toSpec(), seed,
      ...(huberDelta === undefined ? {} : { huberDelta }),
    };
    const engine = createEngine(plan, backend);
    // Recompiling keeps the trained weights (Keras), as does compiling a model used for inference first: copy them
    // into the new engine, fresh optimizer state.
    if (this.compiled) {
      engine.setParams(this.compiled.engine.getParams());
      this.compiled.engine.dispose();
    } else if (this.carried) {
      engine.setParams(carryParams(engine, this.carried));
    }
    this.carried = null;
    this.compiled = { engine, optimizer, loss, metrics, jsMetrics, seed, backend, byUser: true, huberDelta };
    for (const l of this.layerList) l.owner = this;
  }

  get isCompiled(): boolean {
    return this.compiled?.byUser === true;
  }

  get isDisposed(): boolean {
    return this.disposedFlag;
  }

  get isTraining(): boolean {
    return this.training;
  }

  /** The engine's backend, or null before compile. */
  get backend(): EngineBackend | null {
    return this.compiled?.byUser ? this.compiled.backend : null;
  }

  get optimizer(): Optimizer | null {
    return this.compiled?.byUser ? this.compiled.optimizer : null;
  }

  get loss(): LossName | null {
    return this.compiled?.byUser ? this.compiled.loss : null;
  }

  /** The log names of the compiled metrics: the engine's, then the JS ones. */
  get metrics(): string[] {
    return this.compiled?.byUser ? [...this.compiled.metrics, ...this.compiled.jsMetrics.map((m) => m.name)] : [];
  }

  /** The huber loss's delta when compile() was given one (saved with the training config). */
  get huberDelta(): number | undefined {
    return this.compiled?.byUser ? this.compiled.huberDelta : undefined;
  }

  get seed(): number | null {
    return this.compiled?.byUser ? this.compiled.seed : null;
  }

  /** @internal the engine (tests, io): the compiled one, or the inference-only one of a never-compiled model. */
  get engine(): Engine {
    return this.requireEngine('using its engine').engine;
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
      if (c.jsMetrics.length > 0 && (args === undefined || (typeof args === 'object' && args !== null))) {
        // First, so that the user's callbacks (EarlyStopping, the progress bar) see the JS metrics in the logs.
        const cb = fitMetricsCallback(c.jsMetrics, c.engine, c.loss, x, y, args);
        if (cb) args = { ...args, callbacks: [cb, ...(Array.isArray(args?.callbacks) ? args.callbacks : [])] };
      }
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
    const w = resolveSampleWeights(ym, c.loss, c.engine.outputSize, args?.sampleWeight, undefined);
    const logs = c.engine.evaluate(xm.data, ym.data, xm.rows, batchSize, w);
    if (c.jsMetrics.length === 0) return logs;
    return { ...logs, ...accumulate(c.jsMetrics, ym, c.engine.predict(xm.data, xm.rows, batchSize), c.engine.outputSize, batchSize) };
  }

  async evaluateAsync(x: Inputs, y: Inputs, args?: EvaluateArgs): Promise<Logs> {
    const c = this.requireReadable('evaluateAsync()');
    const batchSize = checkSize(args?.batchSize ?? 32, 'batchSize', 1);
    const d = prepareEvalAsync(x, y, c.loss, c.engine.inputSize, c.engine.outputSize); // nested input: in slices
    const { xm, ym } = d instanceof Promise ? await d : d;
    try {
      const w = resolveSampleWeights(ym, c.loss, c.engine.outputSize, args?.sampleWeight, undefined);
      const logs = await c.engine.evaluateAsync(xm.data, ym.data, xm.rows, batchSize, w);
      if (c.jsMetrics.length === 0) return logs;
      const out = await c.engine.predictAsync(xm.data, xm.rows, batchSize);
      return { ...logs, ...accumulate(c.jsMetrics, ym, out, c.engine.outputSize, batchSize) };
    } finally {
      releaseConverted(xm, ym); // what this call converted, freed now rather than by a GC (./ingest.ts)
    }
  }

  /** Outputs for x in inference mode, as an [n, outputSize] Tensor. */
  predict(x: Inputs, args?: PredictArgs): Tensor {
    const c = this.requireReadableEngine('predict()');
    const batchSize = checkSize(args?.batchSize ?? 32, 'batchSize', 1);
    const xm = prepareInputs(x, c.engine.inputSize, 'x');
    return new Tensor(c.engine.predict(xm.data, xm.rows, batchSize), [xm.rows, c.engine.outputSize]);
  }

  /** predict off the main thread (native engine); the JS engine runs it after yielding once. */
  async predictAsync(x: Inputs, args?: PredictArgs): Promise<Tensor> {
    const c = this.requireReadableEngine('predictAsync()');
    const batchSize = checkSize(args?.batchSize ?? 32, 'batchSize', 1);
    const xP = prepareInputsAsync(x, c.engine.inputSize, 'x'); // nested input: in slices
    const xm = xP instanceof Promise ? await xP : xP;
    try {
      const out = await c.engine.predictAsync(xm.data, xm.rows, batchSize);
      return new Tensor(out, [xm.rows, c.engine.outputSize]);
    } finally {
      releaseConverted(xm); // what this call converted, freed now rather than by a GC (./ingest.ts)
    }
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
  trainOnBatch(x: Inputs, y: Inputs, args?: OnBatchArgs): Logs {
    return trainOnBatch(this.requireIdle('trainOnBatch()', true), x, y, args);
  }

  /** Loss and metrics on (x, y) as one batch, synchronously (Keras test_on_batch). */
  testOnBatch(x: Inputs, y: Inputs, args?: Pick<OnBatchArgs, 'sampleWeight'>): Logs {
    return testOnBatch(this.requireReadable('testOnBatch()'), x, y, args);
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
    const c = this.requireReadableEngine('getWeights()');
    const infos = c.engine.params();
    return c.engine.getParams().map((v, i) => new Tensor(v, infos[i].shape));
  }

  /** Replaces every parameter (copied in); shapes must match getWeights(). */
  setWeights(weights: (Tensor | Float32Array | { data(): Float32Array })[]): void {
    const c = this.requireIdleEngine('setWeights()');
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
    const c = this.requireReadableEngine('getWeights()');
    const idx = this.layerList.indexOf(layer);
    const all = c.engine.getParams();
    return c.engine.params().flatMap((p, i) => (p.layerIndex === idx ? [all[i]] : []));
  }

  /** Topology for model.json. */
  getConfig(): { name: string; layers: { className: string; config: Record<string, unknown> }[] } {
    return { name: this.name, layers: this.layerList.map((l) => ({ className: l.className, config: l.getConfig() })) };
  }

  /** Saves topology, training config and weights to a directory, atomically (see lib/io). */
  async save(path: string, options?: SaveOptions): Promise<void> {
    const c = this.requireReadableEngine('save()');
    const format = saveFormat(options);
    if (format === 'onnx') return c.engine.consistentRead(() => saveOnnx(this, path, options!.onnx));
    if (format === 'tfjs') return c.engine.consistentRead(() => saveTfjs(this, path));
    // A never-compiled model saves no trainingConfig: loadModel returns it uncompiled (docs/metrics.md, "Inference
    // without compile").
    // saveModel reads every array synchronously before its first await: one step's state, even during fit().
    await c.engine.consistentRead(() => saveModel(saveView(this, c), path));
  }

  /**
   * Writes this model's weights into a tfjs LayersModel of the same architecture (e.g. the one fromTfjs read), by
   * layer and weight name (lib/interop/tfjs.ts). `tf` (the user's tfjs namespace) makes the tensors; without it,
   * tfjs's global engine does.
   */
  copyWeightsTo(tfModel: TfjsLayersModelLike, tf?: TfjsNamespaceLike): void {
    this.requireReadableEngine('copyWeightsTo()');
    copyWeightsTo(this, tfModel, tf);
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

/**
 * What lib/io/save.ts reads of a model: the engine's settings (the inference stand-ins before compile), and the
 * metrics that loadModel can rebuild by name (savedMetricNames).
 */
function saveView(model: Sequential, c: Compiled): Sequential {
  // A never-compiled model's inference engine (byUser false) has no training config to save (loss null).
  return {
    engine: c.engine, loss: c.byUser ? c.loss : null, metrics: savedMetricNames(c.metrics, c.jsMetrics), optimizer: c.optimizer, seed: c.seed,
    huberDelta: c.huberDelta, getConfig: () => model.getConfig(),
  } as unknown as Sequential;
}

export { History };
