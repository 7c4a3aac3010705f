/**
 * Thin typed wrappers over the addon (`simdnet/kernels` exports this as `native`): the same names and signatures as
 * the `reference` twins, plus the native-only gemmThreads and fmaPeak. No TS validation beyond what a wrapper reads
 * itself (adam's args bag, initFill's spec, philoxWord's index); the addon re-checks every argument and throws
 * TypeError/RangeError with a `code`. Without the addon each call throws
 * SIMDNET_NATIVE_UNAVAILABLE. They always use the addon, whatever setBackend() says.
 */
export { gemm, gemmThreads, fmaPeak } from './gemm.js';
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
