/**
 * Atomic save: everything is written into a fresh sibling directory `<dir>.tmp-<pid>-<rand>` (each file fsynced,
 * then the directory), which is then swapped into place: the previous save is renamed aside, the new one renamed
 * in, the old one removed. A failure before the swap leaves the previous save untouched; a failure of the final
 * rename puts the previous save back. No reader ever sees a half-written model.json/weights.bin pair, and the
 * sha256 of weights.bin in model.json catches any corruption after the fact.
 */
import * as fsp from 'node:fs/promises';
import { createHash, randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { endianness } from 'node:os';
import { createRequire } from 'node:module';
import { SimdnetError, describe } from '../errors.js';
import type { Sequential } from '../models/sequential.js';
import { FORMAT, FORMAT_VERSION, MODEL_FILE, OPTIMIZER_FILE, WEIGHTS_FILE, type ModelJson, type OptimizerStateManifest, type ParamManifest } from './format.js';

/** lib/io/save.ts and dist/io/save.js both sit two levels below the package root. */
const VERSION: string = (() => {
  try {
    return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
})();

/** File-system operations save uses; tests replace some to inject failures. */
export type FsOps = Pick<typeof fsp, 'open' | 'rename' | 'rm' | 'mkdir' | 'readdir' | 'stat'>;

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

async function writeSynced(ops: FsOps, path: string, data: string | Buffer): Promise<void> {
  const fh = await ops.open(path, 'wx');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function syncDir(ops: FsOps, path: string): Promise<void> {
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

/** Refuses to replace a directory that holds anything but a previous save (never delete a user's other files). */
async function checkReplaceable(ops: FsOps, dir: string): Promise<boolean> {
  let st;
  try {
    st = await ops.stat(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
  if (!st.isDirectory()) throw new SimdnetError('SIMDNET_IO', `Cannot save model to ${dir}: it exists and is not a directory`);
  const extra = (await ops.readdir(dir)).filter((f) => f !== MODEL_FILE && f !== WEIGHTS_FILE && f !== OPTIMIZER_FILE);
  if (extra.length > 0)
    throw new SimdnetError('SIMDNET_IO', `Cannot save model to ${dir}: the directory holds other files (${extra.slice(0, 3).join(', ')}); refusing to replace it`);
  return true;
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

/** The optimizer's state (engine order) as optimizer.bin's bytes and its manifest entry. */
export function optimizerStateFile(model: Sequential): { manifest: OptimizerStateManifest; bytes: Buffer } {
  const engine = model.engine;
  const arrays = engine.getOptimizerState();
  const bytes = weightsToBuffer(arrays);
  const offsets = byteOffsets(arrays);
  const entries = engine.optimizerStateLayout().map((e, i) => ({ param: e.param, slot: e.slot, offset: offsets[i], length: arrays[i].length }));
  return {
    bytes,
    manifest: {
      path: OPTIMIZER_FILE, byteLength: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'),
      step: engine.step, learningRate: engine.getLearningRate(), arrays: entries,
    },
  };
}

export function buildModelJson(model: Sequential, values: Float32Array[], weights: Buffer, optimizer?: OptimizerStateManifest): ModelJson {
  const infos = model.engine.params();
  const offsets = byteOffsets(values);
  const params: ParamManifest[] = infos.map((p, i) => ({ name: p.name, shape: p.shape, trainable: p.trainable, offset: offsets[i] }));
  return {
    format: FORMAT,
    formatVersion: FORMAT_VERSION,
    generatedBy: `simdnet ${VERSION}`,
    modelTopology: { className: 'Sequential', config: model.getConfig() },
    trainingConfig: {
      loss: model.loss!, metrics: model.metrics, optimizer: model.optimizer!.getConfig() as unknown as Record<string, unknown>, seed: model.seed!,
    },
    weightsManifest: {
      path: WEIGHTS_FILE, byteLength: weights.length, sha256: createHash('sha256').update(weights).digest('hex'),
      dtype: 'float32', endianness: 'little', params,
    },
    ...(optimizer ? { optimizerState: optimizer } : {}),
  };
}

export async function saveModel(model: Sequential, path: string, ops: FsOps = fsp): Promise<void> {
  if (typeof path !== 'string' || path === '') throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected a directory path for save() but received ${describe(path)}`);
  const dir = resolve(path);
  const values = model.engine.getParams();
  const weights = weightsToBuffer(values);
  const optimizer = optimizerStateFile(model);
  const json = JSON.stringify(buildModelJson(model, values, weights, optimizer.manifest), null, 1);
  const parent = dirname(dir);
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmp = join(parent, `.${basename(dir)}.tmp-${tag}`);
  const old = join(parent, `.${basename(dir)}.old-${tag}`);
  try {
    await ops.mkdir(parent, { recursive: true });
    const exists = await checkReplaceable(ops, dir);
    await ops.mkdir(tmp);
    try {
      await writeSynced(ops, join(tmp, WEIGHTS_FILE), weights);
      await writeSynced(ops, join(tmp, OPTIMIZER_FILE), optimizer.bytes);
      await writeSynced(ops, join(tmp, MODEL_FILE), json);
      await syncDir(ops, tmp);
      if (exists) await ops.rename(dir, old);
      try {
        await ops.rename(tmp, dir);
      } catch (e) {
        if (exists) await ops.rename(old, dir);
        throw e;
      }
    } catch (e) {
      await ops.rm(tmp, { recursive: true, force: true }).catch(() => {});
      throw e;
    }
    await syncDir(ops, parent);
    if (exists) await ops.rm(old, { recursive: true, force: true });
  } catch (e) {
    if (e instanceof SimdnetError) throw e;
    throw new SimdnetError('SIMDNET_IO', `Could not save model to ${dir}: ${(e as Error).message}`, { cause: e });
  }
}
