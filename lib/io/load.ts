/**
 * loadModel: reads a directory written by model.save(), verifies it (format tag and version, structure, weights size
 * and sha256) and returns a compiled Sequential with the saved weights and, when the save has it (optimizer.bin),
 * the optimizer's state, step counter and learning rate, so that fit() continues exactly where the saved model
 * stopped. Errors: SIMDNET_IO (missing/unreadable),
 * SIMDNET_UNSUPPORTED_FORMAT (not a simdnet model, or a newer format), SIMDNET_CORRUPT_FILE (truncated, edited or
 * damaged files).
 */
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join, resolve } from 'node:path';
import { endianness } from 'node:os';
import { SimdnetError, describe } from '../errors.js';
import type { EngineBackend } from '../engine/create.js';
import { layerFromConfig } from '../layers/index.js';
import { Sequential } from '../models/sequential.js';
import { Optimizer, type OptimizerConfig } from '../optimizers/optimizer.js';
import { FORMAT, FORMAT_VERSION, MODEL_FILE, type ModelJson, type OptimizerStateManifest } from './format.js';

export interface LoadModelArgs {
  /** Engine for the loaded model (default: native when the addon loaded). */
  backend?: EngineBackend;
}

async function read(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SimdnetError('SIMDNET_IO', code === 'ENOENT' ? `No such file: ${path}` : `Could not read ${path}: ${(e as Error).message}`, { cause: e });
  }
}

function corrupt(dir: string, what: string, cause?: unknown): SimdnetError {
  return new SimdnetError('SIMDNET_CORRUPT_FILE', `The model in ${dir} is damaged: ${what}`, cause ? { cause } : undefined);
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseModelJson(dir: string, text: string): ModelJson {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw corrupt(dir, `${MODEL_FILE} is not valid JSON (${(e as Error).message})`, e);
  }
  if (!isObj(j) || j.format !== FORMAT)
    throw new SimdnetError('SIMDNET_UNSUPPORTED_FORMAT',
      `${join(dir, MODEL_FILE)} is not a simdnet model (expected format '${FORMAT}' but received ${describe(isObj(j) ? j.format : j)})`);
  if (typeof j.formatVersion !== 'number' || !Number.isInteger(j.formatVersion) || j.formatVersion < 1)
    throw corrupt(dir, `formatVersion is ${describe(j.formatVersion)}`);
  if (j.formatVersion > FORMAT_VERSION)
    throw new SimdnetError('SIMDNET_UNSUPPORTED_FORMAT', `The model in ${dir} has format version ${j.formatVersion}; this simdnet reads up to ${FORMAT_VERSION}. Upgrade simdnet.`);
  const topo = j.modelTopology;
  const tc = j.trainingConfig;
  const wm = j.weightsManifest;
  if (!isObj(topo) || topo.className !== 'Sequential' || !isObj(topo.config) || !Array.isArray(topo.config.layers))
    throw corrupt(dir, 'modelTopology is missing or malformed');
  if (!isObj(tc) || typeof tc.loss !== 'string' || !Array.isArray(tc.metrics) || !isObj(tc.optimizer))
    throw corrupt(dir, 'trainingConfig is missing or malformed');
  if (!isObj(wm) || typeof wm.path !== 'string' || typeof wm.byteLength !== 'number' || typeof wm.sha256 !== 'string' || !Array.isArray(wm.params))
    throw corrupt(dir, 'weightsManifest is missing or malformed');
  if (!plainName(wm.path)) throw corrupt(dir, `weights path ${describe(wm.path)} is not a plain file name`);
  const os = j.optimizerState;
  if (os !== undefined) {
    if (!isObj(os) || typeof os.path !== 'string' || typeof os.byteLength !== 'number' || typeof os.sha256 !== 'string' ||
        !Number.isSafeInteger(os.step) || (os.step as number) < 0 || typeof os.learningRate !== 'number' ||
        !Number.isFinite(os.learningRate) || os.learningRate < 0 || !Array.isArray(os.arrays))
      throw corrupt(dir, 'optimizerState is malformed');
    if (!plainName(os.path)) throw corrupt(dir, `optimizer state path ${describe(os.path)} is not a plain file name`);
  }
  return j as unknown as ModelJson;
}

function plainName(p: string): boolean {
  return !p.includes('/') && !p.includes('\\') && !p.startsWith('.');
}

