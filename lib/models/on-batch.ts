/**
 * trainOnBatch, testOnBatch, predictOnBatch (Keras train_on_batch / test_on_batch / predict_on_batch, tfjs
 * trainOnBatch): one batch, synchronous, one native call each (engine.trainStep / evaluate / predict with the whole
 * input as one batch). For streaming loops that bring their own batches; fit() stays the fast path for arrays.
 *
 * trainOnBatch takes one optimizer step: the learning-rate schedule, if any, gives the rate for the engine's current
 * step, as fit() does. Inputs are any accepted form (lib/tensor.ts toMatrix); they are converted and checked
 * (finite values, sparse labels) before the step, so a bad batch changes nothing.
 */
import type { Engine, Logs, LossName } from '../engine/engine.js';
import type { Optimizer } from '../optimizers/optimizer.js';
import { Tensor } from '../tensor.js';
import { checkFinite, checkSameRows, prepareInputs, prepareTargets } from './data.js';
import { resolveSampleWeights } from './sample-weight.js';

export interface OnBatchHost {
  engine: Engine;
  optimizer: Optimizer;
  loss: LossName;
}

function batchOf(host: OnBatchHost, x: unknown, y: unknown) {
  const xm = prepareInputs(x, host.engine.inputSize, 'x');
  const ym = prepareTargets(y, host.loss, host.engine.outputSize, 'y');
  checkSameRows(xm, ym, 'x', 'y');
  checkFinite(xm, 'x');
  checkFinite(ym, 'y');
  return { xm, ym };
}

/** One training step on (x, y); returns that batch's loss and metrics (before the update, as Keras reports). */
export function trainOnBatch(host: OnBatchHost, x: unknown, y: unknown,
  args?: { sampleWeight?: unknown; classWeight?: unknown }): Logs {
  const { xm, ym } = batchOf(host, x, y);
  const w = resolveSampleWeights(ym, host.loss, host.engine.outputSize, args?.sampleWeight, args?.classWeight);
  const schedule = host.optimizer.schedule;
  // Rounded to float32 as fit() passes its per-step rates (lrPerStep), so both take the same steps.
  if (schedule) host.engine.setLearningRate(Math.fround(schedule.valueAt(host.engine.step)));
  return host.engine.trainStep(xm.data, ym.data, xm.rows, w);
}

/** Loss and metrics on (x, y) in inference mode, as one batch. */
export function testOnBatch(host: OnBatchHost, x: unknown, y: unknown, args?: { sampleWeight?: unknown }): Logs {
  const { xm, ym } = batchOf(host, x, y);
  const w = resolveSampleWeights(ym, host.loss, host.engine.outputSize, args?.sampleWeight, undefined);
  return host.engine.evaluate(xm.data, ym.data, xm.rows, xm.rows, w);
}

/** Outputs for x in inference mode, as one batch: an [n, outputSize] Tensor. */
export function predictOnBatch(host: OnBatchHost, x: unknown): Tensor {
  const xm = prepareInputs(x, host.engine.inputSize, 'x');
  return new Tensor(host.engine.predict(xm.data, xm.rows, xm.rows), [xm.rows, host.engine.outputSize]);
}
