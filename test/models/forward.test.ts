import { describe, expect, it } from 'vitest';
import { Dense, Sequential, optimizers } from '../../lib/index.js';
import { BACKENDS } from './backends.js';

/** The hand-worked 2-2-1 network: hidden_j = sigmoid(W1[j] . x + b1[j]) with W1 rows = hidden units. */
function handNet(backend: 'js' | 'native') {
  const m = new Sequential([
    new Dense({ units: 2, activation: 'sigmoid', inputShape: [2] }),
    new Dense({ units: 1, activation: 'sigmoid' }),
  ]);
  m.compile({ optimizer: optimizers.sgd({ learningRate: 0.5 }), loss: 'mse', backend, seed: 1 });
  const W1 = [[0.2, 0.4], [0.3, 0.1]];
  // Our kernel layout is [in][out]: kernel[i][j] = W1[j][i].
  const k1 = Float32Array.of(W1[0][0], W1[1][0], W1[0][1], W1[1][1]);
  m.setWeights([k1, Float32Array.of(0.1, 0.2), Float32Array.of(0.6, 0.5), Float32Array.of(0.3)]);
  return m;
}

describe.each(BACKENDS)('hand-worked forward pass (%s)', (backend) => {
  it('gives hidden [0.627, 0.606] and output 0.727', () => {
    const m = handNet(backend);
    const out = m.predict([[0.5, 0.8]]);
    expect(out.shape).toEqual([1, 1]);
    expect(out.data()[0]).toBeCloseTo(0.727, 3);
    // hidden layer alone: a 2-2 model with the same first layer
    const h = new Sequential([new Dense({ units: 2, activation: 'sigmoid', inputShape: [2] })]);
    h.compile({ optimizer: 'sgd', loss: 'mse', backend });
    h.setWeights(m.getWeights().slice(0, 2));
    const hidden = h.predict([[0.5, 0.8]]).data();
    expect(hidden[0]).toBeCloseTo(0.627, 3);
    expect(hidden[1]).toBeCloseTo(0.606, 3);
    // exact values, float32 tolerance
    const s = (z: number) => 1 / (1 + Math.exp(-z));
    const h0 = s(0.5 * 0.2 + 0.8 * 0.4 + 0.1);
    const h1 = s(0.5 * 0.3 + 0.8 * 0.1 + 0.2);
    expect(out.data()[0]).toBeCloseTo(s(0.6 * h0 + 0.5 * h1 + 0.3), 6);
  });

  it('one SGD step on MSE moves the weights by the hand-derived gradient', () => {
    const m = handNet(backend);
    const s = (z: number) => 1 / (1 + Math.exp(-z));
    const x = [0.5, 0.8];
    const h = [s(0.52), s(0.43)];
    const o = s(0.6 * h[0] + 0.5 * h[1] + 0.3);
    const t = 1;
    const dz2 = 2 * (o - t) * o * (1 - o); // d mse / d z2 for one sample, one output
    const before = m.getWeights().map((w) => w.data());
    m.engine.trainStep(Float32Array.from(x), Float32Array.of(t), 1);
    const after = m.getWeights().map((w) => w.data());
    expect(after[3][0]).toBeCloseTo(before[3][0] - 0.5 * dz2, 6);
    expect(after[2][0]).toBeCloseTo(0.6 - 0.5 * dz2 * h[0], 6);
    const dz1 = [dz2 * 0.6 * h[0] * (1 - h[0]), dz2 * 0.5 * h[1] * (1 - h[1])];
    // kernel[i][j] -= lr * x_i * dz1_j
    expect(after[0][0]).toBeCloseTo(0.2 - 0.5 * x[0] * dz1[0], 6);
    expect(after[0][3]).toBeCloseTo(0.1 - 0.5 * x[1] * dz1[1], 6);
    expect(after[1][1]).toBeCloseTo(0.2 - 0.5 * dz1[1], 6);
  });
});
