/**
 * loadModel: reads a directory written by model.save() and returns a compiled Sequential with the saved weights and,
 * when the save has it (optimizer.bin), the optimizer's state, step counter and learning rate, so that fit()
 * continues exactly where the saved model stopped. It trusts nothing in the directory (issue 11):
 * 1. CURRENT (format.ts) names the live version directory; a directory without CURRENT is a pre-CURRENT save.
 * 2. model.json (at most MAX_MODEL_JSON_BYTES) is checked whole against itself (check-model.ts) before anything
 *    proportional to the model is allocated: layer sizes vs manifest, offsets tiling the file, dtype/endianness,
 *    the parameter count against maxParams.
 * 3. weights.bin and optimizer.bin are read by safe-read.ts: regular files only, exactly the manifest's byteLength,
 *    into one buffer each; then their sha256, then (unless allowNonFinite) every value finite.
 * 4. Only then is the model compiled (allocating its engine) and filled.
 * Peak memory is the engine plus one copy of each file. A file that vanishes because a concurrent save switched
 * CURRENT and cleaned up makes the load start over on the new version (a few times at most).
 * Errors: SIMDNET_IO (missing, unreadable, not a regular file, a link out of the directory), SIMDNET_UNSUPPORTED_FORMAT
 * (not a simdnet model, a newer format, another dtype or endianness), SIMDNET_CORRUPT_FILE (truncated, edited,
 * inconsistent or damaged files), SIMDNET_OUT_OF_MEMORY (more than maxParams parameters), SIMDNET_NOT_FINITE (NaN or
 * infinite weights without allowNonFinite).
 */
import { realpath } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { endianness } from 'node:os';
import { resolve } from 'node:path';
import { SimdnetError, describe } from '../errors.js';
import type { EngineBackend } from '../engine/create.js';
import type { LossIdentifier } from '../losses/index.js';
import type { MetricIdentifier } from '../metrics/index.js';
import type { Sequential } from '../models/sequential.js';
import { checkModelJson, type CheckedModel } from './check-model.js';
import { DEFAULT_MAX_PARAMS, MAX_MODEL_JSON_BYTES, MODEL_FILE, OPTIMIZER_FILE, WEIGHTS_FILE } from './format.js';
import { cleanup, recoverLegacy, resolveCurrent } from './layout.js';
import { corrupt, ioError, openModelFile, readModelFile, readOpened, type OpenedFile } from './safe-read.js';

export interface LoadModelArgs {
  /** Engine for the loaded model (default: native when the addon loaded). */
  backend?: EngineBackend;
  /** Refuse models with more parameters than this (default 1e8, 400 MB of float32), before reading weights.bin. */
  maxParams?: number;
  /** Accept NaN and infinite weights and optimizer state (default false: refused with SIMDNET_NOT_FINITE). */
  allowNonFinite?: boolean;
}

