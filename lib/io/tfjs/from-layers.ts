/**
 * A tfjs layers-model topology as simdnet layers (issue 14). Accepts tfjs's own topology ({ class_name:
 * 'Sequential', config }), the Keras converter's wrapper ({ model_config: { class_name, config } }), the old Keras
 * form where config is the layer list, and Keras 3 entries (module, registered_name, build_config; InputLayer with
 * batch_shape; LeakyReLU's negative_slope). Sequential only, with InputLayer, Dense, Activation, Dropout,
 * BatchNormalization, LeakyReLU, Softmax, and Rescaling directly before a Softmax (a temperature T = 1 / scale).
 * Every config key is known here: a key this importer does not know, or a known one set to something simdnet cannot
 * do (a constraint, noise_shape, renorm, a frozen layer), is refused with SIMDNET_UNSUPPORTED_FORMAT naming the
 * layer, never silently dropped. The caller (load.ts / interop) supplies the weights.
 */
import type { LayerSpec } from '../../engine/engine.js';
import { SimdnetError, describe } from '../../errors.js';
import { Activation, BatchNormalization, Dense, Dropout, type Layer } from '../../layers/index.js';
import type { ActivationIdentifier } from '../../layers/activations.js';
import type { InitializerIdentifier } from '../../layers/initializers.js';
import { Sequential } from '../../models/sequential.js';
import { isObj } from './format.js';

const unsupported = (msg: string) => new SimdnetError('SIMDNET_UNSUPPORTED_FORMAT', msg);

/** Config keys every layer may carry, checked by checkCommon. */
const COMMON = ['name', 'trainable', 'dtype', 'batch_input_shape', 'batch_shape', 'input_dim', 'batch_size'];
/** Per class: the keys it may carry besides COMMON. */
const KEYS: Record<string, string[]> = {
  InputLayer: ['sparse', 'ragged', 'optional', 'input_shape'],
  Dense: ['units', 'activation', 'use_bias', 'kernel_initializer', 'bias_initializer', 'kernel_regularizer', 'bias_regularizer',
    'activity_regularizer', 'kernel_constraint', 'bias_constraint', 'quantization_config', 'lora_rank', 'lora_alpha'],
  Activation: ['activation'],
  Dropout: ['rate', 'noise_shape', 'seed'],
  BatchNormalization: ['axis', 'momentum', 'epsilon', 'center', 'scale', 'beta_initializer', 'gamma_initializer', 'moving_mean_initializer',
    'moving_variance_initializer', 'beta_regularizer', 'gamma_regularizer', 'beta_constraint', 'gamma_constraint', 'synchronized',
    'renorm', 'renorm_clipping', 'renorm_momentum'],
  LeakyReLU: ['alpha', 'negative_slope'],
  Softmax: ['axis'],
  Rescaling: ['scale', 'offset'],
};
/** Keys of a layer entry (Keras 3 adds module, registered_name, build_config; Keras 2 functional adds inbound_nodes). */
const ENTRY_KEYS = ['class_name', 'config', 'module', 'registered_name', 'build_config', 'name'];

export interface LayerEntry {
  className: string;
  name: string;
  config: Record<string, unknown>;
}

/** The Sequential's name and layer entries, from any of the accepted topology shapes. */
export function sequentialEntries(topology: unknown, where: string): { name?: string; entries: LayerEntry[] } {
  let t = topology;
  if (isObj(t) && isObj(t.model_config)) t = t.model_config;
  if (!isObj(t)) throw unsupported(`${where}: modelTopology is ${describe(t)}, not a model`);
  if (t.class_name !== 'Sequential')
    throw unsupported(`${where}: the model is a ${describe(t.class_name)}; simdnet imports Sequential models only`);
  const cfg = t.config;
  const list = Array.isArray(cfg) ? cfg : isObj(cfg) && Array.isArray(cfg.layers) ? cfg.layers : null;
  if (!list) throw unsupported(`${where}: the Sequential model lists no layers`);
  const entries = list.map((e: unknown, i: number): LayerEntry => {
    if (!isObj(e) || typeof e.class_name !== 'string' || !isObj(e.config)) throw unsupported(`${where}: layer ${i} is malformed (${describe(e)})`);
    const extra = Object.keys(e).filter((k) => !ENTRY_KEYS.includes(k));
    const name = typeof e.config.name === 'string' ? e.config.name : `#${i}`;
    if (extra.length > 0) throw unsupported(`${where}: layer ${name} (${e.class_name}) has key '${extra[0]}' that simdnet does not know`);
    return { className: e.class_name, name, config: e.config };
  });
  return { name: isObj(cfg) && typeof cfg.name === 'string' ? cfg.name : undefined, entries };
}

