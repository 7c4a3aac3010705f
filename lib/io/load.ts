/**
 * loadModel: reads a directory written by model.save() and returns a compiled Sequential with the saved weights and,
 * when the save has it (optimizer.bin), the optimizer's state, step counter and learning rate, so that fit()
 * continues exactly where the saved model stopped. It trusts nothing in the directory (issue 11):
 * 1. CURRENT (format.ts) names the live version directory; a directory without CURRENT is a pre-CURRENT save.
 * 2. model.json (at most MAX_MODEL_JSON_BYTES) is checked whole against itself (check-model.ts) before anything
 *    proportional to the model is allocated: layer sizes vs manifest, offsets tiling the file, dtype/endianness,
 *    the parameter count against maxParams.
 * 3. weights.bin and optimizer.bin are opened by safe-read.ts (regular files only, no link out of the directory) and
 *    must have exactly the manifest's byteLength.
 * 4. Only then is the model compiled (allocating its engine), and each file is streamed into it through one 1 MiB
 *    chunk (streamInto): sha256 computed on the way, exactly byteLength bytes (a file that shrinks or grows while
 *    read is refused), then (unless allowNonFinite) every value finite; any refusal disposes the model.
 * Peak memory is the engine plus the chunk (bench/load-memory.mjs measures it; test/io/load-memory.test.ts bounds
 * it), never a copy of a whole file. A file that vanishes because a concurrent save switched
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
import { isLayersModelJson } from './tfjs/format.js';
import { loadLayersModel } from './tfjs/load.js';
import { checkOpenedSize, corrupt, ioError, openModelFile, readOpened, streamOpened, type OpenedFile } from './safe-read.js';

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

/** Bytes per read while streaming weights.bin and optimizer.bin: the loader's whole memory beyond the engine. */
export const LOAD_CHUNK_BYTES = 1 << 20;

/** An array of a streamed file: where it starts (bytes), its float32 count, and where it goes in the engine. */
interface Extent {
  offset: number;
  length: number;
  index: number;
  name: string;
}

/** The first non-finite value met while streaming (reported only once the file's checksum agreed). */
interface NonFinite {
  value: number;
  name: string;
  at: number;
  index: number;
}

/**
 * Streams one opened, size-checked file into the engine: each chunk goes into the sha256 (of the file as stored),
 * is byte-swapped on a big-endian host, and its float32 values are copied into the arrays whose extents it covers
 * (check-model proved the extents aligned and tiling the file, so walking them in offset order meets every byte
 * once). Then the checksum is compared; a non-finite value is returned, not thrown, so that a damaged file is
 * reported as damaged (SIMDNET_CORRUPT_FILE) rather than as holding a NaN.
 */
async function streamInto(f: OpenedFile, size: number, sha256: string, extents: Extent[],
  write: (index: number, offset: number, values: Float32Array) => void): Promise<NonFinite | null> {
  const sorted = [...extents].sort((a, b) => a.offset - b.offset);
  const hash = createHash('sha256');
  const le = endianness() === 'LE';
  let next = 0;
  let bad: NonFinite | null = null;
  await streamOpened(f, size, LOAD_CHUNK_BYTES, (chunk, pos) => {
    hash.update(chunk);
    if (!le) Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).swap32();
    const floats = new Float32Array(chunk.buffer, chunk.byteOffset, chunk.byteLength / 4);
    const end = pos + chunk.byteLength;
    while (next < sorted.length) {
      const e = sorted[next];
      const eEnd = e.offset + 4 * e.length;
      const from = Math.max(pos, e.offset);
      const to = Math.min(end, eEnd);
      if (to > from) {
        const part = floats.subarray((from - pos) / 4, (to - pos) / 4);
        if (bad === null) {
          for (let k = 0; k < part.length; k++) {
            if (!Number.isFinite(part[k])) {
              bad = { value: part[k], name: e.name, at: (from - e.offset) / 4 + k, index: e.index };
              break;
            }
          }
        }
        write(e.index, (from - e.offset) / 4, part);
      }
      if (eEnd > end) break;
      next++;
    }
  });
  if (hash.digest('hex') !== sha256) throw corrupt(f.dir, `${f.name} does not match its sha256 checksum`);
  return bad;
}

