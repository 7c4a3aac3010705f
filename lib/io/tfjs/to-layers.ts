/**
 * A simdnet Sequential as a tfjs layers-model topology plus its weights (issue 14). tfjs has no leakyRelu
 * activation string and no softmax temperature, so those become layers of their own:
 *   Dense(act)                  -> Dense(act) for linear, relu, sigmoid, tanh, softmax (temperature 1)
 *   Dense(leakyRelu a)          -> Dense(linear), LeakyReLU({ alpha: a })        (alpha always written)
 *   Dense(softmax T != 1)       -> Dense(linear), Rescaling({ scale: 1 / T }), Softmax   (Keras's temperature idiom)
 *   Activation(...)             -> Activation, or LeakyReLU, or Rescaling + Softmax, as above
 *   Dropout, BatchNormalization -> the same layers
 * The first layer carries batch_input_shape [null, features] (what tfjs's own Sequential.toJSON writes). Weights
 * are named `<layer>/<weight>` as tfjs names them; their order is simdnet's engine order (tfjs loads by name).
 */
import type { ActivationSpec, InitSpec, LayerSpec, RegularizerSpec } from '../../engine/engine.js';
import { SimdnetError, describe } from '../../errors.js';
import type { Sequential } from '../../models/sequential.js';
import type { NamedWeight, TfjsLayerJson, TfjsTopology } from './format.js';

const PLAIN_ACTIVATIONS = new Set(['linear', 'relu', 'sigmoid', 'tanh']);

/** simdnet initializer -> tfjs/Keras serialised initializer (class names both read). */
function initializerJson(s: InitSpec): Record<string, unknown> {
  const vs = (scale: number, mode: string, distribution: string) => ({ class_name: 'VarianceScaling', config: { scale, mode, distribution, seed: null } });
  switch (s.kind) {
    case 'zeros': return { class_name: 'Zeros', config: {} };
    case 'ones': return { class_name: 'Ones', config: {} };
    case 'constant': return { class_name: 'Constant', config: { value: s.value ?? 0 } };
    case 'randomUniform': return { class_name: 'RandomUniform', config: { minval: s.minval, maxval: s.maxval, seed: null } };
    case 'randomNormal': return { class_name: 'RandomNormal', config: { mean: s.mean, stddev: s.stddev, seed: null } };
    case 'truncatedNormal': return { class_name: 'TruncatedNormal', config: { mean: s.mean, stddev: s.stddev, seed: null } };
    case 'glorotUniform': return vs(1, 'fan_avg', 'uniform');
    case 'glorotNormal': return vs(1, 'fan_avg', 'truncated_normal');
    case 'heUniform': return vs(2, 'fan_in', 'uniform');
    case 'heNormal': return vs(2, 'fan_in', 'truncated_normal');
    case 'lecunUniform': return vs(1, 'fan_in', 'uniform');
    case 'lecunNormal': return vs(1, 'fan_in', 'truncated_normal');
    default: throw new SimdnetError('SIMDNET_UNSUPPORTED_FORMAT', `Cannot write initializer ${describe((s as InitSpec).kind)} in the tfjs format`);
  }
}

function regularizerJson(r: RegularizerSpec | null): Record<string, unknown> | null {
  return r ? { class_name: 'L1L2', config: { l1: r.l1, l2: r.l2 } } : null;
}

/** Layer names unique across the tfjs topology (the extra LeakyReLU/Rescaling/Softmax layers get suffixes). */
class Names {
  private used: Set<string>;
  constructor(layers: LayerSpec[]) {
    this.used = new Set(layers.map((l) => l.name));
  }
  fresh(base: string): string {
    let n = base;
    for (let i = 1; this.used.has(n); i++) n = `${base}_${i}`;
    this.used.add(n);
    return n;
  }
}

