/** Dense: y = act(x W + b), W stored [in][out] (Keras layout). */
import type { ActivationSpec, InitSpec, LayerSpec, RegularizerSpec } from '../engine/engine.js';
import { checkBoolean, checkSize } from '../validate.js';
import { Layer, checkOptions, type BaseLayerArgs, type ParamCounts } from './layer.js';
import { activationConfig, parseActivation, type ActivationIdentifier } from './activations.js';
import { initializerConfig, parseInitializer, type InitializerIdentifier } from './initializers.js';
import { parseRegularizer, type RegularizerArgs } from './regularizers.js';

export interface DenseArgs extends BaseLayerArgs {
  /** Number of output units (positive integer). */
  units: number;
  /** Activation applied to x W + b (default 'linear'). */
  activation?: ActivationIdentifier;
  /** Whether the layer has a bias vector (default true). */
  useBias?: boolean;
  /** Initializer of the [in][out] kernel (default 'glorotUniform', as Keras). */
  kernelInitializer?: InitializerIdentifier;
  /** Initializer of the bias (default 'zeros'). */
  biasInitializer?: InitializerIdentifier;
  /** Penalty on the kernel, { l1?, l2? } (default none). */
  kernelRegularizer?: RegularizerArgs | null;
  /** Penalty on the bias, { l1?, l2? } (default none). */
  biasRegularizer?: RegularizerArgs | null;
}

const KEYS = ['name', 'inputShape', 'units', 'activation', 'useBias', 'kernelInitializer', 'biasInitializer', 'kernelRegularizer', 'biasRegularizer'] as const;

export class Dense extends Layer {
  readonly className = 'Dense';
  readonly units: number;
  readonly activation: ActivationSpec;
  readonly useBias: boolean;
  readonly kernelInitializer: InitSpec;
  readonly biasInitializer: InitSpec;
  readonly kernelRegularizer: RegularizerSpec | null;
  readonly biasRegularizer: RegularizerSpec | null;

  constructor(args: DenseArgs) {
    const a = checkOptions(args ?? null, 'Dense', KEYS);
    super('dense', a as BaseLayerArgs);
    this.units = checkSize(a.units, 'units', 1);
    this.activation = parseActivation(a.activation);
    this.useBias = a.useBias === undefined ? true : checkBoolean(a.useBias, 'useBias');
    this.kernelInitializer = parseInitializer(a.kernelInitializer, 'kernelInitializer', 'glorotUniform');
    this.biasInitializer = parseInitializer(a.biasInitializer, 'biasInitializer', 'zeros');
    this.kernelRegularizer = parseRegularizer(a.kernelRegularizer, 'kernelRegularizer');
    this.biasRegularizer = parseRegularizer(a.biasRegularizer, 'biasRegularizer');
  }

  outputSizeFor(): number {
    return this.units;
  }

  paramCounts(): ParamCounts {
    return { trainable: this.inputSize * this.units + (this.useBias ? this.units : 0), nonTrainable: 0 };
  }

  toSpec(): LayerSpec {
    return {
      name: this.name, type: 'dense', inputSize: this.inputSize, units: this.units, useBias: this.useBias,
      activation: { ...this.activation }, kernelInitializer: { ...this.kernelInitializer }, biasInitializer: { ...this.biasInitializer },
      kernelRegularizer: this.kernelRegularizer && { ...this.kernelRegularizer },
      biasRegularizer: this.biasRegularizer && { ...this.biasRegularizer },
    };
  }

  getConfig(): Record<string, unknown> {
    return {
      ...this.baseConfig(), units: this.units, activation: activationConfig(this.activation), useBias: this.useBias,
      kernelInitializer: initializerConfig(this.kernelInitializer), biasInitializer: initializerConfig(this.biasInitializer),
      kernelRegularizer: this.kernelRegularizer, biasRegularizer: this.biasRegularizer,
    };
  }
}
