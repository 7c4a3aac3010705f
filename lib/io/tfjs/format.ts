/**
 * The TensorFlow.js layers-model format (tfjs-core src/io/types.ts ModelJSON, tfjs-layers toJSON), as simdnet
 * writes and reads it (issue 14):
 *   model.json   { format: 'layers-model', generatedBy, convertedBy: null, modelTopology: { class_name: 'Sequential',
 *                  config: { name, layers: [{ class_name, config }] }, keras_version, backend },
 *                  weightsManifest: [{ paths: ['weights.<pid>-<hex>.bin'], weights: [{ name, shape, dtype }] }] }
 *   weights.*.bin every weight as little-endian float32, concatenated in the manifest's order.
 * tfjs names a weight `<layer name>/<weight>` (kernel, bias, gamma, beta, moving_mean, moving_variance) and loads
 * weights by that name, not by position (it lists the trainable weights first), so simdnet does the same.
 * Readers also accept the Keras converter's topology ({ keras_version, backend, model_config: { class_name,
 * config } }) and Keras 3 layer entries ({ module, class_name, config, registered_name, build_config }).
 */
export const LAYERS_MODEL_FORMAT = 'layers-model';
export const TFJS_MODEL_FILE = 'model.json';
/** The weights file simdnet writes: a new name per save (save.ts), so model.json switches atomically. */
export const TFJS_WEIGHTS_FILE = /^weights\.([1-9][0-9]{0,9})-[0-9a-f]{8}\.bin$/;
/** model.json's replacement while it is written. */
export const TFJS_MODEL_TMP = /^model\.json\.([1-9][0-9]{0,9})-[0-9a-f]{8}\.tmp$/;

/** A layer as tfjs serialises it. */
export interface TfjsLayerJson {
  class_name: string;
  config: Record<string, unknown>;
}

export interface TfjsTopology {
  class_name: 'Sequential';
  config: { name: string; layers: TfjsLayerJson[] };
  keras_version: string;
  backend: string;
}

/** A weight with its values, by tfjs name. */
export interface NamedWeight {
  name: string;
  shape: number[];
  values: Float32Array;
}

export function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Whether a parsed model.json is a tfjs layers model (older tfjs and converters omit `format`). */
export function isLayersModelJson(j: unknown): j is Record<string, unknown> {
  return isObj(j) && (j.format === LAYERS_MODEL_FORMAT || (j.format === undefined && isObj(j.modelTopology) && Array.isArray(j.weightsManifest)));
}
