/**
 * loadModel's reader for a tfjs layers-model directory (issue 14), under lib/io's guarantees (load.ts, issue 11):
 * 1. The topology is rebuilt and its parameters derived (from-layers.ts) before any weights file is touched.
 * 2. The manifest is checked whole: shard paths plain file names inside the directory (no `..`, no `/`, not
 *    absolute), float32 without quantization, every weight matched by name and shape (match-weights.ts), the
 *    parameter count within maxParams.
 * 3. Each group's shards are opened by safe-read.ts (regular files only, no link out of the directory) and their
 *    sizes, from fstat, must add up to the group's bytes before anything is read; then each is streamed, at exactly
 *    that size, through one 1 MiB chunk straight into the engine (memory: the model plus the chunk).
 * 4. Values must be finite unless allowNonFinite.
 * The model comes back built with those weights and not compiled (tfjs's training config names tfjs optimizers):
 * predict works at once, and compile() keeps the weights (and picks the engine: LoadModelArgs.backend applies to
 * simdnet saves only). A shard that vanishes because a concurrent simdnet save
 * switched model.json makes the load start over on the new model.json (a few times at most).
 */
import { endianness } from 'node:os';
import { SimdnetError, describe } from '../../errors.js';
import type { Sequential } from '../../models/sequential.js';
import { plainName } from '../check-model.js';
import { MAX_MODEL_JSON_BYTES } from '../format.js';
import { corrupt, openModelFile, readModelFile, streamOpened, type OpenedFile } from '../safe-read.js';
import { TFJS_MODEL_FILE, isObj } from './format.js';
import { sequentialFrom } from './from-layers.js';
import { matchWeights, type ParamRef } from './match-weights.js';

export interface TfjsLoadArgs {
  maxParams: number;
  allowNonFinite: boolean;
}

interface Group {
  paths: string[];
  weights: ParamRef[];
  bytes: number;
}

const WEIGHT_KEYS = ['name', 'shape', 'dtype', 'group'];

function checkManifest(dir: string, m: unknown, maxParams: number): Group[] {
  if (!Array.isArray(m) || m.length === 0) throw corrupt(dir, `weightsManifest is ${describe(m)}, not a list of weight groups`);
  let total = 0;
  return m.map((g, gi) => {
    if (!isObj(g) || !Array.isArray(g.paths) || !Array.isArray(g.weights)) throw corrupt(dir, `weight group ${gi} is malformed`);
    for (const p of g.paths)
      if (!plainName(p)) throw corrupt(dir, `weight group ${gi} names shard ${describe(p)}, not a plain file name in the model directory`);
    if (g.paths.length === 0 && g.weights.length > 0) throw corrupt(dir, `weight group ${gi} has weights but no shard files`);
    let bytes = 0;
    const weights = (g.weights as unknown[]).map((w) => {
      if (!isObj(w) || typeof w.name !== 'string' || !Array.isArray(w.shape) || w.shape.some((d) => !Number.isSafeInteger(d) || (d as number) < 0))
        throw corrupt(dir, `weight ${describe(isObj(w) ? w.name : w)} of group ${gi} is malformed`);
      if (w.quantization !== undefined) throw new SimdnetError('SIMDNET_UNSUPPORTED_FORMAT', `The tfjs model in ${dir}: weight ${w.name} is quantized; simdnet reads float32 weights`);
      const extra = Object.keys(w).find((k) => !WEIGHT_KEYS.includes(k));
      if (extra) throw new SimdnetError('SIMDNET_UNSUPPORTED_FORMAT', `The tfjs model in ${dir}: weight ${w.name} has key '${extra}' that simdnet does not know`);
      if (w.dtype !== 'float32') throw new SimdnetError('SIMDNET_UNSUPPORTED_FORMAT', `The tfjs model in ${dir}: weight ${w.name} has dtype ${describe(w.dtype)}; simdnet reads float32`);
      const n = (w.shape as number[]).reduce((a, d) => a * d, 1);
      total += n;
      if (total > maxParams)
        throw new SimdnetError('SIMDNET_OUT_OF_MEMORY', `The tfjs model in ${dir} has more than maxParams (${maxParams}) parameters; pass { maxParams } to loadModel to accept it`);
      bytes += 4 * n;
      return { name: w.name, shape: w.shape as number[] };
    });
    return { paths: g.paths as string[], weights, bytes };
  });
}

/** Bytes per read while streaming shards (load.ts's LOAD_CHUNK_BYTES: a load's whole memory beyond the engine). */
const CHUNK_BYTES = 1 << 20;

/** A weight of a group: where it starts in the group's bytes, its float32 count, the engine parameter it fills. */
interface Extent {
  offset: number;
  length: number;
  param: number;
  name: string;
}

/**
 * Streams a group's shards into the engine through one 1 MiB chunk (issue 11: memory during a load stays within the
 * model's own size plus a small constant). The shards' sizes, from fstat of the opened files, must add up to the
 * manifest's bytes, each a multiple of 4 (tfjs cuts shards at 4 MiB, so no float spans two), before anything is
 * read; safe-read's streamOpened then refuses a shard that shrinks or grows while it is read. The first non-finite
 * value is returned rather than thrown, so that the whole group has been checked for size first.
 */
