/**
 * Layer base (tfjs Dense anatomy): options validated in the constructor, a Keras-style auto name, a lazy build(inputSize)
 * once the input size is known, getConfig() for model.json, countParams(). Layers only describe themselves
 * (toSpec): the engine owns their weights; a layer attached to a compiled model reads them through the model.
 */
import type { LayerSpec } from '../engine/engine.js';
import { SimdnetError, describe } from '../errors.js';
import { checkSize } from '../validate.js';

/** Options every layer takes. */
export interface BaseLayerArgs {
  /** Unique name in the model; auto-assigned like Keras ('dense', 'dense_1', ...) when omitted. */
  name?: string;
  /** Input shape without the batch dimension, e.g. [784]; required on the first layer of a Sequential model. */
  inputShape?: number[];
}

const counters = new Map<string, number>();

/** Keras naming: the first layer of a kind is 'dense', then 'dense_1', 'dense_2', ... (per process). */
export function autoName(base: string): string {
  const n = counters.get(base) ?? 0;
  counters.set(base, n + 1);
  return n === 0 ? base : `${base}_${n}`;
}

export interface ParamCounts {
  trainable: number;
  nonTrainable: number;
}

export interface LayerConfig {
  className: string;
  config: Record<string, unknown>;
}

/** Read access to weights of a layer inside a compiled model (set by Sequential). */
export interface LayerWeightSource {
  layerWeights(layer: Layer): Float32Array[];
}

export abstract class Layer {
  /** Keras class name, e.g. 'Dense'. */
  abstract readonly className: string;
  readonly name: string;
  /** Input features declared with inputShape (null when inferred from the previous layer). */
  readonly declaredInputSize: number | null;
  private builtInputSize: number | null = null;
  /** @internal set while the layer belongs to a model */
  owner: LayerWeightSource | null = null;

  protected constructor(base: string, args: BaseLayerArgs) {
    if (args.name !== undefined && (typeof args.name !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(args.name)))
      throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected a name of letters, digits, '_', '.', '-' for name but received ${describe(args.name)}`);
    this.name = args.name ?? autoName(base);
    if (args.inputShape !== undefined) {
      if (!Array.isArray(args.inputShape) || args.inputShape.length !== 1)
        throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected inputShape of the form [features] but received ${describe(args.inputShape)}`);
      this.declaredInputSize = checkSize(args.inputShape[0], 'inputShape[0]', 1);
    } else this.declaredInputSize = null;
  }

  /** Fixes the input size (called by the model); a layer is built once. */
  build(inputSize: number): void {
    if (this.declaredInputSize !== null && inputSize !== this.declaredInputSize)
      throw new SimdnetError('SIMDNET_SHAPE_MISMATCH', `Layer ${this.name} declares inputShape [${this.declaredInputSize}] but receives ${inputSize} features`);
    if (this.builtInputSize !== null && this.builtInputSize !== inputSize)
      throw new SimdnetError('SIMDNET_SHAPE_MISMATCH', `Layer ${this.name} was built for ${this.builtInputSize} features and cannot take ${inputSize}`);
    this.checkInputSize(inputSize);
    this.builtInputSize = inputSize;
  }

  get built(): boolean {
    return this.builtInputSize !== null;
  }

  get inputSize(): number {
    if (this.builtInputSize === null) throw new SimdnetError('SIMDNET_NOT_BUILT', `Layer ${this.name} is not built yet (its input size is unknown)`);
    return this.builtInputSize;
  }

  get outputSize(): number {
    return this.outputSizeFor(this.inputSize);
  }

  /** Output shape without the batch dimension. */
  get outputShape(): number[] {
    return [this.outputSize];
  }

  protected checkInputSize(_inputSize: number): void {}

  abstract outputSizeFor(inputSize: number): number;
  /** Parameter counts once built. */
  abstract paramCounts(): ParamCounts;
  /** The engine's description of this layer. */
  abstract toSpec(): LayerSpec;
  /** Constructor options that rebuild this layer (plus name and inputShape). */
  abstract getConfig(): Record<string, unknown>;

  countParams(): number {
    const c = this.paramCounts();
    return c.trainable + c.nonTrainable;
  }

  /** Copies of this layer's parameters (engine order) from the compiled model it belongs to. */
  getWeights(): Float32Array[] {
    if (!this.owner) throw new SimdnetError('SIMDNET_NOT_COMPILED', `Layer ${this.name} belongs to no compiled model`);
    return this.owner.layerWeights(this);
  }

  protected baseConfig(): Record<string, unknown> {
    return this.declaredInputSize !== null ? { name: this.name, inputShape: [this.declaredInputSize] } : { name: this.name };
  }

  /** Layers own no memory (the engine does); kept for the tfjs-shaped API. */
  dispose(): void {
    this.owner = null;
  }
}

export function checkOptions(args: unknown, cls: string, allowed: readonly string[]): Record<string, unknown> {
  if (args === undefined) return {};
  if (typeof args !== 'object' || args === null || Array.isArray(args))
    throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected an options object for new ${cls}() but received ${describe(args)}`);
  for (const k of Object.keys(args))
    if (!allowed.includes(k) && (args as Record<string, unknown>)[k] !== undefined)
      throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Unknown option '${k}' for ${cls} (expected one of ${allowed.join(', ')})`);
  return args as Record<string, unknown>;
}
