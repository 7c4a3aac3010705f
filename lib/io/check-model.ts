/**
 * Checks a parsed model.json completely, before anything proportional to the model is allocated or compiled (issue
 * 11: a 1.7 KB model.json once drove RSS to 9.5 GB because the topology was compiled before it met the manifest).
 * Layers are rebuilt from their configs (which only records sizes), the parameters they will have are derived here
 * from their specs (the engines' order and names, lib/engine/js/layout.ts buildLayer), and the manifests must agree
 * exactly: names, shapes, trainable flags, float32 little-endian, offsets aligned to 4 bytes, in bounds,
 * non-overlapping and covering the file, the file's size equal to the parameters' bytes, the total within maxParams.
 * The optimizer manifest gets the same checks against optimizerStateLayout. Only then does load.ts read weights.bin.
 */
import { SimdnetError, describe } from '../errors.js';
import type { LayerSpec, ParamInfo } from '../engine/engine.js';
import { optimizerStateLayout, type OptimizerStateEntry } from '../engine/optimizer-state.js';
import { layerFromConfig } from '../layers/index.js';
import { normalizeLoss } from '../losses/index.js';
import { normalizeMetric } from '../metrics/index.js';
import { Sequential } from '../models/sequential.js';
import { Optimizer, type OptimizerConfig } from '../optimizers/optimizer.js';
import { FORMAT, FORMAT_VERSION, MODEL_FILE, type ModelJson } from './format.js';
import { corrupt } from './safe-read.js';

/** What load.ts needs once model.json is known to be consistent. */
export interface CheckedModel {
  json: ModelJson;
  /** Built (sizes known), not compiled: nothing allocated yet. */
  model: Sequential;
  /** null when the file has no trainingConfig (saved before compile): the model loads uncompiled. */
  optimizer: Optimizer | null;
  /** Parameters in engine order, as the compiled engine will report them. */
  params: ParamInfo[];
  /** Float32 elements of each parameter. */
  sizes: number[];
  optimizerLayout: OptimizerStateEntry[] | null;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isSha256 = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);

export function plainName(p: unknown): p is string {
  return typeof p === 'string' && p !== '' && p.length <= 255 && !p.includes('/') && !p.includes('\\') && !p.startsWith('.') && !p.includes('\0');
}

/** The parameters a layer stack has, from its specs; null for a layer without parameters. */
function layerParams(spec: LayerSpec, layerIndex: number, inSize: number): ParamInfo[] {
  const p = (param: string, shape: number[], trainable: boolean): ParamInfo => ({ name: `${spec.name}/${param}`, layerIndex, shape, trainable });
  if (spec.type === 'dense') return [p('kernel', [inSize, spec.units], true), ...(spec.useBias ? [p('bias', [spec.units], true)] : [])];
  if (spec.type === 'batchNormalization')
    return [
      ...(spec.scale ? [p('gamma', [spec.size], true)] : []), ...(spec.center ? [p('beta', [spec.size], true)] : []),
      p('moving_mean', [spec.size], false), p('moving_variance', [spec.size], false),
    ];
  return [];
}

/**
 * Every entry [offset, offset + bytes) aligned to 4, and together (in any order) tiling [0, byteLength) exactly:
 * no gap, no overlap, nothing past the end.
 */
function checkTiling(dir: string, file: string, entries: { what: string; offset: unknown; bytes: number }[], byteLength: number): void {
  for (const e of entries) {
    if (!isCount(e.offset)) throw corrupt(dir, `${e.what} has offset ${describe(e.offset)} in ${file}`);
    if (e.offset % 4 !== 0) throw corrupt(dir, `${e.what} starts at byte ${e.offset} of ${file}, not a multiple of 4`);
    if (e.offset + e.bytes > byteLength) throw corrupt(dir, `${e.what} ends at byte ${e.offset + e.bytes}, past the ${byteLength} bytes of ${file}`);
  }
  const sorted = [...entries].sort((a, b) => (a.offset as number) - (b.offset as number));
  let end = 0;
  for (const e of sorted) {
    if ((e.offset as number) < end) throw corrupt(dir, `${e.what} overlaps the array before it in ${file}`);
    if ((e.offset as number) > end) throw corrupt(dir, `${file} has unused bytes ${end}..${e.offset as number} before ${e.what}`);
    end = (e.offset as number) + e.bytes;
  }
  if (end !== byteLength) throw corrupt(dir, `${file} has ${byteLength} bytes but its arrays cover ${end}`);
}

