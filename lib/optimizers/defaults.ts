/**
 * Optimizer defaults, one place for the factories and the engines. PyTorch's values unless noted:
 *   sgd: lr 0.01 (Keras; PyTorch has no default) | momentum: lr 0.01, momentum 0.9 (Keras's SGD(momentum=0.9)
 *   idiom; PyTorch 0), dampening 0 | adagrad: lr 0.01, eps 1e-10, initialAccumulatorValue 0 |
 *   rmsprop: lr 0.01, rho 0.9 (Keras; PyTorch alpha 0.99, see lib/engine/engine.ts), eps 1e-8, momentum 0 |
 *   adam: lr 1e-3, betas (0.9, 0.999), eps 1e-8, amsgrad false, weightDecay 0 (coupled L2) |
 *   adamw: same, weightDecay 0.01 (decoupled, PyTorch AdamW). weightDecay is PyTorch's coupled L2 for the others.
 */
import type { OptimizerSpec } from '../engine/engine.js';

type Kind = OptimizerSpec['kind'];
export type FullOptimizerSpec = Required<Omit<OptimizerSpec, 'clipNorm' | 'clipValue'>> & Pick<OptimizerSpec, 'clipNorm' | 'clipValue'>;

const common = {
  momentum: 0, dampening: 0, nesterov: false, rho: 0.9, centered: false, epsilon: 1e-8, initialAccumulatorValue: 0,
  beta1: 0.9, beta2: 0.999, amsgrad: false, weightDecay: 0,
};

export const OPTIMIZER_DEFAULTS: Record<Kind, FullOptimizerSpec> = {
  sgd: { ...common, kind: 'sgd', learningRate: 0.01 },
  momentum: { ...common, kind: 'momentum', learningRate: 0.01, momentum: 0.9 },
  adagrad: { ...common, kind: 'adagrad', learningRate: 0.01, epsilon: 1e-10 },
  rmsprop: { ...common, kind: 'rmsprop', learningRate: 0.01 },
  adam: { ...common, kind: 'adam', learningRate: 1e-3 },
  adamw: { ...common, kind: 'adamw', learningRate: 1e-3, weightDecay: 0.01 },
};