function checkKeys(e: LayerEntry, where: string): void {
  const allowed = KEYS[e.className];
  if (!allowed) throw unsupported(`${where}: layer ${e.name} is a ${e.className}; simdnet imports ${Object.keys(KEYS).join(', ')}`);
  for (const k of Object.keys(e.config))
    if (!COMMON.includes(k) && !allowed.includes(k))
      throw unsupported(`${where}: layer ${e.name} (${e.className}) has config key '${k}' that simdnet does not know; refusing to drop it`);
}

/** A value that must be absent or null (or one of `ok`). */
function mustBe(e: LayerEntry, key: string, where: string, ok: unknown[] = []): void {
  const v = e.config[key];
  if (v !== undefined && v !== null && !ok.includes(v))
    throw unsupported(`${where}: layer ${e.name} (${e.className}) sets ${key} = ${JSON.stringify(v)}, which simdnet does not support`);
}

/** The feature count of batch_input_shape / batch_shape [null, n] (or input_dim), or null when absent. */
function inputFeatures(e: LayerEntry, where: string): number | null {
  const c = e.config;
  const shape = c.batch_input_shape ?? c.batch_shape ?? (c.input_shape !== undefined ? [null, ...(c.input_shape as unknown[])] : undefined);
  if (shape !== undefined && shape !== null) {
    if (!Array.isArray(shape) || shape.length !== 2 || !Number.isSafeInteger(shape[1]) || (shape[1] as number) < 1)
      throw unsupported(`${where}: layer ${e.name} takes input shape ${JSON.stringify(shape)}; simdnet takes [batch, features]`);
    return shape[1] as number;
  }
  if (c.input_dim !== undefined && c.input_dim !== null) {
    if (!Number.isSafeInteger(c.input_dim) || (c.input_dim as number) < 1) throw unsupported(`${where}: layer ${e.name} has input_dim ${describe(c.input_dim)}`);
    return c.input_dim as number;
  }
  return null;
}

function checkCommon(e: LayerEntry, where: string): void {
  const c = e.config;
  if (c.trainable !== undefined && c.trainable !== true)
    throw unsupported(`${where}: layer ${e.name} (${e.className}) is frozen (trainable = ${JSON.stringify(c.trainable)}); simdnet trains every layer`);
  const dt = isObj(c.dtype) && isObj(c.dtype.config) ? c.dtype.config.name : c.dtype;
  if (dt !== undefined && dt !== null && dt !== 'float32')
    throw unsupported(`${where}: layer ${e.name} (${e.className}) has dtype ${JSON.stringify(dt)}; simdnet reads float32`);
}

function activationOf(e: LayerEntry, v: unknown, where: string): ActivationIdentifier {
  const name = typeof v === 'string' ? v : isObj(v) && typeof v.class_name === 'string' && (v.config === undefined || (isObj(v.config) && Object.keys(v.config).length === 0)) ? v.class_name : undefined;
  const known: Record<string, ActivationIdentifier> = { linear: 'linear', relu: 'relu', sigmoid: 'sigmoid', tanh: 'tanh', softmax: 'softmax' };
  if (v === undefined || v === null) return 'linear';
  if (name === undefined || !(name in known))
    throw unsupported(`${where}: layer ${e.name} (${e.className}) uses activation ${typeof name === 'string' ? `'${name}'` : describe(v)}; simdnet imports linear, relu, sigmoid, tanh, softmax (and the LeakyReLU layer)`);
  return known[name];
}

/** tfjs / Keras 2 / Keras 3 initializer class names (tfjs spells LeCun, Keras Lecun). */
const INIT_NAMES: Record<string, string> = {
  zeros: 'zeros', ones: 'ones', constant: 'constant', randomuniform: 'randomUniform', randomnormal: 'randomNormal',
  truncatednormal: 'truncatedNormal', glorotuniform: 'glorotUniform', glorotnormal: 'glorotNormal', heuniform: 'heUniform',
  henormal: 'heNormal', lecununiform: 'lecunUniform', lecunnormal: 'lecunNormal',
};

/** VarianceScaling(scale, mode, distribution) as the named initializer it equals. */
function varianceScaling(c: Record<string, unknown>): string | undefined {
  const normal = c.distribution === 'normal' || c.distribution === 'truncated_normal';
  const dist = c.distribution === 'uniform' ? 'Uniform' : normal ? 'Normal' : '';
  if (!dist) return undefined;
  if (c.scale === 1 && c.mode === 'fan_avg') return `glorot${dist}`;
  if (c.scale === 2 && c.mode === 'fan_in') return `he${dist}`;
  if (c.scale === 1 && c.mode === 'fan_in') return `lecun${dist}`;
  return undefined;
}

