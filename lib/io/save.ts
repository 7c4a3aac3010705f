/**
 * Atomic save (issue 11), LevelDB's CURRENT scheme (format.ts): the files go into a new version directory
 * `<dir>/v-<pid>-<hex>` beside the live one (each file fsynced, then that directory), a new CURRENT naming it is
 * written as `CURRENT.<pid>-<hex>.tmp` and fsynced, the model directory is fsynced (the version directory's entry is
 * durable before anything names it), and one rename(2) replaces CURRENT; the model directory is fsynced again.
 * rename replaces its target atomically, so at every instant CURRENT names either the previous complete save or the
 * new one, and kill -9 at any point loses neither. Then superseded versions, the top-level files of a pre-CURRENT
 * save and whatever crashed saves left are removed (layout.ts cleanup: by writer pid, never a live writer's files).
 * Saves to one directory are serialised within a process (layout.ts serialise) and across processes by the
 * directory's LOCK file (dir-lock.ts: a live holder is waited for, up to 30 s, then SIMDNET_BUSY; a dead one's lock is
 * taken over). The weights are copied when save() is called, so training may go on while it waits; that copy is the
 * only one (the files are written and hashed from it), so a save holds the model once in JS memory.
 */
import * as fsp from 'node:fs/promises';
import { createHash, randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { constants } from 'node:fs';
import { endianness } from 'node:os';
import { createRequire } from 'node:module';
import { SimdnetError, describe } from '../errors.js';
import type { Sequential } from '../models/sequential.js';
import {
  CURRENT_FILE, CURRENT_TMP, FORMAT, FORMAT_VERSION, LEGACY_FILES, MODEL_FILE, OPTIMIZER_FILE, VERSION_DIR, WEIGHTS_FILE,
  type ModelJson, type OptimizerStateManifest, type ParamManifest,
} from './format.js';
import { cleanup, markInFlight, recoverLegacy, serialise } from './layout.js';
import { acquireDirLock, isLockEntry } from './dir-lock.js';
import { toOnnx, type ToOnnxOptions } from '../export/onnx/to-onnx.js';
import type { SaveOptions } from '../export/save-options.js';

/** lib/io/save.ts and dist/io/save.js both sit two levels below the package root. */
const VERSION: string = (() => {
  try {
    return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
})();

/** File-system operations save uses; tests replace some to inject failures. */
export type FsOps = Pick<typeof fsp, 'open' | 'rename' | 'rm' | 'mkdir' | 'readdir' | 'stat' | 'realpath' | 'access'>;

export function weightsToBuffer(values: Float32Array[]): Buffer {
  const total = values.reduce((a, v) => a + v.length, 0);
  const buf = Buffer.alloc(total * 4);
  let off = 0;
  const le = endianness() === 'LE';
  for (const v of values) {
    if (le) Buffer.from(v.buffer, v.byteOffset, v.byteLength).copy(buf, off);
    else for (let i = 0; i < v.length; i++) buf.writeFloatLE(v[i], off + 4 * i);
    off += v.byteLength;
  }
  return buf;
}

/** What a file holds: text or bytes (model.json, CURRENT, an ONNX file), or float32 arrays written back to back
 *  (weightsToBuffer's layout: weights.bin, optimizer.bin). */
type FileData = string | Uint8Array | Float32Array[];

/**
 * The little-endian bytes of `arrays`, back to back, as views over the arrays themselves (a little-endian host) or
 * 1 MiB converted chunks (a big-endian one): save writes and hashes them without a second copy of the model.
 */
function* littleEndianBytes(arrays: Float32Array[]): Generator<Uint8Array> {
  const le = endianness() === 'LE';
  for (const v of arrays) {
    if (le) {
      yield new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
      continue;
    }
    for (let at = 0; at < v.length; at += 1 << 18) {
      const part = v.subarray(at, at + (1 << 18));
      const buf = Buffer.alloc(part.byteLength);
      for (let i = 0; i < part.length; i++) buf.writeFloatLE(part[i], 4 * i);
      yield buf;
    }
  }
}

function arraysSha256(arrays: Float32Array[]): string {
  const hash = createHash('sha256');
  for (const b of littleEndianBytes(arrays)) hash.update(b);
  return hash.digest('hex');
}

const byteLength = (arrays: Float32Array[]) => arrays.reduce((a, v) => a + v.byteLength, 0);

export async function writeSynced(ops: FsOps, path: string, data: FileData): Promise<void> {
  const fh = await ops.open(path, 'wx');
  try {
    if (!Array.isArray(data)) await fh.writeFile(data);
    else {
      for (const b of littleEndianBytes(data)) {
        for (let off = 0; off < b.length;) off += (await fh.write(b, off, b.length - off)).bytesWritten;
      }
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export async function syncDir(ops: FsOps, path: string): Promise<void> {
  // Directory fsync makes the renames durable; some platforms (Windows) cannot open directories: best effort there.
  let fh;
  try {
    fh = await ops.open(path, 'r');
    await fh.sync();
  } catch {
    /* not supported on this platform */
  } finally {
    await fh?.close();
  }
}

/** Where each array starts in the file that concatenates them (weightsToBuffer's layout), in bytes. */
function byteOffsets(arrays: Float32Array[]): number[] {
  let offset = 0;
  return arrays.map((a) => {
    const at = offset;
    offset += a.byteLength;
    return at;
  });
}

/** The optimizer's state (engine order): optimizer.bin's arrays (copies, the snapshot save writes) and its manifest. */
export function optimizerStateFile(model: Sequential): { manifest: OptimizerStateManifest; arrays: Float32Array[] } {
  const engine = model.engine;
  const arrays = engine.getOptimizerState();
  const offsets = byteOffsets(arrays);
  const entries = engine.optimizerStateLayout().map((e, i) => ({ param: e.param, slot: e.slot, offset: offsets[i], length: arrays[i].length }));
  return {
    arrays,
    manifest: {
      path: OPTIMIZER_FILE, byteLength: byteLength(arrays), sha256: arraysSha256(arrays),
      step: engine.step, learningRate: engine.getLearningRate(), arrays: entries,
    },
  };
}

/** model.json for `model` whose weights.bin holds `values` (weightsToBuffer's layout). */
export function buildModelJson(model: Sequential, values: Float32Array[], optimizer?: OptimizerStateManifest): ModelJson {
  const infos = model.engine.params();
  const offsets = byteOffsets(values);
  const params: ParamManifest[] = infos.map((p, i) => ({ name: p.name, shape: p.shape, trainable: p.trainable, offset: offsets[i] }));
  return {
    format: FORMAT,
    formatVersion: FORMAT_VERSION,
    generatedBy: `simdnet ${VERSION}`,
    modelTopology: { className: 'Sequential', config: model.getConfig() },
    // A never-compiled model (loss null) saves no trainingConfig: it loads uncompiled, as Keras's compile=False.
    ...(model.loss ? { trainingConfig: {
      loss: model.loss, metrics: model.metrics, optimizer: model.optimizer!.getConfig() as unknown as Record<string, unknown>, seed: model.seed!,
      ...(model.huberDelta !== undefined ? { huberDelta: model.huberDelta } : {}),
    } } : {}),
    weightsManifest: {
      path: WEIGHTS_FILE, byteLength: byteLength(values), sha256: arraysSha256(values),
      dtype: 'float32', endianness: 'little', params,
    },
    ...(optimizer ? { optimizerState: optimizer } : {}),
  };
}

/** Whether a directory entry belongs to the model layout (anything else is a user's file: never replaced). */
function ours(name: string): boolean {
  return name === CURRENT_FILE || VERSION_DIR.test(name) || CURRENT_TMP.test(name) || LEGACY_FILES.includes(name) ||
    isLockEntry(name);
}

/** Creates `dir` or checks that it is a directory holding nothing but model files. */
async function prepareDir(ops: FsOps, dir: string): Promise<void> {
  await ops.mkdir(dirname(dir), { recursive: true });
  try {
    await ops.mkdir(dir);
    return;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const st = await ops.stat(dir);
  if (!st.isDirectory()) throw new SimdnetError('SIMDNET_IO', `Cannot save model to ${dir}: it exists and is not a directory`);
  const extra = (await ops.readdir(dir)).filter((f) => !ours(f));
  if (extra.length > 0)
    throw new SimdnetError('SIMDNET_IO', `Cannot save model to ${dir}: the directory holds other files (${extra.slice(0, 3).join(', ')}); refusing to replace it`);
}

/**
 * Checks, before any training, that save(path) can work: the path is a directory holding only model files (or
 * does not exist) and it, or the nearest existing directory above it, is writable. Throws SIMDNET_IO otherwise.
 */
export async function checkSaveTarget(path: string, ops: FsOps = fsp): Promise<void> {
  if (typeof path !== 'string' || path === '') throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected a directory path to save to but received ${describe(path)}`);
  let at = resolve(path);
  const fail = (why: string) => new SimdnetError('SIMDNET_IO', `Cannot save model to ${resolve(path)}: ${why}`);
  for (;;) {
    let st;
    try {
      st = await ops.stat(at);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw fail(`${at}: ${(e as Error).message}`);
      if (dirname(at) === at) throw fail('no existing directory above it');
      at = dirname(at);
      continue;
    }
    if (!st.isDirectory()) throw fail(`${at} is not a directory`);
    if (at === resolve(path)) {
      const extra = (await ops.readdir(at)).filter((f) => !ours(f));
      if (extra.length > 0) throw fail(`the directory holds other files (${extra.slice(0, 3).join(', ')})`);
    }
    try {
      await ops.access(at, constants.W_OK | constants.X_OK);
    } catch {
      throw fail(`${at} is not writable`);
    }
    return;
  }
}

async function writeVersion(ops: FsOps, dir: string, name: string, files: [string, FileData][]): Promise<void> {
  const vdir = join(dir, name);
  await ops.mkdir(vdir);
  for (const [file, data] of files) await writeSynced(ops, join(vdir, file), data);
  await syncDir(ops, vdir);
}

export async function saveModel(model: Sequential, path: string, ops: FsOps = fsp): Promise<void> {
  if (typeof path !== 'string' || path === '') throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected a directory path for save() but received ${describe(path)}`);
  const dir = resolve(path);
  // The snapshot is taken now (what the caller saves), then the write waits for earlier saves to this directory.
  // One copy of the weights and of the optimizer state (the engine's getters copy), written from those arrays
  // directly: the save holds the model once in JS memory, not twice (issue 11).
  const values = model.engine.getParams();
  const optimizer = model.loss ? optimizerStateFile(model) : null; // never compiled: no optimizer to save
  const json = JSON.stringify(buildModelJson(model, values, optimizer?.manifest), null, 1);
  const files: [string, FileData][] = [[WEIGHTS_FILE, values], ...(optimizer ? [[OPTIMIZER_FILE, optimizer.arrays] as [string, FileData]] : []), [MODEL_FILE, json]];
  return serialise(dir, async () => {
    const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
    const version = `v-${tag}`;
    const currentTmp = join(dir, `${CURRENT_FILE}.${tag}.tmp`);
    markInFlight(dir, version, true);
    let unlock: (() => Promise<void>) | null = null;
    try {
      await recoverLegacy(dir);
      await prepareDir(ops, dir);
      unlock = await acquireDirLock(dir);
      try {
        await writeVersion(ops, dir, version, files);
        await writeSynced(ops, currentTmp, `${version}\n`);
        await syncDir(ops, dir);
        await ops.rename(currentTmp, join(dir, CURRENT_FILE));
      } catch (e) {
        await ops.rm(currentTmp, { force: true }).catch(() => {});
        await ops.rm(join(dir, version), { recursive: true, force: true }).catch(() => {});
        throw e;
      }
      await syncDir(ops, dir);
      // Still under the lock: another process's save cannot make one of our leftovers live meanwhile.
      await cleanup(dir, await ops.realpath(dir).catch(() => dir), true);
    } catch (e) {
      if (e instanceof SimdnetError) throw e;
      throw new SimdnetError('SIMDNET_IO', `Could not save model to ${dir}: ${(e as Error).message}`, { cause: e });
    } finally {
      markInFlight(dir, version, false);
      if (unlock) await unlock();
    }
  });
}

/** The format save() writes; a bad options object is SIMDNET_INVALID_ARGUMENT. */
export function saveFormat(options: unknown): 'simdnet' | 'onnx' | 'tfjs' {
  if (options === undefined) return 'simdnet';
  const o = options as SaveOptions;
  if (options === null || typeof options !== 'object' || Object.keys(o).some((k) => k !== 'format' && k !== 'onnx') ||
      (o.format !== undefined && o.format !== 'simdnet' && o.format !== 'onnx' && o.format !== 'tfjs') || (o.onnx !== undefined && o.format !== 'onnx'))
    throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected save() options { format?: 'simdnet' | 'onnx' | 'tfjs', onnx? } but received ${describe(options)}`);
  return o.format ?? 'simdnet';
}

/**
 * ONNX (lib/export/onnx): one file at `path`, replaced atomically as above: written to `<path>.<pid>-<hex>.tmp`
 * beside it and fsynced, then rename(2) over `path` and the directory fsynced. A crash leaves the old file or the
 * new one (and perhaps a .tmp file).
 */
export async function saveOnnx(model: Sequential, path: string, options?: ToOnnxOptions, ops: FsOps = fsp): Promise<void> {
  if (typeof path !== 'string' || path === '') throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected a file path for save() but received ${describe(path)}`);
  const file = resolve(path);
  const onnx = toOnnx(model, options);
  const bytes = Buffer.from(onnx.buffer, onnx.byteOffset, onnx.byteLength);
  const tmp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    await ops.mkdir(dirname(file), { recursive: true });
    if ((await ops.stat(file).catch(() => null))?.isDirectory()) throw new SimdnetError('SIMDNET_IO', `Cannot save an ONNX model to ${file}: it is a directory`);
    try {
      await writeSynced(ops, tmp, bytes);
      await ops.rename(tmp, file);
    } catch (e) {
      await ops.rm(tmp, { force: true }).catch(() => {});
      throw e;
    }
    await syncDir(ops, dirname(file));
  } catch (e) {
    if (e instanceof SimdnetError) throw e;
    throw new SimdnetError('SIMDNET_IO', `Could not save ONNX model to ${file}: ${(e as Error).message}`, { cause: e });
  }
}
