/**
 * Model-wide finite-difference gradient check on the JS engine: every layer type, every activation, every loss (fused
 * and unfused paths), regularizers. The engine's training-mode loss is evaluated with one parameter element moved by
 * +-h (JsEngine.computeGradients: no update, no moving statistics, the same dropout mask); kinks (ReLU) are detected
 * by comparing two step sizes and skipped, as ggml's grad_expect does.
 */
import { describe, expect, it } from 'vitest';
import { Activation, BatchNormalization, Dense, Dropout, Sequential, optimizers, type Layer } from '../../lib/index.js';
import type { JsEngine } from '../../lib/engine/js-engine.js';
import { lcg as rand } from '../helpers/random.js';

function data(n: number, inSize: number, outSize: number, loss: string, seed: number) {
  const r = rand(seed);
  const x = Float32Array.from({ length: n * inSize }, () => 2 * r() - 1);
  let y: Float32Array;
  if (loss === 'sparseCategoricalCrossentropy') y = Float32Array.from({ length: n }, () => Math.floor(r() * outSize));
  else if (loss === 'categoricalCrossentropy') {
    y = new Float32Array(n * outSize);
    for (let i = 0; i < n; i++) y[i * outSize + Math.floor(r() * outSize)] = 1;
  } else if (loss === 'binaryCrossentropy') y = Float32Array.from({ length: n * outSize }, () => (r() > 0.5 ? 1 : 0));
  else y = Float32Array.from({ length: n * outSize }, () => 2 * r() - 1);
  return { x, y };
}

function gradCheck(layers: Layer[], loss: string, n = 6) {
  const m = new Sequential(layers);
  m.compile({ optimizer: optimizers.sgd(), loss, backend: 'js', seed: 11 });
  const eng = m.engine as JsEngine;
  const { x, y } = data(n, m.inputSize, m.outputSize, loss, 5);
  const params = eng.getParams();
  const infos = eng.params();
  const { grads } = eng.computeGradients(x, y, n);
  const lossAt = (p: number, i: number, h: number) => {
    const orig = params[p][i];
    params[p][i] = orig + h;
    eng.setParams(params);
    const l = eng.computeGradients(x, y, n).loss;
    params[p][i] = orig;
    return l;
  };
  const fd = (p: number, i: number, h: number) => {
    const up = Math.fround(params[p][i] + h) - params[p][i];
    const down = Math.fround(params[p][i] - h) - params[p][i];
    return (lossAt(p, i, up) - lossAt(p, i, down)) / (up - down);
  };
  let checked = 0;
  let skipped = 0;
  const failures: string[] = [];
  infos.forEach((info, p) => {
    if (!info.trainable) {
      expect(grads[p]).toBeNull();
      return;
    }
    for (let i = 0; i < params[p].length; i++) {
      const a = fd(p, i, 1e-2);
      const b = fd(p, i, 5e-3);
      const tol = (v: number) => 2e-3 + 2e-2 * Math.abs(v);
      if (Math.abs(a - b) > tol(b)) {
        skipped++;
        continue;
      }
      const g = grads[p]![i];
      if (Math.abs(g - b) > tol(b)) failures.push(`${info.name}[${i}]: analytic ${g} vs numeric ${b}`);
      checked++;
    }
  });
  eng.setParams(params);
  expect(failures).toEqual([]);
  expect(skipped).toBeLessThanOrEqual(Math.max(2, checked * 0.05));
  expect(checked).toBeGreaterThan(10);
  m.dispose();
}

describe('finite-difference gradient check through every layer type (JsEngine)', () => {
  it('dense tanh + l1/l2, dropout, batch norm, leakyRelu, relu activation, dense softmax + categorical (fused)', () => {
    gradCheck([
      new Dense({ units: 5, activation: 'tanh', inputShape: [3], kernelRegularizer: { l1: 1e-2, l2: 1e-2 }, biasRegularizer: { l2: 0.05 } }),
      new Dropout({ rate: 0.3, seed: 5 }),
      new BatchNormalization({ momentum: 0.9 }),
      new Dense({ units: 4, activation: { name: 'leakyRelu', alpha: 0.1 }, biasInitializer: { name: 'constant', value: 0.1 } }),
      new Activation('relu'),
      new Dense({ units: 3, activation: { name: 'softmax', temperature: 1.5 } }),
    ], 'categoricalCrossentropy');
  });

  it('dense sigmoid, softmax activation layer (temperature) with MSE (unfused softmax backward)', () => {
    gradCheck([
      new Dense({ units: 4, activation: 'sigmoid', inputShape: [3], kernelInitializer: { name: 'randomNormal', stddev: 1 } }),
      new Activation({ activation: { name: 'softmax', temperature: 2 } }),
    ], 'meanSquaredError');
  });

  it('linear dense + sigmoid activation layer with binary crossentropy (fused through an Activation layer)', () => {
    gradCheck([
      new Dense({ units: 4, inputShape: [3], kernelInitializer: { name: 'randomNormal', stddev: 1 } }),
      new BatchNormalization({ center: false }),
      new Dense({ units: 3 }),
      new Activation('sigmoid'),
    ], 'binaryCrossentropy');
  });

  it('sigmoid outputs with categorical and sparse crossentropy (unfused, probability space)', () => {
    gradCheck([new Dense({ units: 4, activation: 'tanh', inputShape: [3] }), new Dense({ units: 3, activation: 'sigmoid' })], 'categoricalCrossentropy');
    gradCheck([new Dense({ units: 4, activation: 'tanh', inputShape: [3] }), new Dense({ units: 3, activation: 'sigmoid' })], 'sparseCategoricalCrossentropy');
  });

  it('softmax with sparse crossentropy (fused) and with binary crossentropy (unfused)', () => {
    gradCheck([new Dense({ units: 4, activation: 'sigmoid', inputShape: [3] }), new BatchNormalization({ scale: false }), new Dense({ units: 3, activation: 'softmax' })], 'sparseCategoricalCrossentropy');
    gradCheck([new Dense({ units: 4, activation: 'relu', inputShape: [3], biasInitializer: { name: 'constant', value: 0.5 } }), new Dense({ units: 2, activation: 'softmax', useBias: false })], 'binaryCrossentropy');
  });

  it('the element-wise losses (meanAbsoluteError, huber, logCosh, hinge, squaredHinge, kullbackLeiblerDivergence, poisson)', () => {
    for (const loss of ['meanAbsoluteError', 'huber', 'logCosh', 'hinge', 'squaredHinge', 'kullbackLeiblerDivergence', 'poisson'])
      gradCheck([new Dense({ units: 4, activation: 'tanh', inputShape: [3] }), new Dense({ units: 3, activation: 'sigmoid' })], loss);
  });
});
