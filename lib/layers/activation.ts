/** Activation: y = act(x) elementwise (softmax over each row). */
import type { ActivationSpec, LayerSpec } from '../engine/engine.js';
import { Layer, checkOptions, type BaseLayerArgs, type ParamCounts } from './layer.js';
import { activationConfig, parseActivation, type ActivationIdentifier } from './activations.js';
import { SimdnetError } from '../errors.js';

export interface ActivationArgs extends BaseLayerArgs {
  /** The function: 'relu', 'sigmoid', { name: 'leakyRelu', alpha: 0.2 }, { name: 'softmax', temperature: 2 }, ... */
  activation: ActivationIdentifier;
}

export class Activation extends Layer {
  readonly className = 'Activation';
  readonly activation: ActivationSpec;

  /** Accepts the options object or just the activation: `new Activation('relu')`. */
  constructor(args: ActivationArgs | ActivationIdentifier) {
    const a = typeof args === 'string' ? { activation: args } : checkOptions(args ?? null, 'Activation', ['name', 'inputShape', 'activation']);
    super('activation', a as BaseLayerArgs);
    if (a.activation === undefined) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', 'Expected an activation for Activation but received undefined');
    this.activation = parseActivation(a.activation);
  }

  outputSizeFor(inputSize: number): number {
    return inputSize;
  }

  paramCounts(): ParamCounts {
    return { trainable: 0, nonTrainable: 0 };
  }

  toSpec(): LayerSpec {
    return { name: this.name, type: 'activation', size: this.inputSize, activation: { ...this.activation } };
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), activation: activationConfig(this.activation) };
  }
}