async function streamGroup(dir: string, realDir: string, g: Group, gi: number, extents: Extent[],
  write: (param: number, offset: number, values: Float32Array) => void): Promise<{ value: number; name: string; at: number } | null> {
  const opened: OpenedFile[] = [];
  try {
    for (const p of g.paths) opened.push(await openModelFile(dir, realDir, p));
    const sizes = await Promise.all(opened.map(async (f) => (await f.fh.stat()).size));
    const sum = sizes.reduce((a, b) => a + b, 0);
    if (sum !== g.bytes)
      throw corrupt(dir, `weight group ${gi} (${g.paths.join(', ')}) has ${sum} bytes but its ${g.weights.length} weights take ${g.bytes}`);
    const odd = sizes.findIndex((n) => n % 4 !== 0);
    if (odd >= 0) throw corrupt(dir, `shard ${g.paths[odd]} has ${sizes[odd]} bytes, not a whole number of float32 values`);
    const sorted = [...extents].sort((x, y) => x.offset - y.offset);
    const le = endianness() === 'LE';
    let next = 0;
    let bad: { value: number; name: string; at: number } | null = null;
    let base = 0;
    for (let k = 0; k < opened.length; k++) {
      await streamOpened(opened[k], sizes[k], CHUNK_BYTES, (chunk, pos) => {
        if (!le) Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).swap32();
        const floats = new Float32Array(chunk.buffer, chunk.byteOffset, chunk.byteLength / 4);
        const start = base + pos;
        const end = start + chunk.byteLength;
        while (next < sorted.length) {
          const e = sorted[next];
          const eEnd = e.offset + 4 * e.length;
          const from = Math.max(start, e.offset);
          const to = Math.min(end, eEnd);
          if (to > from) {
            const part = floats.subarray((from - start) / 4, (to - start) / 4);
            if (bad === null) {
              for (let i = 0; i < part.length; i++) {
                if (!Number.isFinite(part[i])) {
                  bad = { value: part[i], name: e.name, at: (from - e.offset) / 4 + i };
                  break;
                }
              }
            }
            write(e.param, (from - e.offset) / 4, part);
          }
          if (eEnd > end) break;
          next++;
        }
      });
      base += sizes[k];
    }
    return bad;
  } finally {
    for (const f of opened) await f.fh.close().catch(() => {});
  }
}

async function loadOnce(dir: string, realDir: string, j: Record<string, unknown>, args: TfjsLoadArgs): Promise<Sequential> {
  const where = `The tfjs model in ${dir}`;
  const { model, params } = sequentialFrom(j.modelTopology, where);
  const groups = checkManifest(dir, j.weightsManifest, args.maxParams);
  const listed = groups.flatMap((g, gi) => g.weights.map((w) => ({ ...w, gi })));
  const index = matchWeights(params, listed, where, 'SIMDNET_CORRUPT_FILE');
  // Where each listed weight starts in its group's bytes.
  const offsets: number[] = [];
  groups.forEach((g) => {
    let at = 0;
    for (const w of g.weights) {
      offsets.push(at);
      at += 4 * w.shape.reduce((a, d) => a * d, 1);
    }
  });
  try {
    const engine = model.engine;
    for (let gi = 0; gi < groups.length; gi++) {
      const extents: Extent[] = [];
      params.forEach((p, i) => {
        const w = listed[index[i]];
        if (w.gi === gi) extents.push({ offset: offsets[index[i]], length: p.shape.reduce((a, d) => a * d, 1), param: i, name: w.name });
      });
      const bad = await streamGroup(dir, realDir, groups[gi], gi, extents, (i, at, v) => engine.writeSlice('param', i, at, v));
      if (bad && !args.allowNonFinite)
        throw new SimdnetError('SIMDNET_NOT_FINITE', `${where} has a non-finite weight (${bad.value} at ${bad.name}[${bad.at}]); pass { allowNonFinite: true } to loadModel to load it anyway`);
    }
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}

const vanished = (e: unknown) => e instanceof SimdnetError && e.code === 'SIMDNET_IO' && /No such file/.test(e.message);

/** Loads a parsed tfjs model.json of `dir` (load.ts's hook); retries when a concurrent save replaced it. */
export async function loadLayersModel(dir: string, realDir: string, parsed: Record<string, unknown>, args: TfjsLoadArgs): Promise<Sequential> {
  let j = parsed;
  let text = JSON.stringify(parsed);
  for (let attempt = 0; ; attempt++) {
    try {
      return await loadOnce(dir, realDir, j, args);
    } catch (e) {
      if (attempt >= 5 || !vanished(e)) throw e;
      const again = new TextDecoder().decode(await readModelFile(dir, realDir, TFJS_MODEL_FILE, { maxSize: MAX_MODEL_JSON_BYTES }));
      let next: unknown;
      try {
        next = JSON.parse(again);
      } catch {
        throw e;
      }
      if (JSON.stringify(next) === text || !isObj(next)) throw e;
      j = next;
      text = JSON.stringify(next);
    }
  }
}
