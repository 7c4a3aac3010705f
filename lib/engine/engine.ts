/**
 * The engine contract: a compiled model (plan) that owns its parameters, activations, gradients and optimizer state
 * and runs whole training steps. Two implementations with the same semantics:
 *   - NativeEngine (lib/engine/native-engine.ts): buffers in native memory, a step is one addon call, trainBatches
 *     runs off the main thread (Napi::AsyncWorker) and resolves between epochs/chunks;
 *   - JsEngine (lib/engine/js-engine.ts): the pure-TS twin built on lib/kernels/reference, used by backend: 'js'
 *     and as the comparison side of the benchmarks.
 * The user-facing API (Sequential, fit, callbacks...) talks only to this interface.
 */

export type ActivationKind = 'linear' | 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu' | 'softmax';
export interface ActivationSpec {
  kind: ActivationKind;
  /** leakyRelu slope (default 0.01). */
  alpha?: number;
  /** softmax temperature (default 1). */
  temperature?: number;
}

export type InitKind =
  | 'zeros' | 'ones' | 'constant' | 'randomUniform' | 'randomNormal' | 'truncatedNormal'
  | 'glorotUniform' | 'glorotNormal' | 'heUniform' | 'heNormal' | 'lecunUniform' | 'lecunNormal';
export interface InitSpec {
  kind: InitKind;
  /** constant value; uniform lower bound / normal mean */
  value?: number;
  minval?: number;
  maxval?: number;
  mean?: number;
  stddev?: number;
}

export interface RegularizerSpec {
  l1: number;
  l2: number;
}

/** Every layer spec also carries `name` (unique in the model, e.g. 'dense_1'), used in ParamInfo names. */
export type LayerSpec = { name: string } & (
  | {
      type: 'dense';
      inputSize: number;
      units: number;
      useBias: boolean;
      activation: ActivationSpec;
      kernelInitializer: InitSpec;
      biasInitializer: InitSpec;
      kernelRegularizer: RegularizerSpec | null;
      biasRegularizer: RegularizerSpec | null;
    }
  | { type: 'activation'; size: number; activation: ActivationSpec }
  | { type: 'dropout'; size: number; rate: number; seed: number | null }
  | { type: 'batchNormalization'; size: number; momentum: number; epsilon: number; center: boolean; scale: boolean }
);

export type LossName = 'meanSquaredError' | 'binaryCrossentropy' | 'categoricalCrossentropy' | 'sparseCategoricalCrossentropy'
  | 'meanAbsoluteError' | 'huber' | 'logCosh' | 'hinge' | 'squaredHinge' | 'kullbackLeiblerDivergence' | 'poisson';
export type MetricName = 'accuracy' | 'mse' | 'mae';

import type { OptimizerStateEntry } from './optimizer-state.js';

export interface OptimizerSpec {
  kind: 'sgd' | 'momentum' | 'adagrad' | 'rmsprop' | 'adam' | 'adamw';
  /** The initial learning rate; schedules change it per step through lrPerStep / setLearningRate. */
  learningRate: number;
  momentum?: number; // momentum, rmsprop
  dampening?: number; // momentum (PyTorch)
  nesterov?: boolean; // momentum
  rho?: number; // rmsprop (PyTorch alpha), default 0.9 (Keras) -- documented in docs/optimizers.md
  centered?: boolean; // rmsprop
  epsilon?: number; // adagrad, rmsprop, adam, adamw
  initialAccumulatorValue?: number; // adagrad
  beta1?: number; // adam, adamw
  beta2?: number;
  amsgrad?: boolean;
  weightDecay?: number; // adamw (decoupled); for others PyTorch's coupled L2 (default 0)
  clipNorm?: number; // clip gradients by their global norm (over all parameters), before the update
  clipValue?: number; // clip each gradient element into [-clipValue, clipValue], before clipNorm
}

export interface PlanSpec {
  inputSize: number;
  layers: LayerSpec[];
  loss: LossName;
  /** The huber loss's delta (> 0; Keras's default 1.0 when omitted). */
  huberDelta?: number;
  metrics: MetricName[];
  optimizer: OptimizerSpec;
  /** Seeds initializers and dropout (each layer derives its own stream). */
  seed: number;
}

export interface ParamInfo {
  /** e.g. 'dense_1/kernel', 'dense_1/bias', 'batch_normalization_1/gamma', '.../moving_mean' */
  name: string;
  layerIndex: number;
  shape: number[];
  trainable: boolean;
}

/** Loss (including regularization penalties, as Keras reports it) and metrics, averaged over the samples seen. */
export interface Logs {
  loss: number;
  [metric: string]: number;
}

export interface LayerDiagnostics {
  layerIndex: number;
  /** L2 norm of the layer's weight gradient (kernel for dense), averaged over the steps run. */
  gradNorm: number;
  /** L2 norm of the weights after the last step. */
  weightNorm: number;
  /** |update| / |W| averaged over steps. */
  updateRatio: number;
  /** Fraction of output units that were <= 0 for every sample of the last batch (ReLU-family layers; else 0). */
  deadFraction: number;
  activationMean: number;
  activationStd: number;
}

export interface TrainBatchesArgs {
  /** n x inputSize samples and n x outputSize targets (sparse: n labels stored as floats). Not copied: must stay
   *  unchanged until the promise settles. */
  x: Float32Array;
  y: Float32Array;
  n: number;
  /** Sample order for this epoch (length n); the batches are order[b*batchSize ...]. */
  order: Uint32Array;
  batchSize: number;
  /** Batch indices [firstBatch, firstBatch + batchCount) of this epoch; the last batch of an epoch may be short. */
  firstBatch: number;
  batchCount: number;
  /** Learning rate for each of these batches (length batchCount), from the schedule; omitted = current rate. */
  lrPerStep?: Float32Array;
  /** Collect LayerDiagnostics over these steps. */
  diagnostics?: boolean;
  /** Per-sample weights (length n, indexed like x and y, finite and >= 0; docs/engine.md "Sample weights"). */
  sampleWeight?: Float32Array;
}