function initializerOf(e: LayerEntry, key: string, where: string): InitializerIdentifier | undefined {
  const v = e.config[key];
  if (v === undefined || v === null) return undefined;
  const cls = typeof v === 'string' ? v : isObj(v) ? v.class_name : undefined;
  const cfg = isObj(v) && isObj(v.config) ? v.config : {};
  let kind = typeof cls === 'string' ? INIT_NAMES[cls.replace(/_/g, '').toLowerCase()] : undefined;
  if (cls === 'VarianceScaling') kind = varianceScaling(cfg);
  if (!kind) throw unsupported(`${where}: layer ${e.name} (${e.className}) has ${key} ${JSON.stringify(v)}, which simdnet does not know`);
  const out: Record<string, unknown> = { name: kind };
  for (const k of ['value', 'minval', 'maxval', 'mean', 'stddev']) if (typeof cfg[k] === 'number') out[k] = cfg[k];
  return out as InitializerIdentifier;
}

function regularizerOf(e: LayerEntry, key: string, where: string): { l1?: number; l2?: number } | null {
  const v = e.config[key];
  if (v === undefined || v === null) return null;
  if (isObj(v) && ['L1L2', 'L1', 'L2', 'l1_l2'].includes(v.class_name as string) && isObj(v.config)) {
    const { l1, l2, ...rest } = v.config;
    if (Object.keys(rest).length === 0 && (l1 === undefined || typeof l1 === 'number') && (l2 === undefined || typeof l2 === 'number'))
      return { l1: l1 as number | undefined, l2: l2 as number | undefined };
  }
  throw unsupported(`${where}: layer ${e.name} (${e.className}) has ${key} ${JSON.stringify(v)}, which simdnet does not know`);
}

function axisLast(e: LayerEntry, where: string): void {
  const a = e.config.axis;
  const ok = a === undefined || a === -1 || a === 1 || (Array.isArray(a) && a.length === 1 && (a[0] === -1 || a[0] === 1));
  if (!ok) throw unsupported(`${where}: layer ${e.name} (${e.className}) works on axis ${JSON.stringify(a)}; simdnet's works on the feature axis`);
}

