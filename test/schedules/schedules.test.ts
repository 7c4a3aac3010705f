import { describe, expect, it } from 'vitest';
import { cosineDecay, exponentialDecay, linearDecay, scheduleFromConfig, stepDecay } from '../../lib/schedules/index.js';
import { codeOf } from '../models/backends.js';

describe('schedules', () => {
  it('stepDecay multiplies by gamma every stepSize steps', () => {
    const s = stepDecay({ initialLearningRate: 0.1, stepSize: 3, gamma: 0.5 });
    expect([0, 1, 2, 3, 5, 6, 9].map((k) => s.valueAt(k))).toEqual([0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.0125]);
  });

  it('exponentialDecay: continuous and staircase', () => {
    const s = exponentialDecay({ initialLearningRate: 1, decaySteps: 10, decayRate: 0.5 });
    expect(s.valueAt(0)).toBe(1);
    expect(s.valueAt(10)).toBeCloseTo(0.5, 12);
    expect(s.valueAt(5)).toBeCloseTo(Math.SQRT1_2, 12);
    const st = exponentialDecay({ initialLearningRate: 1, decaySteps: 10, decayRate: 0.5, staircase: true });
    expect(st.valueAt(9)).toBe(1);
    expect(st.valueAt(10)).toBe(0.5);
  });

  it('cosineDecay goes from eta0 to alpha*eta0 over decaySteps, then stays', () => {
    const s = cosineDecay({ initialLearningRate: 2, decaySteps: 100, alpha: 0.1 });
    expect(s.valueAt(0)).toBeCloseTo(2, 12);
    expect(s.valueAt(50)).toBeCloseTo(2 * (0.9 * 0.5 + 0.1), 12);
    expect(s.valueAt(100)).toBeCloseTo(0.2, 12);
    expect(s.valueAt(1000)).toBeCloseTo(0.2, 12);
  });

  it('linearDecay: eta_k = (1 - k/tau) eta_0 + (k/tau) eta_tau, constant after tau', () => {
    const s = linearDecay({ initialLearningRate: 1, finalLearningRate: 0.1, decaySteps: 10 });
    expect(s.valueAt(0)).toBe(1);
    expect(s.valueAt(5)).toBeCloseTo(0.55, 12);
    expect(s.valueAt(10)).toBeCloseTo(0.1, 12);
    expect(s.valueAt(25)).toBeCloseTo(0.1, 12);
  });

  it('round-trips through getConfig and validates its options', () => {
    const s = cosineDecay({ initialLearningRate: 0.3, decaySteps: 7 });
    const r = scheduleFromConfig(s.getConfig());
    for (const k of [0, 3, 7, 9]) expect(r.valueAt(k)).toBe(s.valueAt(k));
    expect(codeOf(() => stepDecay({ initialLearningRate: 0.1, stepSize: 0 }))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(codeOf(() => linearDecay({ initialLearningRate: -1, decaySteps: 3 }))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(codeOf(() => exponentialDecay({ initialLearningRate: 1, decaySteps: 3, decayRate: 0 }))).toBe('SIMDNET_INVALID_ARGUMENT');
  });
});