/** The layers that apply activation `a` after a layer (Dense with linear) or as the layer `name` itself. */
function activationLayers(a: ActivationSpec, name: string, own: boolean, names: Names): TfjsLayerJson[] {
  const id = (suffix: string) => (own ? name : names.fresh(`${name}_${suffix}`));
  switch (a.kind) {
    case 'leakyRelu':
      return [{ class_name: 'LeakyReLU', config: { alpha: a.alpha ?? 0.01, name: id('leaky_relu'), trainable: true, dtype: 'float32' } }];
    case 'softmax': {
      const t = a.temperature ?? 1;
      const softmax: TfjsLayerJson = { class_name: 'Softmax', config: { axis: -1, name: id('softmax'), trainable: true, dtype: 'float32' } };
      if (t === 1) return [softmax];
      const rescale = names.fresh(`${softmax.config.name as string}_temperature`);
      return [{ class_name: 'Rescaling', config: { scale: 1 / t, offset: 0, name: rescale, trainable: true, dtype: 'float32' } }, softmax];
    }
    default:
      if (!PLAIN_ACTIVATIONS.has(a.kind)) throw new SimdnetError('SIMDNET_UNSUPPORTED_FORMAT', `Cannot write activation ${describe(a.kind)} of layer ${name} in the tfjs format`);
      return own ? [{ class_name: 'Activation', config: { activation: a.kind, name, trainable: true, dtype: 'float32' } }] : [];
  }
}

function layerJson(spec: LayerSpec, names: Names): TfjsLayerJson[] {
  const base = { name: spec.name, trainable: true, dtype: 'float32' };
  switch (spec.type) {
    case 'dense': {
      const a = spec.activation;
      const inline = PLAIN_ACTIVATIONS.has(a.kind) || (a.kind === 'softmax' && (a.temperature ?? 1) === 1);
      const dense: TfjsLayerJson = {
        class_name: 'Dense',
        config: {
          units: spec.units, activation: inline ? a.kind : 'linear', use_bias: spec.useBias,
          kernel_initializer: initializerJson(spec.kernelInitializer), bias_initializer: initializerJson(spec.biasInitializer),
          kernel_regularizer: regularizerJson(spec.kernelRegularizer), bias_regularizer: regularizerJson(spec.biasRegularizer),
          activity_regularizer: null, kernel_constraint: null, bias_constraint: null, ...base,
        },
      };
      return inline ? [dense] : [dense, ...activationLayers(a, spec.name, false, names)];
    }
    case 'activation':
      return activationLayers(spec.activation, spec.name, true, names);
    case 'dropout':
      return [{ class_name: 'Dropout', config: { rate: spec.rate, noise_shape: null, seed: spec.seed, ...base } }];
    case 'batchNormalization':
      return [{
        class_name: 'BatchNormalization',
        config: {
          axis: -1, momentum: spec.momentum, epsilon: spec.epsilon, center: spec.center, scale: spec.scale,
          beta_initializer: { class_name: 'Zeros', config: {} }, gamma_initializer: { class_name: 'Ones', config: {} },
          moving_mean_initializer: { class_name: 'Zeros', config: {} }, moving_variance_initializer: { class_name: 'Ones', config: {} },
          beta_regularizer: null, gamma_regularizer: null, beta_constraint: null, gamma_constraint: null, ...base,
        },
      }];
    default:
      throw new SimdnetError('SIMDNET_UNSUPPORTED_FORMAT', `Cannot write layer ${(spec as LayerSpec).name} in the tfjs format`);
  }
}

export interface LayersModelParts {
  topology: TfjsTopology;
  weights: NamedWeight[];
}

/** Topology and weight copies of `model` (read now: call inside engine.consistentRead during fit). */
export function toLayersModel(model: Sequential, kerasVersion: string): LayersModelParts {
  if (model === null || typeof model !== 'object' || typeof (model as Partial<Sequential>).getWeights !== 'function')
    throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected a Sequential model but received ${describe(model)}`);
  const specs = model.layers.map((l) => l.toSpec());
  const names = new Names(specs);
  const layers = specs.flatMap((s) => layerJson(s, names));
  layers[0].config = { ...layers[0].config, batch_input_shape: [null, model.inputSize] };
  const engine = model.engine;
  const infos = engine.params();
  const values = engine.getParams();
  return {
    topology: { class_name: 'Sequential', config: { name: model.name, layers }, keras_version: kerasVersion, backend: 'tensor_flow.js' },
    weights: infos.map((p, i) => ({ name: p.name, shape: [...p.shape], values: values[i] })),
  };
}