/** Files opened so far (those save() writes are opened before model.json is parsed, so that a concurrent cleanup
 *  cannot take them); all closed when the load ends. */
type Opened = Map<string, OpenedFile>;

async function openEarly(dir: string, realDir: string): Promise<Opened> {
  const early: Opened = new Map();
  for (const name of [WEIGHTS_FILE, OPTIMIZER_FILE]) {
    try {
      early.set(name, await openModelFile(dir, realDir, name));
    } catch {
      /* opened (and its refusal reported) later, if the manifest names it */
    }
  }
  return early;
}

async function openSized(dir: string, realDir: string, opened: Opened, name: string, size: number): Promise<OpenedFile> {
  let f = opened.get(name);
  if (!f) {
    f = await openModelFile(dir, realDir, name);
    opened.set(name, f);
  }
  await checkOpenedSize(f, size);
  return f;
}

/** Reads and checks every file of one version. */
async function loadFrom(dir: string, realDir: string, args: ReturnType<typeof checkArgs>): Promise<Sequential> {
  const json = await openModelFile(dir, realDir, MODEL_FILE);
  const opened = await openEarly(dir, realDir);
  try {
    return await loadOpened(dir, realDir, args, json, opened);
  } finally {
    for (const f of opened.values()) await f.fh.close().catch(() => {});
  }
}

async function loadOpened(dir: string, realDir: string, args: ReturnType<typeof checkArgs>, json: OpenedFile, opened: Opened): Promise<Sequential> {
  const text = await readOpened(json, { maxSize: MAX_MODEL_JSON_BYTES });
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(text));
  } catch (e) {
    throw corrupt(dir, `${MODEL_FILE} is not valid JSON (${(e as Error).message})`, e);
  }
  // A TensorFlow.js layers model (model.save(dir, { format: 'tfjs' }), tfjs, the Keras converter): lib/io/tfjs.
  if (isLayersModelJson(parsed)) return loadLayersModel(dir, realDir, parsed, args);
  const c: CheckedModel = checkModelJson(dir, parsed, args.maxParams);
  const wm = c.json.weightsManifest;
  const os = c.json.optimizerState;
  // Every file is a regular file of exactly the size model.json promises before the engine is allocated: the
  // engine's size is then bounded by maxParams and by bytes that really exist.
  const weightsFile = await openSized(dir, realDir, opened, wm.path, wm.byteLength);
  const stateFile = os && c.optimizerLayout ? await openSized(dir, realDir, opened, os.path, os.byteLength) : null;

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
    const engine = model.engine;
    const infos = engine.params();
    if (infos.length !== c.params.length || infos.some((p, i) => p.name !== c.params[i].name || p.shape.join() !== c.params[i].shape.join()))
      throw corrupt(dir, 'the compiled model\'s parameters differ from the manifest');
    // Straight into the engine, chunk by chunk; a refusal below disposes the half-filled model.
    const weightExtents = c.params.map((p, i) => ({ offset: wm.params[i].offset, length: c.sizes[i], index: i, name: p.name }));
    const badWeight = await streamInto(weightsFile, wm.byteLength, wm.sha256, weightExtents, (i, at, v) => engine.writeSlice('param', i, at, v));
    if (badWeight && !args.allowNonFinite)
      throw new SimdnetError('SIMDNET_NOT_FINITE',
        `The model in ${dir} has a non-finite weight (${badWeight.value} at ${badWeight.name}[${badWeight.at}]); pass { allowNonFinite: true } to loadModel to load it anyway`);
    if (os && stateFile && c.optimizerLayout) {
      const stateExtents = c.optimizerLayout.map((e, i) => ({ offset: os.arrays[i].offset, length: e.length, index: i, name: `${e.param} ${e.slot}` }));
      const badState = await streamInto(stateFile, os.byteLength, os.sha256, stateExtents, (i, at, v) => engine.writeSlice('optimizerState', i, at, v));
      if (badState && !args.allowNonFinite) throw corrupt(dir, `optimizer state array ${badState.index} (${badState.name}) holds a non-finite value`);
      engine.setOptimizerStep(os.step);
      engine.setLearningRate(os.learningRate);
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
