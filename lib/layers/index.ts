import { SimdnetError, describe } from '../errors.js';
import { Activation } from './activation.js';
import { BatchNormalization } from './batch-normalization.js';
import { Dense } from './dense.js';
import { Dropout } from './dropout.js';
import type { Layer, LayerConfig } from './layer.js';

export { Layer, autoName } from './layer.js';
export type { BaseLayerArgs, LayerConfig, ParamCounts } from './layer.js';
export { Dense, type DenseArgs } from './dense.js';
export { Activation, type ActivationArgs } from './activation.js';
export { Dropout, type DropoutArgs } from './dropout.js';
export { BatchNormalization, type BatchNormalizationArgs } from './batch-normalization.js';
export { parseActivation, type ActivationIdentifier } from './activations.js';
export type { InitializerIdentifier } from './initializers.js';
export type { RegularizerArgs } from './regularizers.js';

/** Rebuilds a layer from { className, config } (model.json). */
export function layerFromConfig(c: LayerConfig): Layer {
  const cfg = (c?.config ?? {}) as never;
  switch (c?.className) {
    case 'Dense': return new Dense(cfg);
    case 'Activation': return new Activation(cfg);
    case 'Dropout': return new Dropout(cfg);
    case 'BatchNormalization': return new BatchNormalization(cfg);
    default: throw new SimdnetError('SIMDNET_UNSUPPORTED_FORMAT', `Unknown layer class ${describe(c?.className)}`);
  }
}
