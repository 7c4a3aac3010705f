/**
 * On-disk model format. The model directory holds
 *   CURRENT        one line naming the live version directory (LevelDB's CURRENT file): `v-<pid>-<hex>`
 *   v-<pid>-<hex>/ one complete save: model.json, weights.bin, optimizer.bin (below)
 * save() writes a new version directory beside the live one and switches CURRENT with a single rename
 * (lib/io/save.ts), so the directory always names one complete model. Directories written before CURRENT existed
 * hold model.json, weights.bin and optimizer.bin directly; they load as before, and the next save replaces them
 * through CURRENT (a directory with CURRENT never uses its top-level files). A save's files:
 *   model.json   { format: 'simdnet-model', formatVersion: 1, generatedBy, modelTopology: { className: 'Sequential',
 *                  config: { name, layers: [{ className, config }] } }, trainingConfig: { loss, metrics, optimizer, seed },
 *                  weightsManifest: { path: 'weights.bin', byteLength, sha256, dtype: 'float32', endianness: 'little',
 *                  params: [{ name, shape, trainable, offset (bytes) }] } }
 *                  optimizerState: { path: 'optimizer.bin', byteLength, sha256, step, learningRate,
 *                  arrays: [{ param, slot, offset (bytes), length }] } }
 *   weights.bin    every parameter as little-endian float32, in engine order (docs/engine.md, Parameters).
 *   optimizer.bin  the optimizer's state arrays (e.g. Adam's m and v per trainable parameter) as little-endian
 *                  float32, in the engines' optimizer state order (lib/engine/optimizer-state.ts); with the step
 *                  counter and the current learning rate, a loaded model resumes training exactly where it stopped.
 * optimizerState is optional (files from before it existed load with fresh optimizer state), so the format version
 * stays 1: a reader that does not know the field ignores it.
 */
export const FORMAT = 'simdnet-model';
export const FORMAT_VERSION = 1;
export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';
export const OPTIMIZER_FILE = 'optimizer.bin';
export const CURRENT_FILE = 'CURRENT';
/** A version directory: `v-<pid of the saving process>-<8 hex digits>`; the pid tells cleanup whether it is live. */
export const VERSION_DIR = /^v-([1-9][0-9]{0,9})-[0-9a-f]{8}$/;
/** CURRENT's replacement while it is written: `CURRENT.<pid>-<hex>.tmp`. */
export const CURRENT_TMP = /^CURRENT\.([1-9][0-9]{0,9})-[0-9a-f]{8}\.tmp$/;
/** Files a layout from before CURRENT holds at the top of the model directory. */
export const LEGACY_FILES: readonly string[] = ['model.json', 'weights.bin', 'optimizer.bin'];
/** Default limit on the parameters loadModel accepts (400 MB of float32); LoadModelArgs.maxParams overrides it. */
export const DEFAULT_MAX_PARAMS = 1e8;
/** model.json larger than this is refused before it is read (a large model's is a few KB). */
export const MAX_MODEL_JSON_BYTES = 16 * 1024 * 1024;

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
  /** Absent for a model saved before it was ever compiled (loadModel then returns it uncompiled). huberDelta: only
   *  for the huber loss compiled with a delta. */
  trainingConfig?: { loss: string; metrics: string[]; optimizer: Record<string, unknown>; seed: number; huberDelta?: number };
  weightsManifest: { path: string; byteLength: number; sha256: string; dtype: 'float32'; endianness: 'little'; params: ParamManifest[] };
  optimizerState?: OptimizerStateManifest;
}

export interface OptimizerStateManifest {
  path: string;
  byteLength: number;
  sha256: string;
  /** Optimizer steps taken (Adam's t; where learning-rate schedules resume). */
  step: number;
  /** The learning rate in use when saved (callbacks such as reduceLROnPlateau change it). */
  learningRate: number;
  arrays: { param: string; slot: string; offset: number; length: number }[];
}
