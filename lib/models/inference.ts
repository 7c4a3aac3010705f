/**
 * Inference without compile (issue 15): Keras and tfjs let a built model predict, hand out and take weights, save
 * and summarise before compile(); only fit and evaluate need a loss and an optimizer. Our engines always carry both,
 * so a never-compiled model gets an inference-only engine with these stand-ins, which nothing trains with.
 */
import type { Engine, LossName } from '../engine/engine.js';
import { SimdnetError } from '../errors.js';
import { sgd, type Optimizer } from '../optimizers/optimizer.js';

/** Any loss fits any output layer for the forward pass; meanSquaredError places no constraint on the outputs. */
export const INFERENCE_LOSS: LossName = 'meanSquaredError';

export function inferenceOptimizer(): Optimizer {
  return sgd();
}

/**
 * Keras 3 (keras/src/trainers/trainer.py, _assert_compile_called) raises "You must call `compile()` before using
 * the model." from fit, evaluate, train_on_batch and test_on_batch; we add which call and which model.
 */
export function notCompiledMessage(model: string, what: string): string {
  return `You must call \`compile()\` before using the model (${what} on model ${model}).`;
}

/**
 * The new engine's parameters with the leading ones replaced by `carried` (the weights of the layers an earlier
 * engine had: parameters are in layer order, so an added layer only appends).
 */
export function carryParams(engine: Engine, carried: Float32Array[]): Float32Array[] {
  const fresh = engine.getParams();
  if (carried.length > fresh.length || carried.some((v, i) => v.length !== fresh[i].length))
    throw new SimdnetError('SIMDNET_SHAPE_MISMATCH', 'The layers before add() no longer match their saved weights');
  return fresh.map((v, i) => (i < carried.length ? carried[i] : v));
}
