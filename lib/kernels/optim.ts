/**
 * Optimizer steps (public): fused, in place on a parameter w, its gradient g and its state buffers (zeroed before
 * the first step, except Adagrad's accumulator which starts at initialAccumulatorValue). Validates, then runs the
 * addon when the backend is native, else the TS twin. Semantics: PyTorch's (docs/optimizers.md).
 */
import { getBackend } from '../backend.js';
import { native } from '../native.js';
import { SimdnetRangeError, SimdnetTypeError } from '../errors.js';
import { checkBoolean, checkF32, checkNumber, checkObject, checkSize } from '../validate.js';
import * as ref from './reference/optim.js';
import * as nat from './native/optim.js';
import type { AdamArgs } from './reference/optim.js';

export type { AdamArgs };

const impl = () => (getBackend() === 'native' && native ? nat : ref);
// checkNumber keeps every value within float32 range.
const finite = (v: unknown, name: string) => checkNumber(v, name);
const nonNeg = (v: unknown, name: string) => checkNumber(v, name, { lo: 0 });
const unit = (v: unknown, name: string) => checkNumber(v, name, { lo: 0, hi: 1, hiOpen: true });

function optionalF32(v: unknown, name: string, n: number, needed: boolean, why: string): Float32Array | null {
  if (v === null || v === undefined) {
    if (needed) throw new SimdnetTypeError('SIMDNET_INVALID_ARGUMENT', `Expected Float32Array for ${name} (${why}) but received ${String(v)}`);
    return null;
  }
  return checkF32(v, name, n);
}

export function sgd(n: number, lr: number, wd: number, w: Float32Array, g: Float32Array): void {
  checkSize(n, 'n');
  nonNeg(lr, 'lr');
  nonNeg(wd, 'wd');
  checkF32(w, 'w', n);
  checkF32(g, 'g', n);
  impl().sgd(n, lr, wd, w, g);
}

export function momentum(n: number, lr: number, mu: number, dampening: number, wd: number, nesterov: boolean,
                         firstStep: boolean, w: Float32Array, g: Float32Array, buf: Float32Array): void {
  checkSize(n, 'n');
  nonNeg(lr, 'lr');
  nonNeg(mu, 'mu');
  checkNumber(dampening, 'dampening', { lo: 0, hi: 1 });
  nonNeg(wd, 'wd');
  checkBoolean(nesterov, 'nesterov');
  checkBoolean(firstStep, 'firstStep');
  // PyTorch's rule: "Nesterov momentum requires a momentum and zero dampening".
  if (nesterov && (mu <= 0 || dampening !== 0))
    throw new SimdnetRangeError('SIMDNET_INVALID_ARGUMENT', `Nesterov momentum requires mu > 0 and dampening 0 but received mu ${mu}, dampening ${dampening}`);
  checkF32(w, 'w', n);
  checkF32(g, 'g', n);
  checkF32(buf, 'buf', n);
  impl().momentum(n, lr, mu, dampening, wd, nesterov, firstStep, w, g, buf);
}

export function adagrad(n: number, lr: number, eps: number, wd: number, w: Float32Array, g: Float32Array,
                        sumSq: Float32Array): void {
  checkSize(n, 'n');
  nonNeg(lr, 'lr');
  nonNeg(eps, 'eps');
  nonNeg(wd, 'wd');
  checkF32(w, 'w', n);
  checkF32(g, 'g', n);
  checkF32(sumSq, 'sumSq', n);
  impl().adagrad(n, lr, eps, wd, w, g, sumSq);
}

export function rmsprop(n: number, lr: number, rho: number, eps: number, wd: number, momentum: number,
                        centered: boolean, w: Float32Array, g: Float32Array, sqAvg: Float32Array,
                        gradAvg: Float32Array | null, buf: Float32Array | null): void {
  checkSize(n, 'n');
  nonNeg(lr, 'lr');
  unit(rho, 'rho');
  nonNeg(eps, 'eps');
  nonNeg(wd, 'wd');
  nonNeg(momentum, 'momentum');
  checkBoolean(centered, 'centered');
  checkF32(w, 'w', n);
  checkF32(g, 'g', n);
  checkF32(sqAvg, 'sqAvg', n);
  const ga = optionalF32(gradAvg, 'gradAvg', n, centered, 'centered');
  const b = optionalF32(buf, 'buf', n, momentum > 0, 'momentum > 0');
  impl().rmsprop(n, lr, rho, eps, wd, momentum, centered, w, g, sqAvg, ga, b);
}

export function adam(n: number, args: AdamArgs, w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array,
                     vmax: Float32Array | null): void {
  checkSize(n, 'n');
  checkObject(args, 'args', 'AdamArgs object');
  nonNeg(args.lr, 'args.lr');
  unit(args.beta1, 'args.beta1');
  unit(args.beta2, 'args.beta2');
  nonNeg(args.eps, 'args.eps');
  nonNeg(args.weightDecay, 'args.weightDecay');
  checkNumber(args.bc1, 'args.bc1', { lo: 0, hi: 1, loOpen: true });
  checkNumber(args.bc2, 'args.bc2', { lo: 0, hi: 1, loOpen: true });
  checkBoolean(args.amsgrad, 'args.amsgrad');
  checkBoolean(args.decoupled, 'args.decoupled');
  checkF32(w, 'w', n);
  checkF32(g, 'g', n);
  checkF32(m, 'm', n);
  checkF32(v, 'v', n);
  const vm = optionalF32(vmax, 'vmax', n, args.amsgrad, 'amsgrad');
  impl().adam(n, args, w, g, m, v, vm);
}

export function addPenaltyGrad(n: number, l1: number, l2: number, w: Float32Array, g: Float32Array): void {
  checkSize(n, 'n');
  nonNeg(l1, 'l1');
  nonNeg(l2, 'l2');
  checkF32(w, 'w', n);
  checkF32(g, 'g', n);
  impl().addPenaltyGrad(n, l1, l2, w, g);
}

export function penaltyValue(n: number, l1: number, l2: number, w: Float32Array): number {
  checkSize(n, 'n');
  nonNeg(l1, 'l1');
  nonNeg(l2, 'l2');
  checkF32(w, 'w', n);
  return impl().penaltyValue(n, l1, l2, w);
}

export function clipValue(n: number, clip: number, g: Float32Array): void {
  checkSize(n, 'n');
  nonNeg(clip, 'clip');
  checkF32(g, 'g', n);
  impl().clipValue(n, clip, g);
}

export function scaleInplace(n: number, s: number, x: Float32Array): void {
  checkSize(n, 'n');
  finite(s, 's');
  checkF32(x, 'x', n);
  impl().scaleInplace(n, s, x);
}
