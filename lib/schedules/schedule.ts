/**
 * Learning-rate schedules: pure functions of the optimizer step k (0 for the first update), evaluated by fit() once
 * per step and handed to the engine as lrPerStep. Each one serialises to { name, config } for model.json.
 */
import { SimdnetError } from '../errors.js';
import { checkNumber, checkSize } from '../validate.js';

export interface ScheduleConfig {
  name: 'stepDecay' | 'exponentialDecay' | 'cosineDecay' | 'linearDecay';
  config: Record<string, number | boolean>;
}

export interface LearningRateSchedule {
  readonly name: ScheduleConfig['name'];
  /** Learning rate for optimizer step k (k = number of updates already taken). */
  valueAt(step: number): number;
  getConfig(): ScheduleConfig;
}

export interface StepDecayArgs {
  /** Rate for steps [0, stepSize). */
  initialLearningRate: number;
  /** Steps between decays (positive integer). */
  stepSize: number;
  /** Multiplier applied every stepSize steps (PyTorch StepLR gamma, default 0.1). */
  gamma?: number;
}

export interface ExponentialDecayArgs {
  initialLearningRate: number;
  /** Steps over which the rate is multiplied by decayRate once. */
  decaySteps: number;
  /** Multiplier per decaySteps steps (positive; below 1 decays). */
  decayRate: number;
  /** Decay in whole intervals (floor(k / decaySteps)) instead of continuously (Keras, default false). */
  staircase?: boolean;
}

export interface CosineDecayArgs {
  initialLearningRate: number;
  /** Steps to reach the floor; constant afterwards. */
  decaySteps: number;
  /** Floor as a fraction of initialLearningRate (Keras alpha, default 0). */
  alpha?: number;
}

export interface LinearDecayArgs {
  /** eta_0. */
  initialLearningRate: number;
  /** eta_tau, reached at step tau and kept afterwards (default 0). */
  finalLearningRate?: number;
  /** tau (positive integer). */
  decaySteps: number;
}

function need(args: unknown, fn: string): Record<string, unknown> {
  if (typeof args !== 'object' || args === null)
    throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected an options object for schedules.${fn}() but received ${String(args)}`);
  return args as Record<string, unknown>;
}

function lr0(a: Record<string, unknown>): number {
  return checkNumber(a.initialLearningRate, 'initialLearningRate', { lo: 0 });
}

/** eta_k = eta_0 * gamma^floor(k / stepSize) (PyTorch StepLR, counted in optimizer steps). */
export function stepDecay(args: StepDecayArgs): LearningRateSchedule {
  const a = need(args, 'stepDecay');
  const eta0 = lr0(a);
  const stepSize = checkSize(a.stepSize, 'stepSize', 1);
  const gamma = checkNumber(a.gamma ?? 0.1, 'gamma', { lo: 0 });
  return {
    name: 'stepDecay',
    valueAt: (k) => eta0 * gamma ** Math.floor(k / stepSize),
    getConfig: () => ({ name: 'stepDecay', config: { initialLearningRate: eta0, stepSize, gamma } }),
  };
}

/** eta_k = eta_0 * decayRate^(k / decaySteps), the exponent floored when staircase (Keras ExponentialDecay). */
export function exponentialDecay(args: ExponentialDecayArgs): LearningRateSchedule {
  const a = need(args, 'exponentialDecay');
  const eta0 = lr0(a);
  const decaySteps = checkSize(a.decaySteps, 'decaySteps', 1);
  const decayRate = checkNumber(a.decayRate, 'decayRate', { lo: 0, loOpen: true });
  const staircase = a.staircase === undefined ? false : a.staircase === true;
  if (a.staircase !== undefined && typeof a.staircase !== 'boolean')
    throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected boolean for staircase but received ${String(a.staircase)}`);
  return {
    name: 'exponentialDecay',
    valueAt: (k) => eta0 * decayRate ** (staircase ? Math.floor(k / decaySteps) : k / decaySteps),
    getConfig: () => ({ name: 'exponentialDecay', config: { initialLearningRate: eta0, decaySteps, decayRate, staircase } }),
  };
}

/** eta_k = eta_0 * ((1 - alpha) * 0.5 * (1 + cos(pi * min(k, T) / T)) + alpha) (Keras CosineDecay, no warmup). */
export function cosineDecay(args: CosineDecayArgs): LearningRateSchedule {
  const a = need(args, 'cosineDecay');
  const eta0 = lr0(a);
  const decaySteps = checkSize(a.decaySteps, 'decaySteps', 1);
  const alpha = checkNumber(a.alpha ?? 0, 'alpha', { lo: 0, hi: 1 });
  return {
    name: 'cosineDecay',
    valueAt: (k) => eta0 * ((1 - alpha) * 0.5 * (1 + Math.cos((Math.PI * Math.min(k, decaySteps)) / decaySteps)) + alpha),
    getConfig: () => ({ name: 'cosineDecay', config: { initialLearningRate: eta0, decaySteps, alpha } }),
  };
}

/** eta_k = (1 - k/tau) eta_0 + (k/tau) eta_tau for k < tau, eta_tau afterwards. */
export function linearDecay(args: LinearDecayArgs): LearningRateSchedule {
  const a = need(args, 'linearDecay');
  const eta0 = lr0(a);
  const etaT = checkNumber(a.finalLearningRate ?? 0, 'finalLearningRate', { lo: 0 });
  const tau = checkSize(a.decaySteps, 'decaySteps', 1);
  return {
    name: 'linearDecay',
    valueAt: (k) => (k >= tau ? etaT : (1 - k / tau) * eta0 + (k / tau) * etaT),
    getConfig: () => ({ name: 'linearDecay', config: { initialLearningRate: eta0, finalLearningRate: etaT, decaySteps: tau } }),
  };
}

/** Rebuilds a schedule from getConfig() output (model.json). */
export function scheduleFromConfig(c: ScheduleConfig): LearningRateSchedule {
  switch (c?.name) {
    case 'stepDecay': return stepDecay(c.config as unknown as StepDecayArgs);
    case 'exponentialDecay': return exponentialDecay(c.config as unknown as ExponentialDecayArgs);
    case 'cosineDecay': return cosineDecay(c.config as unknown as CosineDecayArgs);
    case 'linearDecay': return linearDecay(c.config as unknown as LinearDecayArgs);
    default: throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Unknown schedule ${String(c?.name)}`);
  }
}

export function isSchedule(v: unknown): v is LearningRateSchedule {
  return typeof v === 'object' && v !== null && typeof (v as LearningRateSchedule).valueAt === 'function';
}
