/** Thin typed wrappers over the addon's optimizer steps (native/src/addon/ops-optim.cc). */
import { requireNative } from '../../native.js';
import type { AdamArgs } from '../reference/optim.js';
import { checkObject } from '../../validate.js';

export type { AdamArgs };

export function sgd(n: number, lr: number, wd: number, w: Float32Array, g: Float32Array): void {
  requireNative().sgd(n, lr, wd, w, g);
}

export function momentum(n: number, lr: number, mu: number, dampening: number, wd: number, nesterov: boolean,
                         firstStep: boolean, w: Float32Array, g: Float32Array, buf: Float32Array): void {
  requireNative().momentum(n, lr, mu, dampening, wd, nesterov, firstStep, w, g, buf);
}

export function adagrad(n: number, lr: number, eps: number, wd: number, w: Float32Array, g: Float32Array,
                        sumSq: Float32Array): void {
  requireNative().adagrad(n, lr, eps, wd, w, g, sumSq);
}

export function rmsprop(n: number, lr: number, rho: number, eps: number, wd: number, momentum: number,
                        centered: boolean, w: Float32Array, g: Float32Array, sqAvg: Float32Array,
                        gradAvg: Float32Array | null, buf: Float32Array | null): void {
  requireNative().rmsprop(n, lr, rho, eps, wd, momentum, centered, w, g, sqAvg, gradAvg, buf);
}

export function adam(n: number, args: AdamArgs, w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array,
                     vmax: Float32Array | null): void {
  checkObject(args, 'args', 'AdamArgs object');  // its fields go to the addon, which checks each
  requireNative().adam(n, args.lr, args.beta1, args.beta2, args.eps, args.weightDecay, args.bc1, args.bc2,
    args.amsgrad, args.decoupled, w, g, m, v, vmax);
}

export function addPenaltyGrad(n: number, l1: number, l2: number, w: Float32Array, g: Float32Array): void {
  requireNative().addPenaltyGrad(n, l1, l2, w, g);
}

export function penaltyValue(n: number, l1: number, l2: number, w: Float32Array): number {
  return requireNative().penaltyValue(n, l1, l2, w) as number;
}

export function clipValue(n: number, clip: number, g: Float32Array): void {
  requireNative().clipValue(n, clip, g);
}

export function scaleInplace(n: number, s: number, x: Float32Array): void {
  requireNative().scaleInplace(n, s, x);
}
