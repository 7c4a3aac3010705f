// tfjs-layers training on 'simdnet' against 'cpu': same initial weights and data, N fit steps, per-step losses and
// final weights within 1e-5 relative; predict (which runs _FusedMatMul with the activation fused) for every
// activation tfjs fuses; tf.memory().numTensors flat across a 20-epoch fit.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { native } from '../../lib/native.js';
import '../../lib/tfjs/index.js';
import { lcgArray } from '../helpers/random.js';

const N = 192, IN = 20, CLASSES = 5;
const X = lcgArray(N * IN, 11, -1, 1);
// Labels from a fixed linear rule, so the loss actually falls (a model learning noise would test less).
const Y = new Float32Array(N * CLASSES);
for (let i = 0; i < N; i++) {
  let best = 0, bestV = -Infinity;
  for (let c = 0; c < CLASSES; c++) {
    let v = 0;
    for (let j = 0; j < IN; j++) v += X[i * IN + j] * Math.sin(1 + c * IN + j);
    if (v > bestV) { bestV = v; best = c; }
  }
  Y[i * CLASSES + best] = 1;
}

function mlp(hidden: string[]): tf.Sequential {
  const m = tf.sequential();
  hidden.forEach((activation, i) => m.add(tf.layers.dense({
    units: 32 + 8 * i, activation: activation as 'relu', inputShape: i === 0 ? [IN] : undefined,
    kernelInitializer: tf.initializers.glorotUniform({ seed: 7 + i }),
  })));
  m.add(tf.layers.dense({ units: CLASSES, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }));
  return m;
}

interface Run { losses: number[]; weights: Float32Array[] }

async function train(backend: string, hidden: string[], optimizer: () => tf.Optimizer, epochs: number): Promise<Run> {
  await tf.setBackend(backend);
  const model = mlp(hidden);
  model.compile({ optimizer: optimizer(), loss: 'categoricalCrossentropy' });
  const x = tf.tensor2d(X, [N, IN]), y = tf.tensor2d(Y, [N, CLASSES]);
  const losses: number[] = [];
  await model.fit(x, y, { batchSize: 32, epochs, shuffle: false, verbose: 0,
    callbacks: { onBatchEnd: async (_b, logs) => { losses.push(logs!.loss as number); } } });
  const weights = model.getWeights().map((w) => Float32Array.from(w.dataSync()));
  tf.dispose([x, y]);
  model.dispose();
  return { losses, weights };
}

/** ||a - b|| / ||b||: the relative error of a whole weight tensor (an element whose gradient is pure rounding noise
 * can take a full Adam step either way, so per-element relative errors are not meaningful for every element). */
function relErr(a: Float32Array, b: Float32Array): number {
  let d = 0, r = 0;
  for (let i = 0; i < a.length; i++) { d += (a[i] - b[i]) ** 2; r += b[i] ** 2; }
  return Math.sqrt(d / Math.max(r, 1e-30));
}

