/**
 * Optimizers are configuration (tinygrad/SGD-as-momentum-0 spirit): a kind, hyper-parameters and a learning rate that
 * is a number or a schedule. The engine owns the state; the update formulas are PyTorch's (docs/optimizers.md),
 * defaults in ./defaults.ts. Every factory validates its options and throws coded errors.
 */
import type { OptimizerSpec } from '../engine/engine.js';
import { SimdnetError, describe } from '../errors.js';
import { checkBoolean, checkNumber } from '../validate.js';
import { OPTIMIZER_DEFAULTS, type FullOptimizerSpec } from './defaults.js';
import { isSchedule, scheduleFromConfig, type LearningRateSchedule, type ScheduleConfig } from '../schedules/schedule.js';

export type OptimizerKind = OptimizerSpec['kind'];
/** What compile() takes for optimizer besides an Optimizer object: a kind, for its defaults (literal union: a typo fails tsc). */
export type OptimizerName = OptimizerKind;

/** Options every optimizer takes. */
export interface BaseOptimizerArgs {
  /** A fixed rate or a schedule evaluated per optimizer step. */
  learningRate?: number | LearningRateSchedule;
  /** Clip all gradients by their global L2 norm (Keras global_clipnorm), after clipValue. */
  clipNorm?: number;
  /** Clamp every gradient element into [-clipValue, clipValue]. */
  clipValue?: number;
  /** L2 penalty folded into the gradient (PyTorch weight_decay; decoupled for adamw). */
  weightDecay?: number;
}
/** sgd() also takes momentum/dampening/nesterov, as PyTorch's and Keras's SGD do: momentum > 0 (default 0) makes it
 *  the momentum optimizer (kind 'momentum' in its config); momentum 0 is plain SGD. */
export type SgdArgs = MomentumArgs;
export interface MomentumArgs extends BaseOptimizerArgs {
  /** Momentum factor mu (default 0.9). */
  momentum?: number;
  /** PyTorch dampening (default 0). */
  dampening?: number;
  /** Nesterov momentum (needs dampening 0). */
  nesterov?: boolean;
}
export interface AdagradArgs extends BaseOptimizerArgs {
  /** Added to the root of the accumulator (default 1e-10). */
  epsilon?: number;
  /** Starting value of the squared-gradient accumulator (default 0). */
  initialAccumulatorValue?: number;
}
export interface RmspropArgs extends BaseOptimizerArgs {
  /** Decay of the squared-gradient average (PyTorch alpha; default 0.9 as Keras). */
  rho?: number;
  /** Added to the root of the average (default 1e-8). */
  epsilon?: number;
  /** Momentum on the scaled update (default 0). */
  momentum?: number;
  /** Normalise by the variance estimate instead of the raw second moment (default false). */
  centered?: boolean;
}
export interface AdamArgs extends BaseOptimizerArgs {
  /** First-moment decay (default 0.9). */
  beta1?: number;
  /** Second-moment decay (default 0.999). */
  beta2?: number;
  /** Added to the root of the second moment (default 1e-8). */
  epsilon?: number;
  /** Use the running maximum of the second moment (default false). */
  amsgrad?: boolean;
}

/** Serialised form in model.json. */
export interface OptimizerConfig {
  kind: OptimizerKind;
  learningRate: number | ScheduleConfig;
  [k: string]: unknown;
}

export class Optimizer {
  readonly kind: OptimizerKind;
  /** Every hyper-parameter, defaults filled in (learningRate = the schedule's value at step 0 when scheduled). */
  readonly spec: Readonly<FullOptimizerSpec>;
  readonly schedule: LearningRateSchedule | null;

