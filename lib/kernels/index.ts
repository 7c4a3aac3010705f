/**
 * `simdnet/kernels`: the public low-level kernel API (docs/kernels.md, signatures in docs/kernels-ts.md).
 *
 * Every function here validates its arguments (throwing SimdnetTypeError / SimdnetRangeError with a `code`), then
 * runs the native kernel when getBackend() is 'native' and the addon is loaded, else the pure-TS twin. Inputs and
 * outputs are caller-provided Float32Arrays (Int32Array / Uint8Array where noted); functions that produce an array
 * also return it. Two namespaces skip the dispatch and the TS validation:
 *   - `reference`: the pure-TS twins (same semantics, no validation: pass valid arguments);
 *   - `native`: thin wrappers over the addon (the addon re-checks cheap invariants and throws coded errors; without
 *     the addon every call throws SIMDNET_NATIVE_UNAVAILABLE).
 * The lists below are explicit on purpose: the family modules also hold internal helpers (checkU53, INIT_KINDS,
 * resolveInit, split64, philoxBlock) that are not part of the API.
 */

// Types
export type { Activation } from './types.js';
export type { GemmArgs } from './gemm.js';
export type { AdamArgs } from './optim.js';
export type { PoolGeometry } from './pool.js';
export type { InitKind, InitSpec } from '../engine/engine.js';
export type { BackendName } from '../backend.js';
export type { ErrorCode } from '../errors.js';

// Runtime: backend choice, ISA and threads
export { getBackend, setBackend, runtimeInfo, setThreads } from '../backend.js';
export { SimdnetError, SimdnetRangeError, SimdnetTypeError } from '../errors.js';

// GEMM
export { gemm, gemmThreads, fmaPeak } from './gemm.js';
// Element-wise activations
export { activationForward, activationBackward } from './activations.js';
// Row softmax
export { softmaxForward, softmaxBackward } from './softmax.js';
// Losses
export { mse, bceProb, bceLogits, cceProb, softmaxCce, sparseSoftmaxCce, elementwise, type ElemLossKind } from './losses.js';
// Reductions
export { colSum, rowArgmax, sum, sumSquares, mean, firstNonFinite } from './reduce.js';
// Optimizer steps, penalties, clipping
export { sgd, momentum, adagrad, rmsprop, adam, addPenaltyGrad, penaltyValue, clipValue, scaleInplace } from './optim.js';
// Dropout
export { dropoutForward, dropoutBackward } from './dropout.js';
// Batch normalization
export { batchNormForwardTrain, batchNormForwardInfer, batchNormBackward } from './batchnorm.js';
// 2-D pooling (NHWC)
export { maxPool, maxPoolGrad, avgPool, avgPoolGrad } from './pool.js';
// Initializers and the Philox4x32-10 generator
export { initFill } from './init.js';
export { philox4x32, philoxWord, uniform01 } from './rng.js';

// Unvalidated direct access to either implementation
export * as reference from './reference/index.js';
export * as native from './native/index.js';