function checkHeader(dir: string, j: unknown): asserts j is Record<string, unknown> {
  if (!isObj(j) || j.format !== FORMAT)
    throw new SimdnetError('SIMDNET_UNSUPPORTED_FORMAT',
      `${dir}/${MODEL_FILE} is not a simdnet model (expected format '${FORMAT}' but received ${describe(isObj(j) ? j.format : j)})`);
  if (typeof j.formatVersion !== 'number' || !Number.isInteger(j.formatVersion) || j.formatVersion < 1)
    throw corrupt(dir, `formatVersion is ${describe(j.formatVersion)}`);
  if (j.formatVersion > FORMAT_VERSION)
    throw new SimdnetError('SIMDNET_UNSUPPORTED_FORMAT', `The model in ${dir} has format version ${j.formatVersion}; this simdnet reads up to ${FORMAT_VERSION}. Upgrade simdnet.`);
}

/** Rebuilds the layers (sizes only) and the optimizer; refuses anything they refuse, as a damaged file. */
function rebuild(dir: string, topo: Record<string, unknown>, tc: Record<string, unknown> | undefined, maxParams: number) {
  const cfg = topo.config as Record<string, unknown>;
  const list = cfg.layers as unknown[];
  if (list.length === 0 || list.length > 100_000) throw corrupt(dir, `modelTopology lists ${list.length} layers`);
  try {
    const layers = list.map((l) => layerFromConfig(l as never));
    // Sequential checks names and sizes layer to layer; it allocates nothing until compile().
    const model = new Sequential({ name: typeof cfg.name === 'string' ? cfg.name : undefined, layers });
    for (const l of layers)
      if (l.inputSize > maxParams || l.outputSize > maxParams)
        throw new SimdnetError('SIMDNET_OUT_OF_MEMORY', `Layer ${l.name} has ${Math.max(l.inputSize, l.outputSize)} features, more than maxParams (${maxParams})`);
    if (!tc) return { model, optimizer: null };
    normalizeLoss(tc.loss);
    (tc.metrics as unknown[]).forEach((m) => normalizeMetric(m));
    if (tc.seed !== undefined && !isCount(tc.seed)) throw corrupt(dir, `the seed is ${describe(tc.seed)}`);
    if (tc.huberDelta !== undefined && (typeof tc.huberDelta !== 'number' || !(tc.huberDelta > 0) || !Number.isFinite(tc.huberDelta)))
      throw corrupt(dir, `huberDelta is ${describe(tc.huberDelta)}`);
    const optimizer = Optimizer.fromConfig(tc.optimizer as unknown as OptimizerConfig);
    return { model, optimizer };
  } catch (e) {
    if (e instanceof SimdnetError && (e.code === 'SIMDNET_UNSUPPORTED_FORMAT' || e.code === 'SIMDNET_OUT_OF_MEMORY' || e.code === 'SIMDNET_CORRUPT_FILE')) throw e;
    throw corrupt(dir, `its configuration is invalid (${(e as Error).message})`, e);
  }
}