describe.runIf(native)('simdnet tfjs backend: tfjs-layers parity with cpu', () => {
  for (const [name, hidden, opt] of [
    ['relu MLP, adam', ['relu', 'relu'], () => tf.train.adam(0.01)],
    ['tanh/sigmoid/elu MLP, sgd', ['tanh', 'sigmoid', 'elu'], () => tf.train.sgd(0.1)],
  ] as Array<[string, string[], () => tf.Optimizer]>) {
    it(`${name}: 12 fit steps, losses and weights within 1e-5 relative`, async () => {
      const cpu = await train('cpu', hidden, opt, 2);
      const sim = await train('simdnet', hidden, opt, 2);
      expect(sim.losses.length).toBe(12);
      expect(cpu.losses[cpu.losses.length - 1]).toBeLessThan(cpu.losses[0]);
      for (let i = 0; i < cpu.losses.length; i++) {
        expect(Math.abs(sim.losses[i] - cpu.losses[i]) / cpu.losses[i], `loss ${i}: ${sim.losses[i]} vs ${cpu.losses[i]}`).toBeLessThan(1e-5);
      }
      expect(sim.weights.length).toBe(cpu.weights.length);
      sim.weights.forEach((w, i) => expect(relErr(w, cpu.weights[i]), `weight ${i}`).toBeLessThan(1e-5));
      // The weights did move: a backend that skipped the update would pass the comparison above only by accident.
      const fresh = mlp(hidden);
      expect(relErr(sim.weights[0], Float32Array.from(fresh.getWeights()[0].dataSync()))).toBeGreaterThan(1e-3);
      fresh.dispose();
    });
  }

  it('small CNN (conv8, pool, conv16, pool, dense10), adam: 4 fit steps, losses and weights within 1e-5 relative', async () => {
    const n = 64, img = lcgArray(n * 14 * 14, 21, 0, 1);
    const labels = new Float32Array(n * 10);
    for (let i = 0; i < n; i++) labels[i * 10 + (Math.floor(img[i * 196 + 90] * 10) % 10)] = 1;
    const runs: Run[] = [];
    for (const backend of ['cpu', 'simdnet']) {
      await tf.setBackend(backend);
      const m = tf.sequential({ layers: [
        tf.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu', padding: 'same', inputShape: [14, 14, 1],
          kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.conv2d({ filters: 16, kernelSize: 3, strides: 1, activation: 'relu',
          kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) })] });
      m.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
      const x = tf.tensor4d(img, [n, 14, 14, 1]), y = tf.tensor2d(labels, [n, 10]);
      const losses: number[] = [];
      await m.fit(x, y, { batchSize: 16, epochs: 1, shuffle: false, verbose: 0,
        callbacks: { onBatchEnd: async (_b, logs) => { losses.push(logs!.loss as number); } } });
      runs.push({ losses, weights: m.getWeights().map((w) => Float32Array.from(w.dataSync())) });
      tf.dispose([x, y]);
      m.dispose();
    }
    const [cpu, sim] = runs;
    expect(sim.losses.length).toBe(4);
    cpu.losses.forEach((l, i) => expect(Math.abs(sim.losses[i] - l) / l, `loss ${i}`).toBeLessThan(1e-5));
    sim.weights.forEach((w, i) => expect(relErr(w, cpu.weights[i]), `weight ${i}`).toBeLessThan(1e-5));
  });

  it('predict (fused MatMul + bias + activation) matches cpu for every activation tfjs fuses', async () => {
    for (const activation of ['relu', 'relu6', 'elu', 'sigmoid', 'linear', 'tanh', 'selu']) {
      const outputs: Float32Array[] = [];
      for (const backend of ['cpu', 'simdnet']) {
        await tf.setBackend(backend);
        const m = tf.sequential({ layers: [
          tf.layers.dense({ units: 40, activation: activation as 'relu', inputShape: [IN],
            kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }), biasInitializer: tf.initializers.randomUniform({ minval: -1, maxval: 1, seed: 6 }) }),
          tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 8 }) })] });
        const x = tf.tensor2d(X, [N, IN]);
        const p = m.predict(x) as tf.Tensor;
        outputs.push(Float32Array.from(p.dataSync()));
        tf.dispose([x, p]);
        m.dispose();
      }
      expect(relErr(outputs[1], outputs[0]), activation).toBeLessThan(1e-6);
    }
  });

  it('tf.memory().numTensors stays flat across a 20-epoch fit', async () => {
    await tf.setBackend('simdnet');
    const model = mlp(['relu']);
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const x = tf.tensor2d(X, [N, IN]), y = tf.tensor2d(Y, [N, CLASSES]);
    const counts: number[] = [];
    await model.fit(x, y, { batchSize: 32, epochs: 20, verbose: 0,
      callbacks: { onEpochEnd: async () => { counts.push(tf.memory().numTensors); } } });
    expect(counts.length).toBe(20);
    expect(new Set(counts.slice(1)).size, `numTensors per epoch: ${counts}`).toBe(1);
    expect(counts[0]).toBe(counts[19]);
    tf.dispose([x, y]);
    model.dispose();
  });
});
