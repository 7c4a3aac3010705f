/**
 * useNativeOptimizers(tf): opt-in fused optimizer steps for tfjs's own optimizer classes on the 'simdnet' backend.
 * tfjs applies Adam as about eight element-wise kernels per variable (86 of the 216 kernel calls of an MLP fit step);
 * here each variable takes one pass of simdnet's fused step (kernels/optim, bound in addon/ops-optim.cc) instead.
 *
 * Semantics are tfjs's (node_modules/@tensorflow/tfjs-core/dist/optimizers/*.js), state included, so the optimizer's
 * getWeights/setWeights, serialization and a later switch back all see the same variables:
 *   SGD       w += (-lr) * g                                 (the fused sgd with wd 0: bit for bit tfjs's)
 *   Momentum  a = m*a + g; w += -lr * (nesterov ? g + m*a : a)   (the fused momentum with dampening 0: its first step
 *                                                             b = g is tfjs's m*0 + g)
 *   Adam      m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; w += -lr * (m/bc1) / (sqrt(v/bc2) + eps), with tfjs's
 *             bc = 1 - accBeta, accBeta kept as tfjs keeps it (float32 products, updated with tfjs's own ops), and
 *             its default epsilon (the backend's, 1e-7). The fused step computes lr/bc1 * m / (sqrt(v)/sqrt(bc2) + eps):
 *             algebraically the same, a few float32 roundings apart.
 *   Adagrad   a += g^2; w += (g / sqrt(a + eps)) * (-lr), eps the backend's (1e-7), the accumulator starting at
 *             initialAccumulatorValue (0.1)
 *   RMSProp   ms = ms*decay + g^2 (1-decay); centered: mg = mg*decay + g (1-decay), c = g lr / sqrt(ms - (mg^2 + eps))
 *             (tfjs subtracts epsilon there); else c = g lr / sqrt(ms + eps); mom = mom*momentum + c; w -= mom
 * Adagrad and RMSProp put epsilon inside the square root, where simdnet's kernels/optim follows PyTorch (sqrt(a) +
 * eps), so they run on kernels/tfoptim, written for tfjs's op chain (each op one float32 operation, in tfjs's order:
 * bit for bit tfjs-backend-cpu's results). It writes fresh output arrays directly, without copies.
 *
 * Inputs are never written: the fused step runs on fresh copies of the weights and state (outputs allocated in JS),
 * which then replace the variables' values through Variable.assign, as tfjs's own update does. Anything not covered
 * (another backend active, a non-float32 variable or gradient, no addon) runs tfjs's original applyGradients.
 */
import type * as TF from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { native } from '../native.js';
import { BACKEND_NAME } from './name.js';
import { f32 } from './storage.js';

type Tf = typeof TF;
type NamedGrads = TF.NamedTensorMap | { name: string; tensor: TF.Tensor }[];
interface Slot { originalName: string; variable: TF.Variable }
// The optimizer fields tfjs keeps (protected in its typings).
interface OptimizerState {
  learningRate: number;
  incrementIterations(): void;
  // Adam
  beta1: number; beta2: number; epsilon: number; accBeta1: TF.Variable; accBeta2: TF.Variable;
  accumulatedFirstMoment: Slot[]; accumulatedSecondMoment: Slot[];
  // Momentum (and RMSProp's momentum)
  momentum: number; useNesterov: boolean; accumulations: Slot[];
  // Adagrad
  initialAccumulatorValue: number; accumulatedGrads: Slot[];
  // RMSProp
  decay: number; centered: boolean; accumulatedMeanSquares: Slot[]; accumulatedMoments: Slot[];
  accumulatedMeanGrads: Slot[];
}

const PATCHED = Symbol.for('simdnet.tfjs.nativeOptimizer');

function names(grads: NamedGrads): string[] {
  return Array.isArray(grads) ? grads.map((g) => g.name) : Object.keys(grads);
}
function gradientOf(grads: NamedGrads, name: string, i: number): TF.Tensor | undefined {
  return Array.isArray(grads) ? grads[i].tensor : grads[name];
}

