import { describe, expect, it } from 'vitest';
import { Activation, BatchNormalization, Dense, Dropout, layerFromConfig } from '../../lib/layers/index.js';
import { Sequential } from '../../lib/models/sequential.js';
import { codeOf } from '../models/backends.js';

describe('layers', () => {
  it('auto-names like Keras: dense, dense_1, ... per kind', () => {
    const a = new Dropout({ rate: 0.1 });
    const b = new Dropout({ rate: 0.1 });
    const m = a.name.match(/^dropout(?:_(\d+))?$/);
    expect(m).not.toBeNull();
    const n = m![1] === undefined ? 0 : Number(m![1]);
    expect(b.name).toBe(`dropout_${n + 1}`);
    expect(new Dense({ units: 1, name: 'head' }).name).toBe('head');
  });

  it('Dense validates its options with coded, sharp-style messages', () => {
    expect(codeOf(() => new Dense({ units: -3 }))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(() => new Dense({ units: -3 })).toThrow('Expected positive integer for units but received -3 of type number');
    expect(codeOf(() => new Dense({ units: 2.5 }))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(codeOf(() => new Dense({ units: 4, activation: 'swish' as never }))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(codeOf(() => new Dense({ units: 4, kernelInitializer: 'nope' }))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(codeOf(() => new Dense({ units: 4, kernelRegularizer: { l3: 1 } as never }))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(codeOf(() => new Dense({ units: 4, kernelRegularizer: { l2: -1 } }))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(codeOf(() => new Dense({ units: 4, inputShape: [0] }))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(codeOf(() => new Dense({ units: 4, unitz: 3 } as never))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(codeOf(() => new Dense(undefined as never))).toBe('SIMDNET_INVALID_ARGUMENT');
  });

  it('other layers validate too', () => {
    expect(codeOf(() => new Dropout({ rate: 1 }))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(codeOf(() => new Dropout({ rate: 0.5, seed: -1 }))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(codeOf(() => new BatchNormalization({ momentum: 2 }))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(codeOf(() => new BatchNormalization({ epsilon: 0 }))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(codeOf(() => new Activation({ activation: { name: 'relu', alpha: 0.1 } }))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(codeOf(() => new Activation({ activation: { name: 'softmax', temperature: 0 } }))).toBe('SIMDNET_INVALID_ARGUMENT');
  });

  it('parses activations from strings (Keras spellings) and objects', () => {
    expect(new Dense({ units: 1, activation: 'leaky_relu' }).activation).toEqual({ kind: 'leakyRelu', alpha: 0.01 });
    expect(new Dense({ units: 1, activation: { name: 'leakyRelu', alpha: 0.2 } }).activation).toEqual({ kind: 'leakyRelu', alpha: 0.2 });
    expect(new Activation('softmax').activation).toEqual({ kind: 'softmax', temperature: 1 });
    expect(new Activation({ activation: { name: 'softmax', temperature: 2 } }).activation).toEqual({ kind: 'softmax', temperature: 2 });
  });

  it('getConfig round-trips through layerFromConfig', () => {
    const layers = [
      new Dense({ units: 5, inputShape: [3], activation: { name: 'leakyRelu', alpha: 0.3 }, kernelInitializer: { name: 'randomNormal', stddev: 0.2 }, kernelRegularizer: { l2: 1e-4 }, useBias: false }),
      new Dropout({ rate: 0.25, seed: 7 }),
      new BatchNormalization({ momentum: 0.9, center: false }),
      new Activation({ activation: { name: 'softmax', temperature: 0.5 } }),
    ];
    for (const l of layers) {
      const c = { className: l.className, config: JSON.parse(JSON.stringify(l.getConfig())) };
      const r = layerFromConfig(c);
      expect(r.getConfig()).toEqual(l.getConfig());
      expect(r.className).toBe(l.className);
    }
    expect(codeOf(() => layerFromConfig({ className: 'Conv2D', config: {} }))).toBe('SIMDNET_UNSUPPORTED_FORMAT');
  });

  it('countParams follows Keras (BN: 4 per feature, 2 non-trainable)', () => {
    const m = new Sequential([
      new Dense({ units: 128, inputShape: [784] }),
      new BatchNormalization(),
      new Dense({ units: 10, useBias: false }),
    ]);
    const [d, bn, d2] = m.layers;
    expect(d.countParams()).toBe(100480);
    expect(bn.paramCounts()).toEqual({ trainable: 256, nonTrainable: 256 });
    expect(d2.countParams()).toBe(1280);
    expect(m.countParams()).toBe(100480 + 512 + 1280);
  });

  it('the first layer needs inputShape; an unbuilt layer has no counts', () => {
    expect(codeOf(() => new Sequential([new Dense({ units: 2 })]))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(codeOf(() => new Dense({ units: 2 }).countParams())).toBe('SIMDNET_NOT_BUILT');
    expect(codeOf(() => new Sequential([new Dense({ units: 2, inputShape: [3] }), new Dense({ units: 2, inputShape: [4] })]))).toBe('SIMDNET_SHAPE_MISMATCH');
  });
});
