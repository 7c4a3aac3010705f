/**
 * model.save(dir, { format: 'tfjs' }) (issue 14): model.json and one weights file at the top of `dir`, where
 * tfjs's file and HTTP loaders look for them. Atomic like the native format (lib/io/save.ts), by another route,
 * since tfjs must find model.json itself rather than a CURRENT file: the weights go to a file with a new name
 * (`weights.<pid>-<hex>.bin`, fsynced), model.json's replacement to `model.json.<pid>-<hex>.tmp` (fsynced), the
 * directory is fsynced, and one rename(2) makes the new model.json live; the directory is fsynced again. At every
 * instant model.json names a complete weights file of its own save, so kill -9 at any point leaves the previous
 * model or the new one. Then the weights files model.json no longer names and stale .tmp files are removed. Saves
 * to one directory are serialised in the process (layout.ts serialise) and across processes (dir-lock.ts), so the
 * removal never takes a file another save is about to name. A directory holding anything else is refused.
 */
import * as fsp from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { SimdnetError, describe } from '../../errors.js';
import type { Sequential } from '../../models/sequential.js';
import { acquireDirLock, isLockEntry } from '../dir-lock.js';
import { serialise } from '../layout.js';
import { syncDir, weightsToBuffer, writeSynced, type FsOps } from '../save.js'; // the native save's durable writes
import { LAYERS_MODEL_FORMAT, TFJS_MODEL_FILE, TFJS_MODEL_TMP, TFJS_WEIGHTS_FILE, isObj } from './format.js';
import { toLayersModel } from './to-layers.js';

/** lib/io/tfjs/save.ts and dist/io/tfjs/save.js both sit three levels below the package root. */
const VERSION: string = (() => {
  try {
    return (createRequire(import.meta.url)('../../../package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
})();

/** model.json's object and the weights file's bytes for `model` (weights read now). */
export function tfjsArtifacts(model: Sequential, weightsPath: string): { json: Record<string, unknown>; bin: Buffer } {
  const { topology, weights } = toLayersModel(model, `simdnet ${VERSION}`);
  const bin = weightsToBuffer(weights.map((w) => w.values));
  return {
    json: {
      format: LAYERS_MODEL_FORMAT, generatedBy: `simdnet ${VERSION}`, convertedBy: null, modelTopology: topology,
      weightsManifest: [{ paths: [weightsPath], weights: weights.map((w) => ({ name: w.name, shape: w.shape, dtype: 'float32' })) }],
    },
    bin,
  };
}

async function namedShards(ops: FsOps, dir: string): Promise<string[]> {
  try {
    const fh = await ops.open(join(dir, TFJS_MODEL_FILE), 'r');
    let text: string;
    try {
      if ((await fh.stat()).size > 16 * 1024 * 1024) return [];
      text = await fh.readFile('utf8');
    } finally {
      await fh.close();
    }
    const j = JSON.parse(text) as unknown;
    if (!isObj(j) || !Array.isArray(j.weightsManifest)) return [];
    return j.weightsManifest.flatMap((g) => (isObj(g) && Array.isArray(g.paths) ? g.paths.filter((p): p is string => typeof p === 'string') : []));
  } catch {
    return [];
  }
}

/** Creates `dir`, or checks that it holds only a tfjs model (model.json, the shards it names, our temporaries). */
async function prepareDir(ops: FsOps, dir: string): Promise<string[]> {
  await ops.mkdir(dirname(dir), { recursive: true });
  try {
    await ops.mkdir(dir);
    return [];
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  if (!(await ops.stat(dir)).isDirectory()) throw new SimdnetError('SIMDNET_IO', `Cannot save model to ${dir}: it exists and is not a directory`);
  const shards = await namedShards(ops, dir);
  const extra = (await ops.readdir(dir)).filter((f) => f !== TFJS_MODEL_FILE && !shards.includes(f) && !TFJS_WEIGHTS_FILE.test(f) && !TFJS_MODEL_TMP.test(f) && !isLockEntry(f));
  if (extra.length > 0)
    throw new SimdnetError('SIMDNET_IO', `Cannot save a tfjs model to ${dir}: the directory holds other files (${extra.slice(0, 3).join(', ')}); refusing to replace it`);
  return shards;
}

export async function saveTfjs(model: Sequential, path: string, ops: FsOps = fsp): Promise<void> {
  if (typeof path !== 'string' || path === '') throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected a directory path for save() but received ${describe(path)}`);
  const dir = resolve(path);
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const weightsFile = `weights.${tag}.bin`;
  // The snapshot is taken now (what the caller saves); the write then waits for earlier saves to this directory.
  const { json, bin } = tfjsArtifacts(model, weightsFile);
  const text = JSON.stringify(json);
  return serialise(dir, async () => {
    const tmp = join(dir, `${TFJS_MODEL_FILE}.${tag}.tmp`);
    let unlock: (() => Promise<void>) | null = null;
    try {
      const previous = await prepareDir(ops, dir);
      unlock = await acquireDirLock(dir);
      try {
        await writeSynced(ops, join(dir, weightsFile), bin);
        await writeSynced(ops, tmp, text);
        await syncDir(ops, dir);
        await ops.rename(tmp, join(dir, TFJS_MODEL_FILE));
      } catch (e) {
        await ops.rm(tmp, { force: true }).catch(() => {});
        await ops.rm(join(dir, weightsFile), { force: true }).catch(() => {});
        throw e;
      }
      await syncDir(ops, dir);
      // Under the lock no other save is between its writes: whatever model.json does not name now is garbage.
      for (const f of await ops.readdir(dir).catch(() => [] as string[]))
        if (f !== weightsFile && f !== TFJS_MODEL_FILE && !isLockEntry(f) && (previous.includes(f) || TFJS_WEIGHTS_FILE.test(f) || TFJS_MODEL_TMP.test(f)))
          await ops.rm(join(dir, f), { force: true }).catch(() => {});
    } catch (e) {
      if (e instanceof SimdnetError) throw e;
      throw new SimdnetError('SIMDNET_IO', `Could not save tfjs model to ${dir}: ${(e as Error).message}`, { cause: e });
    } finally {
      if (unlock) await unlock();
    }
  });
}