function num(e: LayerEntry, key: string, where: string, fallback: number): number {
  const v = e.config[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new SimdnetError('SIMDNET_CORRUPT_FILE', `${where}: layer ${e.name} has ${key} ${describe(v)}`);
  return v;
}

/** Builds one simdnet layer; a constructor's refusal becomes SIMDNET_CORRUPT_FILE naming the layer. */
function make(e: LayerEntry, where: string, build: () => Layer): Layer {
  try {
    return build();
  } catch (err) {
    if (err instanceof SimdnetError && err.code === 'SIMDNET_UNSUPPORTED_FORMAT') throw err;
    throw new SimdnetError('SIMDNET_CORRUPT_FILE', `${where}: layer ${e.name} (${e.className}) has an invalid config (${(err as Error).message})`, { cause: err });
  }
}

/**
 * simdnet layers for the entries (not yet in a model). A Rescaling must be followed by a Softmax: together they are
 * one softmax Activation with temperature 1 / scale, named after the Softmax.
 */
export function layersFromEntries(entries: LayerEntry[], where: string): Layer[] {
  const layers: Layer[] = [];
  let inputSize: number | null = null;
  let temperature: number | null = null;
  entries.forEach((e, i) => {
    checkKeys(e, where);
    checkCommon(e, where);
    const declared = inputFeatures(e, where);
    if (declared !== null) {
      if (layers.length > 0 || (inputSize !== null && inputSize !== declared))
        throw unsupported(`${where}: layer ${e.name} declares an input shape in the middle of the model`);
      inputSize = declared;
    }
    const base = () => ({
      ...(typeof e.config.name === 'string' ? { name: e.config.name } : {}),
      ...(layers.length === 0 && inputSize !== null ? { inputShape: [inputSize] } : {}),
    });
    if (temperature !== null && e.className !== 'Softmax') throw unsupported(`${where}: the Rescaling before layer ${e.name} is not followed by a Softmax`);
    switch (e.className) {
      case 'InputLayer':
        mustBe(e, 'sparse', where, [false]);
        mustBe(e, 'ragged', where, [false]);
        mustBe(e, 'optional', where, [false]);
        if (i !== 0 || declared === null) throw unsupported(`${where}: InputLayer ${e.name} must come first and give [batch, features]`);
        return;
      case 'Dense':
        for (const k of ['activity_regularizer', 'kernel_constraint', 'bias_constraint', 'quantization_config']) mustBe(e, k, where);
        mustBe(e, 'lora_rank', where, [0]);
        layers.push(make(e, where, () => new Dense({
          ...base(), units: e.config.units as number, activation: activationOf(e, e.config.activation, where),
          useBias: e.config.use_bias === undefined ? true : (e.config.use_bias as boolean),
          kernelInitializer: initializerOf(e, 'kernel_initializer', where), biasInitializer: initializerOf(e, 'bias_initializer', where),
          kernelRegularizer: regularizerOf(e, 'kernel_regularizer', where), biasRegularizer: regularizerOf(e, 'bias_regularizer', where),
        })));
        return;
      case 'Activation':
        layers.push(make(e, where, () => new Activation({ ...base(), activation: activationOf(e, e.config.activation, where) })));
        return;
      case 'LeakyReLU': {
        // Keras 3 writes negative_slope, tfjs and Keras 2 alpha (tfjs ignores negative_slope: its default 0.3 applies).
        const alpha = num(e, e.config.negative_slope !== undefined ? 'negative_slope' : 'alpha', where, 0.3);
        layers.push(make(e, where, () => new Activation({ ...base(), activation: { name: 'leakyRelu', alpha } })));
        return;
      }
      case 'Softmax': {
        axisLast(e, where);
        const t = temperature ?? 1;
        temperature = null;
        layers.push(make(e, where, () => new Activation({ ...base(), activation: { name: 'softmax', temperature: t } })));
        return;
      }
      case 'Rescaling': {
        const scale = num(e, 'scale', where, NaN);
        if (num(e, 'offset', where, 0) !== 0 || !(scale > 0))
          throw unsupported(`${where}: Rescaling ${e.name} (scale ${e.config.scale}, offset ${e.config.offset}) is not a softmax temperature (scale > 0, offset 0)`);
        if (entries[i + 1]?.className !== 'Softmax') throw unsupported(`${where}: Rescaling ${e.name} is not directly followed by a Softmax; simdnet imports Rescaling only as a softmax temperature`);
        temperature = 1 / scale;
        return;
      }
      case 'Dropout':
        mustBe(e, 'noise_shape', where);
        layers.push(make(e, where, () => new Dropout({ ...base(), rate: e.config.rate as number, seed: (e.config.seed as number | null) ?? null })));
        return;
      case 'BatchNormalization':
        axisLast(e, where);
        for (const k of ['beta_regularizer', 'gamma_regularizer', 'beta_constraint', 'gamma_constraint', 'renorm_clipping']) mustBe(e, k, where);
        mustBe(e, 'renorm', where, [false]);
        layers.push(make(e, where, () => new BatchNormalization({
          ...base(), momentum: num(e, 'momentum', where, 0.99), epsilon: num(e, 'epsilon', where, 1e-3),
          center: e.config.center === undefined ? true : (e.config.center as boolean), scale: e.config.scale === undefined ? true : (e.config.scale as boolean),
        })));
        return;
    }
  });
  if (layers.length === 0) throw unsupported(`${where}: the model has no layers simdnet can run`);
  if (layers[0].declaredInputSize === null) throw unsupported(`${where}: the model declares no input shape (batch_input_shape or an InputLayer)`);
  return layers;
}

/** The parameters a layer will have, in engine order (check-model.ts's derivation: kernel, bias / gamma, beta, moving_*). */
export function specParams(spec: LayerSpec, inSize: number): { name: string; shape: number[] }[] {
  const p = (param: string, shape: number[]) => ({ name: `${spec.name}/${param}`, shape });
  if (spec.type === 'dense') return [p('kernel', [inSize, spec.units]), ...(spec.useBias ? [p('bias', [spec.units])] : [])];
  if (spec.type === 'batchNormalization')
    return [...(spec.scale ? [p('gamma', [spec.size])] : []), ...(spec.center ? [p('beta', [spec.size])] : []), p('moving_mean', [spec.size]), p('moving_variance', [spec.size])];
  return [];
}

/** Builds the (uncompiled) Sequential; checks sizes layer to layer. Returns it with its parameters in engine order. */
export function sequentialFrom(topology: unknown, where: string): { model: Sequential; params: { name: string; shape: number[] }[] } {
  const { name, entries } = sequentialEntries(topology, where);
  const layers = layersFromEntries(entries, where);
  let model: Sequential;
  try {
    model = new Sequential({ name: name !== undefined && name !== '' ? name : undefined, layers });
  } catch (err) {
    throw new SimdnetError('SIMDNET_CORRUPT_FILE', `${where}: the layers do not form a model (${(err as Error).message})`, { cause: err });
  }
  const params: { name: string; shape: number[] }[] = [];
  for (const l of model.layers) params.push(...specParams(l.toSpec(), l.inputSize));
  return { model, params };
}

