/** JsEngine's loss: which loss fuses with the last activation, and the data loss (and gradient) of a batch. */
import type { ActivationSpec, LossName } from '../engine.js';
import { bceLogits, bceProb, cceProb, elementwise, mse, softmaxCce, sparseSoftmaxCce, type ElemLossKind } from '../../kernels/reference/losses.js';
import { dInputOf, inputOf, type BatchBuffers, type Fused, type Rt } from './types.js';

/** eps of the probability-space losses (docs/engine.md: bce_prob / cce_prob with eps 1e-7, as Keras). */
const PROB_EPS = 1e-7;

/** The element-wise losses (loss.h `elementwise`): their kernel kind. */
const ELEMENTWISE: Partial<Record<LossName, ElemLossKind>> = {
  meanAbsoluteError: 'mae', huber: 'huber', logCosh: 'logCosh', hinge: 'hinge', squaredHinge: 'squaredHinge',
  kullbackLeiblerDivergence: 'kld', poisson: 'poisson',
};

/** The fused form of `loss` after a last layer with activation `lastAct`, or null when they do not fuse. */
export function fusedLoss(lastAct: ActivationSpec | null, loss: LossName): Fused {
  const a = lastAct?.kind;
  return a === 'softmax' && loss === 'categoricalCrossentropy' ? 'softmaxCce'
    : a === 'softmax' && loss === 'sparseCategoricalCrossentropy' ? 'sparseSoftmaxCce'
    : a === 'sigmoid' && loss === 'binaryCrossentropy' ? 'bceLogits'
    : null;
}

function fillLabels(buf: BatchBuffers, m: number): void {
  for (let r = 0; r < m; r++) buf.labels[r] = buf.yb[r] | 0;
}

function fillOneHot(buf: BatchBuffers, m: number, n: number): Float32Array {
  buf.oneHot.fill(0, 0, m * n);
  for (let r = 0; r < m; r++) buf.oneHot[r * n + buf.labels[r]] = 1;
  return buf.oneHot;
}

/**
 * Data loss of the batch (batch mean; with per-sample weights w, sum_r w_r l_r / m as Keras 3). With `withGrad`, writes the gradient for the backward pass: into the
 * pre-activation gradient of the last layer when fused (returns 'pre'), else into its output gradient ('out').
 */
export function batchLoss(layers: Rt[], buf: BatchBuffers, loss: LossName, fused: Fused, m: number,
  withGrad: boolean, huberDelta = 1, w: Float32Array | null = null): { value: number; into: 'pre' | 'out' } {
  const L = layers.length - 1;
  const last = layers[L];
  const n = last.outSize;
  const sparse = loss === 'sparseCategoricalCrossentropy';
  if (sparse) fillLabels(buf, m);
  if (fused) {
    const pre = last.spec.type === 'dense' ? last.z! : inputOf(layers, buf, L);
    const g = withGrad ? (last.spec.type === 'dense' ? last.dz! : dInputOf(layers, L) ?? buf.dIn) : null;
    const temp = last.act!.temperature ?? 1;
    let value: number;
    if (fused === 'softmaxCce') value = softmaxCce(m, n, temp, buf.yb, pre, g, w);
    else if (fused === 'sparseSoftmaxCce') value = sparseSoftmaxCce(m, n, temp, buf.labels, pre, g, w);
    else value = bceLogits(m, n, buf.yb, pre, g, w);
    return { value, into: 'pre' };
  }
  const p = last.y;
  const g = withGrad ? last.dOut : null;
  const t = sparse ? fillOneHot(buf, m, n) : buf.yb;
  const kind = ELEMENTWISE[loss];
  if (kind) {
    const value = elementwise(kind, m, n, kind === 'huber' ? huberDelta : PROB_EPS, t, p, w, g);
    return { value, into: 'out' };
  }
  let value: number;
  switch (loss) {
    case 'meanSquaredError': value = mse(m, n, t, p, g, w); break;
    case 'binaryCrossentropy': value = bceProb(m, n, PROB_EPS, t, p, g, w); break;
    default: value = cceProb(m, n, PROB_EPS, t, p, g, w); break;
  }
  return { value, into: 'out' };
}
