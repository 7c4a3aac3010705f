/** JsEngine's parameter update: regularization penalties, gradient clipping and the optimizer step. */
import type { OptimizerSpec } from '../engine.js';
import { sumSquares } from '../../kernels/reference/reduce.js';
import * as optim from '../../kernels/reference/optim.js';
import type { Slot } from './types.js';

/** The optimizer spec with every default filled in (clipping stays optional). */
export type OptimizerConfig = Required<Omit<OptimizerSpec, 'clipNorm' | 'clipValue'>> & Pick<OptimizerSpec, 'clipNorm' | 'clipValue'>;

/** Sum of the L1/L2 penalties of every regularized slot. */
export function penalty(slots: Slot[]): number {
  let p = 0;
  for (const s of slots) if (s.reg) p += optim.penaltyValue(s.value.length, s.reg.l1, s.reg.l2, s.value);
  return p;
}

/** Adds each regularized trainable slot's penalty gradient to its gradient. */
export function addPenaltyGrads(slots: Slot[]): void {
  for (const s of slots) if (s.reg && s.grad) optim.addPenaltyGrad(s.value.length, s.reg.l1, s.reg.l2, s.value, s.grad);
}

/** Optimizer state array `key` of a slot, created (filled with `fill`) on first use. */
function state(s: Slot, key: string, fill = 0): Float32Array {
  let a = s.state[key];
  if (!a) {
    a = new Float32Array(s.value.length);
    if (fill !== 0) a.fill(fill);
    s.state[key] = a;
  }
  return a;
}

/** The state array `key` of a slot under optimizer `o` (created with its initial value on first use), for
 *  getOptimizerState/setOptimizerState. */
export function stateArray(s: Slot, key: string, o: OptimizerConfig): Float32Array {
  return state(s, key, key === 'sumSq' ? o.initialAccumulatorValue : 0);
}

/** Clips the gradients by value, then by their global norm, as configured. */
export function clipGrads(slots: Slot[], o: OptimizerConfig): void {
  const trainable = slots.filter((s) => s.grad);
  if (o.clipValue !== undefined) for (const s of trainable) optim.clipValue(s.grad!.length, o.clipValue, s.grad!);
  if (o.clipNorm !== undefined) {
    let sq = 0;
    for (const s of trainable) sq += sumSquares(s.grad!.length, s.grad!);
    const norm = Math.sqrt(sq);
    if (norm > o.clipNorm) for (const s of trainable) optim.scaleInplace(s.grad!.length, o.clipNorm / norm, s.grad!);
  }
}

/** Step `t` (1-based) of the optimizer with learning rate `lr` on every trainable slot. */
export function applyUpdate(slots: Slot[], o: OptimizerConfig, lr: number, t: number): void {
  for (const s of slots) {
    const g = s.grad;
    if (!g) continue;
    const w = s.value;
    const n = w.length;
    switch (o.kind) {
      case 'sgd':
        optim.sgd(n, lr, o.weightDecay, w, g);
        break;
      case 'momentum':
        optim.momentum(n, lr, o.momentum, o.dampening, o.weightDecay, o.nesterov, t === 1, w, g, state(s, 'buf'));
        break;
      case 'adagrad':
        optim.adagrad(n, lr, o.epsilon, o.weightDecay, w, g, state(s, 'sumSq', o.initialAccumulatorValue));
        break;
      case 'rmsprop':
        optim.rmsprop(n, lr, o.rho, o.epsilon, o.weightDecay, o.momentum, o.centered, w, g, state(s, 'sqAvg'),
          o.centered ? state(s, 'gradAvg') : null, o.momentum > 0 ? state(s, 'buf') : null);
        break;
      case 'adam':
      case 'adamw':
        optim.adam(n, {
          lr, beta1: o.beta1, beta2: o.beta2, eps: o.epsilon, weightDecay: o.weightDecay,
          bc1: 1 - o.beta1 ** t, bc2: 1 - o.beta2 ** t, amsgrad: o.amsgrad, decoupled: o.kind === 'adamw',
        }, w, g, state(s, 'm'), state(s, 'v'), o.amsgrad ? state(s, 'vmax') : null);
        break;
    }
  }
}