export function checkModelJson(dir: string, j: unknown, maxParams: number): CheckedModel {
  checkHeader(dir, j);
  const topo = j.modelTopology;
  const tc = j.trainingConfig;
  const wm = j.weightsManifest;
  if (!isObj(topo) || topo.className !== 'Sequential' || !isObj(topo.config) || !Array.isArray(topo.config.layers))
    throw corrupt(dir, 'modelTopology is missing or malformed');
  if (tc !== undefined && (!isObj(tc) || typeof tc.loss !== 'string' || !Array.isArray(tc.metrics) || !isObj(tc.optimizer)))
    throw corrupt(dir, 'trainingConfig is malformed');
  if (tc === undefined && j.optimizerState !== undefined) throw corrupt(dir, 'optimizerState without a trainingConfig');
  if (!isObj(wm) || !isSha256(wm.sha256) || !Array.isArray(wm.params))
    throw corrupt(dir, 'weightsManifest is missing or malformed');
  if (!plainName(wm.path)) throw corrupt(dir, `weights path ${describe(wm.path)} is not a plain file name`);
  if (wm.dtype !== 'float32')
    throw new SimdnetError('SIMDNET_UNSUPPORTED_FORMAT', `The weights in ${dir} have dtype ${describe(wm.dtype)}; this simdnet reads float32`);
  if (wm.endianness !== 'little')
    throw new SimdnetError('SIMDNET_UNSUPPORTED_FORMAT', `The weights in ${dir} have endianness ${describe(wm.endianness)}; this simdnet reads little-endian`);

  const { model, optimizer } = rebuild(dir, topo, tc, maxParams);
  const layers = model.layers;
  const params: ParamInfo[] = [];
  let inSize = layers[0].inputSize;
  layers.forEach((l, i) => {
    params.push(...layerParams(l.toSpec(), i, inSize));
    inSize = l.outputSize;
  });
  const sizes = params.map((p) => p.shape.reduce((a, b) => a * b, 1));
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total > maxParams)
    throw new SimdnetError('SIMDNET_OUT_OF_MEMORY',
      `The model in ${dir} has ${total} parameters, more than maxParams (${maxParams}); pass { maxParams } to loadModel to accept it`);

  const listed = wm.params as unknown[];
  if (listed.length !== params.length) throw corrupt(dir, `the manifest lists ${listed.length} parameters but the topology has ${params.length}`);
  params.forEach((p, i) => {
    const m = listed[i];
    if (!isObj(m) || m.name !== p.name || !Array.isArray(m.shape) || m.shape.length !== p.shape.length ||
        m.shape.some((d, k) => d !== p.shape[k]) || (m.trainable !== undefined && m.trainable !== p.trainable))
      throw corrupt(dir, `parameter ${i} (${describe(isObj(m) ? m.name : m)}) does not match the topology (${p.name} [${p.shape}])`);
  });
  if (wm.byteLength !== 4 * total) throw corrupt(dir, `weightsManifest.byteLength is ${describe(wm.byteLength)} but the ${total} parameters take ${4 * total} bytes`);
  checkTiling(dir, wm.path, params.map((p, i) => ({ what: p.name, offset: (listed[i] as Record<string, unknown>).offset, bytes: 4 * sizes[i] })), 4 * total);

  const optimizerLayout = j.optimizerState === undefined || !optimizer ? null : checkOptimizerManifest(dir, j.optimizerState, optimizerStateLayout(optimizer.toSpec(), params));
  return { json: j as unknown as ModelJson, model, optimizer, params, sizes, optimizerLayout };
}

function checkOptimizerManifest(dir: string, os: unknown, layout: OptimizerStateEntry[]): OptimizerStateEntry[] {
  if (!isObj(os) || !isCount(os.byteLength) || !isSha256(os.sha256) || !isCount(os.step) ||
      typeof os.learningRate !== 'number' || !Number.isFinite(os.learningRate) || os.learningRate < 0 || !Array.isArray(os.arrays))
    throw corrupt(dir, 'optimizerState is malformed');
  if (!plainName(os.path)) throw corrupt(dir, `optimizer state path ${describe(os.path)} is not a plain file name`);
  const arrays = os.arrays as unknown[];
  if (arrays.length !== layout.length)
    throw corrupt(dir, `the optimizer state lists ${arrays.length} arrays but this optimizer keeps ${layout.length}`);
  layout.forEach((e, i) => {
    const a = arrays[i];
    if (!isObj(a) || a.param !== e.param || a.slot !== e.slot || a.length !== e.length)
      throw corrupt(dir, `optimizer state array ${i} (${describe(isObj(a) ? a.param : a)} ${describe(isObj(a) ? a.slot : '')}) does not match the model (${e.param} ${e.slot}, ${e.length} values)`);
  });
  const bytes = 4 * layout.reduce((s, e) => s + e.length, 0);
  if (os.byteLength !== bytes) throw corrupt(dir, `optimizerState.byteLength is ${os.byteLength} but its arrays take ${bytes} bytes`);
  checkTiling(dir, os.path, layout.map((e, i) => ({ what: `${e.param} ${e.slot}`, offset: (arrays[i] as Record<string, unknown>).offset, bytes: 4 * e.length })), bytes);
  return layout;
}
