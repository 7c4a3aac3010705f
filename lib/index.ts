/**
 * simdnet: the public entry point. Keras-shaped API (Sequential, layers, optimizers, losses, callbacks, schedules,
 * save/load) over an Engine that is native (the N-API addon) or pure TS (backend: 'js').
 */
export { Sequential, History } from './models/index.js';
export type { SequentialArgs, CompileArgs, PredictArgs, EvaluateArgs, FitArgs, Inputs } from './models/index.js';
export { Layer, Dense, Activation, Dropout, BatchNormalization } from './layers/index.js';
export type {
  BaseLayerArgs, DenseArgs, ActivationArgs, DropoutArgs, BatchNormalizationArgs, ActivationIdentifier, InitializerIdentifier, RegularizerArgs,
} from './layers/index.js';
export { Tensor, tensor } from './tensor.js';
export type { TensorLike, NestedArray } from './tensor.js';
export * as optimizers from './optimizers/index.js';
export { Optimizer } from './optimizers/index.js';
export * as callbacks from './callbacks/index.js';
export type { Callback } from './callbacks/index.js';
export * as schedules from './schedules/index.js';
export { normalizeLoss, type LossIdentifier, type LossName } from './losses/index.js';
export { normalizeMetric, Metric, confusionMatrix, classificationReport } from './metrics/index.js';
export type { MetricIdentifier, MetricInput, ClassificationReport, ClassScores } from './metrics/index.js';
/** Metric objects with state (Keras 3's): metrics.precision({ threshold }), new metrics.AUC({ curve: 'PR' }), ... */
export * as metrics from './metrics/factories.js';
export type { OptimizerName } from './optimizers/index.js';
export type { ActivationName } from './layers/activations.js';
export type { InitializerName } from './layers/initializers.js';
// From load.js, not io/index.js: index.d.ts then reaches no file that needs @types/node (test/types).
export { loadModel, type LoadModelArgs } from './io/load.js';
export type { SaveOptions } from './export/save-options.js';
/** ONNX export (docs/onnx.md): the model's inference graph as ONNX bytes; model.save(path, { format: 'onnx' }) writes them. */
export { toOnnx, type ToOnnxOptions } from './export/onnx/index.js';
/**
 * TensorFlow.js interop (docs/interop.md): tfjs LayersModels in and out; model.save(dir, { format: 'tfjs' }) and
 * loadModel(dir) cover the file format. simdnet never imports tfjs: toTfjs takes the caller's tfjs namespace.
 */
export { fromTfjs, toTfjs, type TfjsLayersModelLike, type TfjsNamespaceLike, type TfjsWeightLike } from './interop/tfjs.js';
export { SimdnetError, SimdnetTypeError, SimdnetRangeError, type ErrorCode } from './errors.js';
export { getBackend, setBackend, runtimeInfo, setThreads, type BackendName } from './backend.js';
export { setFlushSubnormals } from './native.js';
export { createEngine } from './engine/create.js';
export { JsEngine } from './engine/js-engine.js';
export type { Engine, PlanSpec, LayerSpec, Logs, LayerDiagnostics } from './engine/engine.js';
/** The low-level kernel API (also importable as 'simdnet/kernels'). */
export * as kernels from './kernels/index.js';
/** Data loaders (IDX, CSV, the embedded UCI digits, Fashion-MNIST) and transforms (also importable as 'simdnet/data'). */
export * as data from './data/index.js';
/** Data-parallel training over Open MPI (docs/distributed.md). */
export * as distributed from './distributed/index.js';