export interface TrainBatchesResult {
  /** Steps actually run (fewer than batchCount after cancel()). */
  steps: number;
  /** Sample-weighted mean of loss and metrics over the steps run. */
  logs: Logs;
  diagnostics?: LayerDiagnostics[];
}

export interface Engine {
  readonly backend: 'native' | 'js';
  readonly inputSize: number;
  readonly outputSize: number;
  /** Parameters in layer order: trainable and non-trainable (batch norm's moving mean/variance). */
  params(): ParamInfo[];
  /** Copies of every parameter, in params() order. */
  getParams(): Float32Array[];
  /** Replaces every parameter (copied in), in params() order; lengths must match. Optimizer state is kept. */
  setParams(values: Float32Array[]): void;
  /** Optimizer state reset (fresh moments, step counter 0). */
  resetOptimizer(): void;
  /** Copies of the optimizer's state arrays, in the order of optimizerStateLayout() (lib/engine/optimizer-state.ts):
   *  per trainable parameter, e.g. Adam's m and v. With step, what save() stores so that training resumes exactly. */
  getOptimizerState(): Float32Array[];
  /** Replaces the optimizer's state arrays (copied in; same count and lengths as getOptimizerState()) and sets the
   *  step counter. Nothing changes when an argument is bad. */
  setOptimizerState(arrays: Float32Array[], step: number): void;
  /** Copies `values` into parameter `index` ('param', params() order) or optimizer state array `index`
   *  ('optimizerState', optimizerStateLayout() order) from element `offset` on: loadModel streams a file into a fresh
   *  engine in small chunks with it (lib/io/load.ts), never holding a whole-file copy. Checked before copying. */
  writeSlice(kind: 'param' | 'optimizerState', index: number, offset: number, values: Float32Array): void;
  /** Sets the optimizer's step counter alone (after writeSlice has written its state). */
  setOptimizerStep(step: number): void;
  /** What getOptimizerState() returns: one entry per array (parameter, slot name, length). */
  optimizerStateLayout(): OptimizerStateEntry[];
  getLearningRate(): number;
  setLearningRate(lr: number): void;
  /** Number of optimizer steps taken so far (Adam's t). */
  readonly step: number;
  /** One synchronous step on batch rows [0, batch) of x/y. Returns that batch's logs. */
  trainStep(x: Float32Array, y: Float32Array, batch: number, sampleWeight?: Float32Array): Logs;
  /** Data-parallel split step (lib/distributed, docs/engine.md "Distributed training"): floats of all trainable
   *  parameters together, in params() order -- the flat gradient layout of gradientSums/applyGradientSums. */
  gradientSize(): number;
  /** Training-mode forward, loss and backward on rows [0, batch) of x/y: writes batch x the batch-mean data-loss
   *  gradient (a per-sample SUM that ranks can add up) into out[0, gradientSize()). Returns the batch's logs. No
   *  update, no step; batch-norm moving statistics advance as in trainStep. */
  gradientSums(x: Float32Array, y: Float32Array, batch: number, out: Float32Array): Logs;
  /** The rest of a step from summed gradients: gradient = sums / count, then penalty gradients, clipValue,
   *  clipNorm, step += 1 and the optimizer update at lr (default: the current rate), as trainStep does. */
  applyGradientSums(sums: Float32Array, count: number, lr?: number): void;
  /** gradientSums off the JS thread: the native engine runs it as a job on a worker thread (reads meanwhile see the
   *  published snapshot, as during trainBatches). `out` must not be touched until the promise settles. */
  gradientSumsAsync(x: Float32Array, y: Float32Array, batch: number, out: Float32Array): Promise<Logs>;
  /** applyGradientSums off the JS thread, likewise. `sums` must not be touched until the promise settles. */
  applyGradientSumsAsync(sums: Float32Array, count: number, lr?: number): Promise<void>;
  /** Many steps; the native engine runs them on a worker thread. Rejects with SIMDNET_BUSY if already running. */
  trainBatches(args: TrainBatchesArgs): Promise<TrainBatchesResult>;
  /** Asks a running trainBatches to stop after the current step. */
  cancel(): void;
  /** Loss and metrics in inference mode (dropout off, batch-norm running stats). */
  /** sampleWeight (length n): the loss is sum_i w_i l_i / batch per batch, the metrics weighted means (Keras 3). */
  evaluate(x: Float32Array, y: Float32Array, n: number, batchSize: number, sampleWeight?: Float32Array): Logs;
  evaluateAsync(x: Float32Array, y: Float32Array, n: number, batchSize: number, sampleWeight?: Float32Array): Promise<Logs>;
  /** n x outputSize outputs in inference mode. */
  predict(x: Float32Array, n: number, batchSize: number): Float32Array;
  predictAsync(x: Float32Array, n: number, batchSize: number): Promise<Float32Array>;
  /** Bytes of native (or JS typed-array) memory the plan holds now. */
  memoryBytes(): number;
  readonly busy: boolean;
  /** Reads (getParams, getOptimizerState, step, evaluate, predict, their async forms) are allowed now: the engine
   *  is idle or trainBatches runs (reads then see one completed step: docs/engine.md, "Serving while training"). */
  readonly readable: boolean;
  /** Runs synchronous reads so that all of them see the same step (save() during training). */
  consistentRead<T>(read: () => T): T;
  dispose(): void;
  readonly disposed: boolean;
}
