// The engine tests' two-layer MLP (pin.test.ts, predict-stage.test.ts): dense relu -> dense softmax, categorical
// cross-entropy, SGD at 0.05; sized per test.
import type { PlanSpec } from '../../lib/engine/engine.js';

export function mlpPlan(inputSize: number, hidden: number, outputs: number, seed: number): PlanSpec {
  const dense = (name: string, inputSize: number, units: number, kind: 'relu' | 'softmax') => ({
    name, type: 'dense' as const, inputSize, units, useBias: true, activation: { kind },
    kernelInitializer: { kind: 'glorotUniform' as const }, biasInitializer: { kind: 'zeros' as const },
    kernelRegularizer: null, biasRegularizer: null,
  });
  return {
    inputSize, layers: [dense('d1', inputSize, hidden, 'relu'), dense('d2', hidden, outputs, 'softmax')],
    loss: 'categoricalCrossentropy', metrics: [], optimizer: { kind: 'sgd', learningRate: 0.05 }, seed,
  };
}
