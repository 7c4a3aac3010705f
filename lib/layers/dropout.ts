/**
 * Dropout (inverted): in training each element is zeroed with probability `rate` and the survivors are scaled by
 * 1 / (1 - rate); at inference it is the identity. Masks come from Philox (docs/engine.md), so a seed reproduces them.
 */
import type { LayerSpec } from '../engine/engine.js';
import { checkNumber, checkSize } from '../validate.js';
import { Layer, checkOptions, type BaseLayerArgs, type ParamCounts } from './layer.js';

export interface DropoutArgs extends BaseLayerArgs {
  /** Fraction of units dropped in training, in [0, 1). */
  rate: number;
  /** Seed of the masks (default: the model's seed). Non-negative integer. */
  seed?: number | null;
}

export class Dropout extends Layer {
  readonly className = 'Dropout';
  readonly rate: number;
  readonly seed: number | null;

  constructor(args: DropoutArgs) {
    const a = checkOptions(args ?? null, 'Dropout', ['name', 'inputShape', 'rate', 'seed']);
    super('dropout', a as BaseLayerArgs);
    this.rate = checkNumber(a.rate, 'rate', { lo: 0, hi: 1, hiOpen: true });
    this.seed = a.seed === undefined || a.seed === null ? null : checkSize(a.seed, 'seed');
  }

  outputSizeFor(inputSize: number): number {
    return inputSize;
  }

  paramCounts(): ParamCounts {
    return { trainable: 0, nonTrainable: 0 };
  }

  toSpec(): LayerSpec {
    return { name: this.name, type: 'dropout', size: this.inputSize, rate: this.rate, seed: this.seed };
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), rate: this.rate, seed: this.seed };
  }
}