  constructor(kind: OptimizerKind, args: BaseOptimizerArgs & Record<string, unknown>) {
    if (!(kind in OPTIMIZER_DEFAULTS)) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Unknown optimizer ${describe(kind)}`);
    if (typeof args !== 'object' || args === null)
      throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected an options object for optimizers.${kind}() but received ${describe(args)}`);
    const d = OPTIMIZER_DEFAULTS[kind];
    const lrArg = args.learningRate ?? d.learningRate;
    this.schedule = isSchedule(lrArg) ? lrArg : null;
    const learningRate = this.schedule ? this.schedule.valueAt(0) : checkNumber(lrArg, 'learningRate', { lo: 0 });
    const num = (k: keyof FullOptimizerSpec, range: Parameters<typeof checkNumber>[2] = { lo: 0 }) =>
      args[k] === undefined ? (d[k] as number) : checkNumber(args[k], k, range);
    const bool = (k: keyof FullOptimizerSpec) => (args[k] === undefined ? (d[k] as boolean) : checkBoolean(args[k], k));
    const spec: FullOptimizerSpec = {
      kind,
      learningRate,
      momentum: num('momentum', { lo: 0, hi: 1, hiOpen: true }),
      dampening: num('dampening', { lo: 0, hi: 1 }),
      nesterov: bool('nesterov'),
      rho: num('rho', { lo: 0, hi: 1, hiOpen: true }),
      centered: bool('centered'),
      epsilon: num('epsilon', { lo: 0, loOpen: true }),
      initialAccumulatorValue: num('initialAccumulatorValue'),
      beta1: num('beta1', { lo: 0, hi: 1, hiOpen: true }),
      beta2: num('beta2', { lo: 0, hi: 1, hiOpen: true }),
      amsgrad: bool('amsgrad'),
      weightDecay: num('weightDecay'),
    };
    if (args.clipNorm !== undefined) spec.clipNorm = checkNumber(args.clipNorm, 'clipNorm', { lo: 0, loOpen: true });
    if (args.clipValue !== undefined) spec.clipValue = checkNumber(args.clipValue, 'clipValue', { lo: 0, loOpen: true });
    if (spec.nesterov && (spec.momentum <= 0 || spec.dampening !== 0))
      throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', 'Nesterov momentum requires momentum > 0 and dampening 0 (as in PyTorch)');
    // PyTorch's SGD(momentum=0.9) and Keras's SGD(momentum=0.9) are momentum SGD: so is sgd({ momentum: 0.9 })
    // (it used to run plain SGD and ignore the momentum silently).
    if (kind === 'sgd' && spec.momentum > 0) kind = spec.kind = 'momentum';
    this.kind = kind;
    this.spec = Object.freeze(spec);
  }

  /** Learning rate for optimizer step k: the schedule's value, or null when the rate is fixed (engine keeps it). */
  learningRateAt(step: number): number | null {
    return this.schedule ? this.schedule.valueAt(step) : null;
  }

  /** The spec handed to the engine. */
  toSpec(): OptimizerSpec {
    return { ...this.spec };
  }

  getConfig(): OptimizerConfig {
    const { kind, learningRate, ...rest } = this.spec;
    return { ...rest, kind, learningRate: this.schedule ? this.schedule.getConfig() : learningRate };
  }

  static fromConfig(c: OptimizerConfig): Optimizer {
    if (typeof c !== 'object' || c === null) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', 'Expected an optimizer config object');
    const { kind, learningRate, ...rest } = c;
    const lr = typeof learningRate === 'number' ? learningRate : scheduleFromConfig(learningRate);
    return new Optimizer(kind, { ...rest, learningRate: lr });
  }
}

export const sgd = (args: SgdArgs = {}) => new Optimizer('sgd', { ...args });
export const momentum = (args: MomentumArgs = {}) => new Optimizer('momentum', { ...args });
export const adagrad = (args: AdagradArgs = {}) => new Optimizer('adagrad', { ...args });
export const rmsprop = (args: RmspropArgs = {}) => new Optimizer('rmsprop', { ...args });
export const adam = (args: AdamArgs = {}) => new Optimizer('adam', { ...args });
export const adamw = (args: AdamArgs = {}) => new Optimizer('adamw', { ...args });

/** Accepts an Optimizer or a name ('adam', 'sgd', ...) with default options. */
export function getOptimizer(o: unknown): Optimizer {
  if (o instanceof Optimizer) return o;
  if (typeof o === 'string' && o.toLowerCase() in OPTIMIZER_DEFAULTS) return new Optimizer(o.toLowerCase() as OptimizerKind, {});
  throw new SimdnetError('SIMDNET_INVALID_ARGUMENT',
    `Expected an optimizer (optimizers.adam(...)) or one of ${Object.keys(OPTIMIZER_DEFAULTS).join(', ')} for optimizer but received ${describe(o)}`);
}
