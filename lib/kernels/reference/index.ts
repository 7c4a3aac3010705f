/**
 * The pure-TS twins of every kernel (`simdnet/kernels` exports this as `reference`). Same names and signatures as
 * the public functions, no validation: callers pass valid arguments (lib/kernels/<family>.ts validates for the
 * public API). gemmThreads and fmaPeak exist only natively (a thread count and a CPU peak mean nothing here).
 * Internal helpers of these modules (INIT_KINDS, resolveInit, split64, philoxBlock) are deliberately not listed.
 */
export { gemm } from './gemm.js';
export { activationForward, activationBackward } from './activations.js';
export { softmaxForward, softmaxBackward } from './softmax.js';
export { mse, bceProb, bceLogits, cceProb, softmaxCce, sparseSoftmaxCce, elementwise } from './losses.js';
export { colSum, rowArgmax, sum, sumSquares, mean, firstNonFinite } from './reduce.js';
export { sgd, momentum, adagrad, rmsprop, adam, addPenaltyGrad, penaltyValue, clipValue, scaleInplace } from './optim.js';
export { dropoutForward, dropoutBackward } from './dropout.js';
export { batchNormForwardTrain, batchNormForwardInfer, batchNormBackward } from './batchnorm.js';
export { maxPool, maxPoolGrad, avgPool, avgPoolGrad } from './pool.js';
export { initFill } from './init.js';
export { philox4x32, philoxWord, uniform01 } from './rng.js';
