/**
 * On-disk model format: a directory holding
 *   model.json   { format: 'simdnet-model', formatVersion: 1, generatedBy, modelTopology: { className: 'Sequential',
 *                  config: { name, layers: [{ className, config }] } }, trainingConfig: { loss, metrics, optimizer, seed },
 *                  weightsManifest: { path: 'weights.bin', byteLength, sha256, dtype: 'float32', endianness: 'little',
 *                  params: [{ name, shape, trainable, offset (bytes) }] } }
 *   weights.bin  every parameter as little-endian float32, in engine order (docs/engine.md, Parameters).
 * Optimizer state (moments) is not saved: a loaded model resumes training with fresh optimizer state.
 */
export const FORMAT = 'simdnet-model';
export const FORMAT_VERSION = 1;
export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';

export interface ParamManifest {
  name: string;
  shape: number[];
  trainable: boolean;
  offset: number;
}

export interface ModelJson {
  format: typeof FORMAT;
  formatVersion: number;
  generatedBy: string;
  modelTopology: { className: 'Sequential'; config: { name: string; layers: { className: string; config: Record<string, unknown> }[] } };
  trainingConfig: { loss: string; metrics: string[]; optimizer: Record<string, unknown>; seed: number };
  weightsManifest: { path: string; byteLength: number; sha256: string; dtype: 'float32'; endianness: 'little'; params: ParamManifest[] };
}
