/**
 * BatchNormalization over the feature axis (Keras semantics): training normalises with the batch mean and biased
 * variance and updates moving = momentum * moving + (1 - momentum) * batch; inference uses the moving statistics.
 * Parameters: gamma (scale), beta (center) trainable; moving_mean, moving_variance non-trainable (4 per feature).
 */
import type { LayerSpec } from '../engine/engine.js';
import { checkBoolean, checkNumber } from '../validate.js';
import { Layer, checkOptions, type BaseLayerArgs, type ParamCounts } from './layer.js';

export interface BatchNormalizationArgs extends BaseLayerArgs {
  /** Moving-average momentum (default 0.99, Keras). */
  momentum?: number;
  /** Added to the variance before the square root (default 1e-3, Keras). */
  epsilon?: number;
  /** Learn an offset beta (default true). */
  center?: boolean;
  /** Learn a scale gamma (default true). */
  scale?: boolean;
}

export class BatchNormalization extends Layer {
  readonly className = 'BatchNormalization';
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;

  constructor(args: BatchNormalizationArgs = {}) {
    const a = checkOptions(args, 'BatchNormalization', ['name', 'inputShape', 'momentum', 'epsilon', 'center', 'scale']);
    super('batch_normalization', a as BaseLayerArgs);
    this.momentum = a.momentum === undefined ? 0.99 : checkNumber(a.momentum, 'momentum', { lo: 0, hi: 1 });
    this.epsilon = a.epsilon === undefined ? 1e-3 : checkNumber(a.epsilon, 'epsilon', { lo: 0, loOpen: true });
    this.center = a.center === undefined ? true : checkBoolean(a.center, 'center');
    this.scale = a.scale === undefined ? true : checkBoolean(a.scale, 'scale');
  }

  outputSizeFor(inputSize: number): number {
    return inputSize;
  }

  paramCounts(): ParamCounts {
    const n = this.inputSize;
    return { trainable: ((this.center ? 1 : 0) + (this.scale ? 1 : 0)) * n, nonTrainable: 2 * n };
  }

  toSpec(): LayerSpec {
    return {
      name: this.name, type: 'batchNormalization', size: this.inputSize, momentum: this.momentum, epsilon: this.epsilon,
      center: this.center, scale: this.scale,
    };
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), momentum: this.momentum, epsilon: this.epsilon, center: this.center, scale: this.scale };
  }
}