async function readVerified(dir: string, path: string, byteLength: number, sha256: string): Promise<Buffer> {
  const bytes = await read(join(dir, path));
  if (bytes.length !== byteLength)
    throw corrupt(dir, `${path} has ${bytes.length} bytes but ${byteLength} were saved (truncated or replaced)`);
  if (createHash('sha256').update(bytes).digest('hex') !== sha256) throw corrupt(dir, `${path} does not match its sha256 checksum`);
  return bytes;
}

function floatsAt(bytes: Buffer, offset: number, n: number): Float32Array {
  const v = new Float32Array(n);
  if (endianness() === 'LE') new Uint8Array(v.buffer).set(bytes.subarray(offset, offset + 4 * n));
  else for (let k = 0; k < n; k++) v[k] = bytes.readFloatLE(offset + 4 * k);
  return v;
}

/** The saved optimizer state as the engine's arrays, checked against the compiled model's layout. */
async function optimizerArrays(dir: string, model: Sequential, m: OptimizerStateManifest): Promise<Float32Array[]> {
  const bytes = await readVerified(dir, m.path, m.byteLength, m.sha256);
  const layout = model.engine.optimizerStateLayout();
  if (m.arrays.length !== layout.length)
    throw corrupt(dir, `the optimizer state lists ${m.arrays.length} arrays but this optimizer keeps ${layout.length}`);
  return layout.map((e, i) => {
    const a = m.arrays[i];
    if (!isObj(a) || a.param !== e.param || a.slot !== e.slot || a.length !== e.length || !Number.isInteger(a.offset) ||
        a.offset < 0 || a.offset + 4 * e.length > bytes.length)
      throw corrupt(dir, `optimizer state array ${i} (${describe(isObj(a) ? a.param : a)} ${describe(isObj(a) ? a.slot : '')}) does not match the model (${e.param} ${e.slot}, ${e.length} values)`);
    const v = floatsAt(bytes, a.offset, e.length);
    for (let k = 0; k < v.length; k++)
      if (!Number.isFinite(v[k])) throw corrupt(dir, `optimizer state array ${i} (${e.param} ${e.slot}) holds a non-finite value`);
    return v;
  });
}

export async function loadModel(path: string, args: LoadModelArgs = {}): Promise<Sequential> {
  if (typeof path !== 'string' || path === '') throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected a directory path for loadModel() but received ${describe(path)}`);
  const dir = resolve(path);
  const j = parseModelJson(dir, (await read(join(dir, MODEL_FILE))).toString('utf8'));
  const wm = j.weightsManifest;
  const weights = await readVerified(dir, wm.path, wm.byteLength, wm.sha256);

  let model: Sequential;
  try {
    const layers = j.modelTopology.config.layers.map((l) => layerFromConfig(l));
    model = new Sequential({ name: j.modelTopology.config.name, layers });
    model.compile({
      optimizer: Optimizer.fromConfig(j.trainingConfig.optimizer as unknown as OptimizerConfig),
      loss: j.trainingConfig.loss, metrics: j.trainingConfig.metrics, seed: j.trainingConfig.seed, backend: args.backend,
    });
  } catch (e) {
    if (e instanceof SimdnetError && (e.code === 'SIMDNET_UNSUPPORTED_FORMAT' || e.code === 'SIMDNET_NATIVE_UNAVAILABLE')) throw e;
    throw corrupt(dir, `its configuration is invalid (${(e as Error).message})`, e);
  }
  const infos = model.engine.params();
  if (infos.length !== wm.params.length) {
    model.dispose();
    throw corrupt(dir, `the manifest lists ${wm.params.length} parameters but the topology has ${infos.length}`);
  }
  const values = infos.map((p, i) => {
    const m = wm.params[i];
    const n = p.shape.reduce((a, b) => a * b, 1);
    if (m.name !== p.name || JSON.stringify(m.shape) !== JSON.stringify(p.shape) || !Number.isInteger(m.offset) || m.offset < 0 || m.offset + 4 * n > weights.length) {
      model.dispose();
      throw corrupt(dir, `parameter ${i} (${describe(m?.name)}) does not match the topology (${p.name} [${p.shape}])`);
    }
    return floatsAt(weights, m.offset, n);
  });
  model.setWeights(values);
  const os = j.optimizerState;
  if (os) {
    try {
      model.engine.setOptimizerState(await optimizerArrays(dir, model, os), os.step);
      model.engine.setLearningRate(os.learningRate);
    } catch (e) {
      model.dispose();
      throw e;
    }
  }
  return model;
}