/** The variables and gradients as float32 arrays in simdnet's storage, or null when any is not (then: tfjs's path). */
function covered(tf: Tf, grads: NamedGrads): MathBackendCPU | null {
  if (native === null || tf.getBackend() !== BACKEND_NAME) return null;
  const backend = tf.backend() as unknown as MathBackendCPU;
  const vars = tf.engine().registeredVariables;
  const list = names(grads);
  for (let i = 0; i < list.length; i++) {
    const v = vars[list[i]], g = gradientOf(grads, list[i], i);
    if (v === undefined || f32(backend, v) === null) return null;
    if (g != null && (f32(backend, g) === null || g.size !== v.size)) return null;
  }
  return backend;
}

/** A zero state variable named as tfjs names it, created as tfjs creates it. */
function slot(tf: Tf, value: TF.Variable, name: string): Slot {
  return { originalName: name, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
}

/** Replaces a variable's value with `values` (a fresh array), as tfjs's value.assign(newValue) does. */
function assign(tf: Tf, v: TF.Variable, values: Float32Array): void {
  v.assign(tf.tensor(values, v.shape, 'float32'));
}

function sgdStep(this: OptimizerState, tf: Tf, grads: NamedGrads): boolean {
  const backend = covered(tf, grads);
  if (backend === null) return false;
  const vars = tf.engine().registeredVariables;
  tf.tidy(() => names(grads).forEach((name, i) => {
    const g = gradientOf(grads, name, i);
    if (g == null) return;
    const value = vars[name];
    const w = f32(backend, value)!.slice();
    native!.sgd(w.length, this.learningRate, 0, w, f32(backend, g)!);
    assign(tf, value, w);
  }));
  this.incrementIterations();
  return true;
}

function momentumStep(this: OptimizerState, tf: Tf, grads: NamedGrads): boolean {
  const backend = covered(tf, grads);
  if (backend === null) return false;
  const vars = tf.engine().registeredVariables;
  names(grads).forEach((name, i) => {
    const value = vars[name];
    if (this.accumulations[i] == null) this.accumulations[i] = slot(tf, value, `${name}/momentum`);
    const g = gradientOf(grads, name, i);
    if (g == null) return;
    const acc = this.accumulations[i].variable;
    tf.tidy(() => {
      const w = f32(backend, value)!.slice(), a = f32(backend, acc)!.slice();
      native!.momentum(w.length, this.learningRate, this.momentum, 0, 0, this.useNesterov, false, w, f32(backend, g)!, a);
      assign(tf, acc, a);
      assign(tf, value, w);
    });
  });
  this.incrementIterations();
  return true;
}

function adamStep(this: OptimizerState, tf: Tf, grads: NamedGrads): boolean {
  const backend = covered(tf, grads);
  if (backend === null) return false;
  const vars = tf.engine().registeredVariables;
  // tfjs: oneMinusAccBeta = sub(1, accBeta) in float32.
  const bc1 = Math.fround(1 - f32(backend, this.accBeta1)![0]);
  const bc2 = Math.fround(1 - f32(backend, this.accBeta2)![0]);
  names(grads).forEach((name, i) => {
    const value = vars[name];
    if (this.accumulatedFirstMoment[i] == null) this.accumulatedFirstMoment[i] = slot(tf, value, `${name}/m`);
    if (this.accumulatedSecondMoment[i] == null) this.accumulatedSecondMoment[i] = slot(tf, value, `${name}/v`);
    const g = gradientOf(grads, name, i);
    if (g == null) return;
    const mVar = this.accumulatedFirstMoment[i].variable, vVar = this.accumulatedSecondMoment[i].variable;
    tf.tidy(() => {
      const w = f32(backend, value)!.slice(), m = f32(backend, mVar)!.slice(), v = f32(backend, vVar)!.slice();
      native!.adam(w.length, this.learningRate, this.beta1, this.beta2, this.epsilon, 0, bc1, bc2, false, false,
        w, f32(backend, g)!, m, v, null);
      assign(tf, mVar, m);
      assign(tf, vVar, v);
      assign(tf, value, w);
    });
  });
  tf.tidy(() => {
    this.accBeta1.assign(tf.mul(this.accBeta1, this.beta1));
    this.accBeta2.assign(tf.mul(this.accBeta2, this.beta2));
  });
  this.incrementIterations();
  return true;
}

function adagradStep(this: OptimizerState, tf: Tf, grads: NamedGrads): boolean {
  const backend = covered(tf, grads);
  if (backend === null) return false;
  const vars = tf.engine().registeredVariables;
  const eps = tf.backend().epsilon();
  names(grads).forEach((name, i) => {
    const value = vars[name];
    if (this.accumulatedGrads[i] == null) {
      this.accumulatedGrads[i] = {
        originalName: `${name}/accumulator`,
        variable: tf.tidy(() => tf.fill(value.shape, this.initialAccumulatorValue).variable(false)),
      };
    }
    const g = gradientOf(grads, name, i);
    if (g == null) return;
    const acc = this.accumulatedGrads[i].variable;
    tf.tidy(() => {
      const n = value.size, w = new Float32Array(n), a = new Float32Array(n);
      native!.tfjsAdagrad(n, this.learningRate, eps, f32(backend, value)!, f32(backend, g)!, f32(backend, acc)!, w, a);
      assign(tf, acc, a);
      assign(tf, value, w);
    });
  });
  this.incrementIterations();
  return true;
}

function rmspropStep(this: OptimizerState, tf: Tf, grads: NamedGrads): boolean {
  const backend = covered(tf, grads);
  if (backend === null) return false;
  const vars = tf.engine().registeredVariables;
  const omd = Math.fround(1 - this.decay); // tfjs: mul(square(g), 1 - this.decay), a float32 scalar
  names(grads).forEach((name, i) => {
    const value = vars[name];
    if (this.accumulatedMeanSquares[i] == null) this.accumulatedMeanSquares[i] = slot(tf, value, `${name}/rms`);
    if (this.accumulatedMoments[i] == null) this.accumulatedMoments[i] = slot(tf, value, `${name}/momentum`);
    if (this.accumulatedMeanGrads[i] == null && this.centered) this.accumulatedMeanGrads[i] = slot(tf, value, `${name}/mg`);
    const g = gradientOf(grads, name, i);
    if (g == null) return;
    const msVar = this.accumulatedMeanSquares[i].variable, momVar = this.accumulatedMoments[i].variable;
    const mgVar = this.centered ? this.accumulatedMeanGrads[i].variable : null;
    tf.tidy(() => {
      const n = value.size, w = new Float32Array(n), ms = new Float32Array(n), mom = new Float32Array(n);
      const mg = mgVar === null ? null : new Float32Array(n);
      native!.tfjsRmsprop(n, this.learningRate, this.decay, omd, this.momentum, this.epsilon, this.centered,
        f32(backend, value)!, f32(backend, g)!, f32(backend, msVar)!, mgVar === null ? null : f32(backend, mgVar)!,
        f32(backend, momVar)!, w, ms, mg, mom);
      assign(tf, msVar, ms);
      if (mgVar !== null) assign(tf, mgVar, mg!);
      assign(tf, momVar, mom);
      assign(tf, value, w);
    });
  });
  this.incrementIterations();
  return true;
}

type Step = (this: OptimizerState, tf: Tf, grads: NamedGrads) => boolean;

/** Wraps `cls.prototype.applyGradients` once: the fused step when covered, tfjs's own otherwise. */
function patch(tf: Tf, cls: { prototype: object } | undefined, step: Step): void {
  if (cls === undefined) return;
  const proto = cls.prototype as { applyGradients(grads: NamedGrads): void; [PATCHED]?: boolean };
  if (Object.hasOwn(proto, PATCHED)) return; // own: MomentumOptimizer inherits from SGDOptimizer
  const original = proto.applyGradients;
  proto.applyGradients = function (this: OptimizerState, grads: NamedGrads): void {
    if (!step.call(this, tf, grads)) original.call(this, grads);
  };
  proto[PATCHED] = true;
}

/**
 * Opt-in: tfjs's SGD, Momentum, Adam, Adagrad and RMSProp optimizers (every instance, existing and future, of the classes in `tf`)
 * apply their updates with simdnet's fused steps while 'simdnet' is the active backend. Idempotent.
 */
export function useNativeOptimizers(tf: Tf): void {
  if (native === null) return;
  patch(tf, tf.SGDOptimizer, sgdStep);
  patch(tf, tf.MomentumOptimizer, momentumStep);
  patch(tf, tf.AdamOptimizer, adamStep);
  patch(tf, tf.AdagradOptimizer, adagradStep);
  patch(tf, tf.RMSPropOptimizer, rmspropStep);
}