function checkArgs(args: unknown): Required<Omit<LoadModelArgs, 'backend'>> & { backend?: EngineBackend } {
  if (typeof args !== 'object' || args === null) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected an options object for loadModel() but received ${describe(args)}`);
  const a = args as LoadModelArgs;
  const maxParams = a.maxParams ?? DEFAULT_MAX_PARAMS;
  if (typeof maxParams !== 'number' || !Number.isSafeInteger(maxParams) || maxParams < 1)
    throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected a positive integer for maxParams but received ${describe(a.maxParams)}`);
  const allowNonFinite = a.allowNonFinite ?? false;
  if (typeof allowNonFinite !== 'boolean') throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected a boolean for allowNonFinite but received ${describe(a.allowNonFinite)}`);
  return { backend: a.backend, maxParams, allowNonFinite };
}

/** Float32 views of `bytes` (own ArrayBuffer, offset 0, offsets checked aligned); copies on a big-endian host. */
function floatsAt(bytes: Uint8Array, offset: number, n: number): Float32Array {
  if (endianness() === 'LE') return new Float32Array(bytes.buffer, bytes.byteOffset + offset, n);
  const dv = new DataView(bytes.buffer, bytes.byteOffset + offset, 4 * n);
  return Float32Array.from({ length: n }, (_, k) => dv.getFloat32(4 * k, true));
}

function firstNonFinite(v: Float32Array): number {
  for (let k = 0; k < v.length; k++) if (!Number.isFinite(v[k])) return k;
  return -1;
}

interface Verified {
  bytes: Uint8Array;
}

/** Files opened before model.json is parsed (the names save() writes), so a concurrent cleanup cannot take them. */
type Early = Map<string, OpenedFile>;

async function openEarly(dir: string, realDir: string): Promise<Early> {
  const early: Early = new Map();
  for (const name of [WEIGHTS_FILE, OPTIMIZER_FILE]) {
    try {
      early.set(name, await openModelFile(dir, realDir, name));
    } catch {
      /* opened (and its refusal reported) later, if the manifest names it */
    }
  }
  return early;
}

async function readVerified(dir: string, realDir: string, path: string, byteLength: number, sha256: string, early: Early): Promise<Verified> {
  const f = early.get(path);
  early.delete(path);
  const bytes = f ? await readOpened(f, { size: byteLength }) : await readModelFile(dir, realDir, path, { size: byteLength });
  if (createHash('sha256').update(bytes).digest('hex') !== sha256) throw corrupt(dir, `${path} does not match its sha256 checksum`);
  return { bytes };
}

/** Reads and checks every file of one version; allocates the engine last. */
async function loadFrom(dir: string, realDir: string, args: ReturnType<typeof checkArgs>): Promise<Sequential> {
  const json = await openModelFile(dir, realDir, MODEL_FILE);
  const early = await openEarly(dir, realDir);
  try {
    return await loadOpened(dir, realDir, args, json, early);
  } finally {
    for (const f of early.values()) await f.fh.close().catch(() => {});
  }
}

async function loadOpened(dir: string, realDir: string, args: ReturnType<typeof checkArgs>, json: OpenedFile, early: Early): Promise<Sequential> {
  const text = await readOpened(json, { maxSize: MAX_MODEL_JSON_BYTES });
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(text));
  } catch (e) {
    throw corrupt(dir, `${MODEL_FILE} is not valid JSON (${(e as Error).message})`, e);
  }
  const c: CheckedModel = checkModelJson(dir, parsed, args.maxParams);
  const wm = c.json.weightsManifest;
  const { bytes } = await readVerified(dir, realDir, wm.path, wm.byteLength, wm.sha256, early);
  const values = c.params.map((p, i) => {
    const v = floatsAt(bytes, wm.params[i].offset, c.sizes[i]);
    const bad = args.allowNonFinite ? -1 : firstNonFinite(v);
    if (bad >= 0)
      throw new SimdnetError('SIMDNET_NOT_FINITE',
        `The model in ${dir} has a non-finite weight (${v[bad]} at ${p.name}[${bad}]); pass { allowNonFinite: true } to loadModel to load it anyway`);
    return v;
  });
  const os = c.json.optimizerState;
  let state: Float32Array[] | null = null;
  if (os && c.optimizerLayout) {
    const opt = await readVerified(dir, realDir, os.path, os.byteLength, os.sha256, early);
    state = c.optimizerLayout.map((e, i) => {
      const v = floatsAt(opt.bytes, os.arrays[i].offset, e.length);
      if (!args.allowNonFinite && firstNonFinite(v) >= 0) throw corrupt(dir, `optimizer state array ${i} (${e.param} ${e.slot}) holds a non-finite value`);
      return v;
    });
  }

  const { model } = c;
  const tc = c.json.trainingConfig;
  try {
    // The saved names are strings (checked by check-model); compile's types are literal unions (issue 15). No
    // trainingConfig (saved before compile): the model stays uncompiled, its weights in an inference engine.
    if (tc && c.optimizer) model.compile({ optimizer: c.optimizer, loss: tc.loss as LossIdentifier, metrics: tc.metrics as MetricIdentifier[], seed: tc.seed, backend: args.backend,
      ...(tc.huberDelta !== undefined ? { huberDelta: tc.huberDelta } : {}) });
  } catch (e) {
    if (e instanceof SimdnetError && (e.code === 'SIMDNET_UNSUPPORTED_FORMAT' || e.code === 'SIMDNET_NATIVE_UNAVAILABLE' || e.code === 'SIMDNET_INVALID_ARGUMENT' && /backend/.test(e.message))) throw e;
    throw corrupt(dir, `its configuration is invalid (${(e as Error).message})`, e);
  }
  try {
    // The engine must report what check-model derived; a mismatch is a bug here, refused rather than misloaded.
    const infos = model.engine.params();
    if (infos.length !== c.params.length || infos.some((p, i) => p.name !== c.params[i].name || p.shape.join() !== c.params[i].shape.join()))
      throw corrupt(dir, 'the compiled model\'s parameters differ from the manifest');
    model.engine.setParams(values);
    if (os && state) {
      model.engine.setOptimizerState(state, os.step);
      model.engine.setLearningRate(os.learningRate);
    }
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}

const vanished = (e: unknown) => e instanceof SimdnetError && e.code === 'SIMDNET_IO' && /No such file/.test(e.message);

export async function loadModel(path: string, args: LoadModelArgs = {}): Promise<Sequential> {
  if (typeof path !== 'string' || path === '') throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected a directory path for loadModel() but received ${describe(path)}`);
  const opts = checkArgs(args);
  const dir = resolve(path);
  await recoverLegacy(dir);
  let realDir: string;
  try {
    realDir = await realpath(dir);
  } catch (e) {
    throw ioError((e as NodeJS.ErrnoException).code === 'ENOENT' ? `No such file: ${dir}` : `Could not read ${dir}: ${(e as Error).message}`, e);
  }
  for (let attempt = 0; ; attempt++) {
    const live = await resolveCurrent(dir, realDir);
    try {
      const model = await loadFrom(live.filesDir, realDir, opts);
      // Only dead writers' leftovers: this process's own are left to its saves, which hold the directory's queue (a
      // load could read CURRENT just before an own save switches it, and take the new version for a stale one).
      await cleanup(dir, realDir, false);
      return model;
    } catch (e) {
      // A concurrent save may have switched CURRENT and removed the version being read: read the new one.
      if (attempt < 20 && vanished(e) && (await resolveCurrent(dir, realDir).catch(() => live)).filesDir !== live.filesDir) continue;
      throw e;
    }
  }
}
