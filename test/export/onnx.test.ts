// ONNX export (issue 14) with onnxruntime-node as the oracle: for every activation (leakyRelu with alpha 0.17,
// neither ONNX's 0.01 nor Keras's 0.3; softmax with temperature 2.5), BatchNormalization after and before an
// activation, Dropout present, onnxruntime's output at batch 1, 7 and 64 matches predict() within 1e-5 on each
// backend; the graph's input/output names and shapes; foldBatchNorm matches the unfolded graph within 1e-6 (absolute below 1, relative above: maxRelDiff); the
// file is ~4 bytes per parameter; model.save(path, { format: 'onnx' }) writes the same bytes; the protobuf bytes
// of axis = -1 are the 10-byte varint; onnx.checker.check_model(full_check=True) passes where Python has onnx.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { Activation, BatchNormalization, Dense, Dropout, Sequential, toOnnx, type ActivationIdentifier } from '../../lib/index.js';
import { BACKENDS, asyncCodeOf, codeOf } from '../models/backends.js';
import { lcgArray } from '../helpers/random.js';

const ACTS: [string, ActivationIdentifier][] = [
  ['linear', 'linear'], ['relu', 'relu'], ['sigmoid', 'sigmoid'], ['tanh', 'tanh'],
  ['leakyRelu 0.17', { name: 'leakyRelu', alpha: 0.17 }], ['softmax T=2.5', { name: 'softmax', temperature: 2.5 }],
];
const IN = 10;

/**
 * Dense(act) -> Dropout -> BN (after an activation, or foldable when act is linear) -> Dense(linear) -> BN
 * (foldable) -> Activation(act) (BN before an activation) -> BN without center/scale -> Dense(act). Every weight
 * is set to seeded values (moving variances in [0.5, 2], means and betas in [-1, 1)) so that BN is far from the
 * identity; kernels at Glorot scale, gammas in [0.5, 1.5), as a trained model has them.
 */
function build(act: ActivationIdentifier, backend: 'js' | 'native', seed: number): Sequential {
  const m = new Sequential([
    new Dense({ units: 16, inputShape: [IN], activation: act }),
    new Dropout({ rate: 0.25 }),
    new BatchNormalization({ epsilon: 0.01 }),
    new Dense({ units: 8 }),
    new BatchNormalization(),
    new Activation({ activation: act }),
    new BatchNormalization({ center: false, scale: false }),
    new Dense({ units: 6, activation: act }),
  ]);
  m.compile({ optimizer: 'sgd', loss: 'mse', backend, seed: 1 });
  const infos = m.engine.params();
  m.setWeights(infos.map((p, i) => {
    const n = p.shape.reduce((a, d) => a * d, 1);
    if (p.name.endsWith('moving_variance')) return lcgArray(n, seed + i, 0.5, 2);
    if (p.name.endsWith('gamma')) return lcgArray(n, seed + i, 0.5, 1.5);
    // Kernels at Glorot-uniform scale (the default initializer's), biases and the rest in [-1, 1).
    const lim = p.name.endsWith('kernel') ? Math.sqrt(6 / (p.shape[0] + p.shape[1])) : 1;
    return lcgArray(n, seed + i, -lim, lim);
  }));
  return m;
}

async function run(bytes: Uint8Array, x: Float32Array, rows: number): Promise<{ out: Float32Array; dims: readonly number[] }> {
  const s = await ort.InferenceSession.create(bytes);
  try {
    const r = await s.run({ input: new ort.Tensor('float32', x, [rows, x.length / rows]) });
    return { out: r.output.data as Float32Array, dims: r.output.dims };
  } finally {
    await s.release();
  }
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

/**
 * max |a - b| / max(1, |b|): absolute below 1, relative above. Folding reorders float32 roundings, so the graphs
 * differ by an ulp or two of the output: here up to 9.5e-7 absolute at outputs near 5 (ulp 4.8e-7); with kernels
 * in [-1, 1) instead of Glorot's scale, 1.9e-6 absolute at outputs near 14 (ulp 9.5e-7), which a plain absolute
 * 1e-6 would call a failure.
 */
function maxRelDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return d;
}

describe.each(BACKENDS)('toOnnx against onnxruntime (%s)', (backend) => {
  it.each(ACTS)('%s: batch 1, 7, 64 within 1e-5 of predict, folded within 1e-6 (relative above 1) of unfolded', async (_, act) => {
    const m = build(act, backend, 7);
    const plain = toOnnx(m);
    const folded = toOnnx(m, { foldBatchNorm: true });
    for (const rows of [1, 7, 64]) {
      const x = lcgArray(rows * IN, 100 + rows, -2, 2);
      const want = m.predict(x.slice(), { batchSize: 64 }).data();
      const got = await run(plain, x, rows);
      expect(got.dims).toEqual([rows, 6]);
      expect(maxDiff(got.out, want)).toBeLessThanOrEqual(1e-5);
      expect(maxRelDiff((await run(folded, x, rows)).out, got.out)).toBeLessThanOrEqual(1e-6);
    }
    // Folding removes the BatchNormalizations that follow a linear Dense: both when act is linear, else one.
    const count = (b: Uint8Array) => Buffer.from(b).toString('latin1').split('BatchNormalization').length - 1;
    const folds = act === 'linear' ? 2 : 1;
    expect(count(plain) - count(folded)).toBeGreaterThanOrEqual(folds);  // op_type and node names both name it
    expect(count(folded)).toBeGreaterThan(0);
    m.dispose();
  });
});

describe('toOnnx graph', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'simdnet-onnx-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('names the input `input` [batch, features] and the output `output` [batch, units]', async () => {
    const m = build('relu', 'js', 3);
    const s = await ort.InferenceSession.create(toOnnx(m));
    expect(s.inputNames).toEqual(['input']);
    expect(s.outputNames).toEqual(['output']);
    expect(s.inputMetadata[0]).toMatchObject({ name: 'input', type: 'float32', shape: ['batch', IN] });
    expect(s.outputMetadata[0]).toMatchObject({ name: 'output', type: 'float32', shape: ['batch', 6] });
    await s.release();
    // The declared graph input and output as bytes (onnxruntime reports the output's shape as it infers it, not as
    // declared): ValueInfoProto { name, type: TypeProto { tensor_type { elem_type: FLOAT, shape { dim... } } } }.
    const ld = (field: number, ...parts: number[][]) => [field * 8 + 2, parts.flat().length, ...parts.flat()];
    const valueInfo = (name: string, n: number) =>
      Buffer.from(ld(1, [...Buffer.from(name)]).concat(ld(2, ld(1, [0x08, 1], ld(2, ld(1, ld(2, [...Buffer.from('batch')])), ld(1, [0x08, n]))))));
    const b = Buffer.from(toOnnx(m));
    expect(b.includes(valueInfo('input', IN))).toBe(true);
    expect(b.includes(valueInfo('output', 6))).toBe(true);
    // IR 7 first, opset 13 of the default domain last.
    expect(b[0]).toBe(0x08);
    expect(b[1]).toBe(7);
    expect(b.subarray(b.length - 4)).toEqual(Buffer.from([0x42, 0x02, 0x10, 13]));
    m.dispose();
  });

  it('writes Softmax axis = -1 as the 10-byte two\'s-complement varint, and LeakyRelu alpha always', () => {
    const m = new Sequential([new Dense({ units: 3, inputShape: [2], activation: 'softmax' }), new Activation('leakyRelu')]);
    const b = Buffer.from(toOnnx(m));
    // AttributeProto { name: 'axis' (0a 04), i: -1 (18 ff*9 01), type: INT (a0 01 02) }
    const axis = Buffer.from([0x0a, 0x04, ...Buffer.from('axis'), 0x18, ...Array(9).fill(0xff), 0x01, 0xa0, 0x01, 0x02]);
    expect(b.includes(axis)).toBe(true);
    // AttributeProto { name: 'alpha', f: 0.01 as float32 LE (15 ...), type: FLOAT }: written although it is ONNX's default.
    const f = Buffer.alloc(4);
    f.writeFloatLE(0.01);
    expect(b.includes(Buffer.from([0x0a, 0x05, ...Buffer.from('alpha'), 0x15, ...f, 0xa0, 0x01, 0x01]))).toBe(true);
    m.dispose();
  });

  it('is about 4 bytes per parameter plus a few KB', async () => {
    const m = new Sequential([
      new Dense({ units: 256, inputShape: [784], activation: 'relu' }), new BatchNormalization(), new Dropout({ rate: 0.2 }),
      new Dense({ units: 128, activation: 'relu' }), new Dense({ units: 10, activation: 'softmax' }),
    ]);
    const n = m.countParams();
    const size = toOnnx(m).length;
    expect(size).toBeGreaterThanOrEqual(4 * n);
    expect(size - 4 * n).toBeLessThan(4096);
    const x = lcgArray(3 * 784, 5, 0, 1);
    expect(maxDiff((await run(toOnnx(m), x, 3)).out, m.predict(x.slice()).data())).toBeLessThanOrEqual(1e-5);
    m.dispose();
  });

  it('a model with no nodes (linear, Dropout) still has an `output`', async () => {
    const m = new Sequential([new Dense({ units: 4, inputShape: [3], useBias: false }), new Dropout({ rate: 0.5 })]);
    const x = lcgArray(6, 9, -1, 1);
    expect(maxDiff((await run(toOnnx(m), x, 2)).out, m.predict(x.slice()).data())).toBeLessThanOrEqual(1e-5);
    const bare = new Sequential([new Dropout({ rate: 0.5, inputShape: [3] })]);
    expect((await run(toOnnx(bare), x, 2)).out).toEqual(x);
    m.dispose();
    bare.dispose();
  });

  it('model.save(path, { format: "onnx" }) writes toOnnx\'s bytes atomically (no temp file left), replacing an older file', async () => {
    const m = build('tanh', 'js', 11);
    const file = join(dir, 'sub', 'model.onnx');
    await writeFile(join(dir, 'placeholder'), '');
    await m.save(file, { format: 'onnx' });
    await m.save(file, { format: 'onnx', onnx: { foldBatchNorm: true } });
    expect(new Uint8Array(await readFile(file))).toEqual(toOnnx(m, { foldBatchNorm: true }));
    expect(await readdir(join(dir, 'sub'))).toEqual(['model.onnx']);
    expect(await asyncCodeOf(m.save(join(dir, 'sub'), { format: 'onnx' }))).toBe('SIMDNET_IO');
    expect(await asyncCodeOf(m.save(file, { format: 'pb' } as never))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(await asyncCodeOf(m.save(file, { onnx: {} }))).toBe('SIMDNET_INVALID_ARGUMENT');
    m.dispose();
  });

  it('refuses bad options with a coded error', () => {
    const m = build('relu', 'js', 1);
    expect(codeOf(() => toOnnx(m, { opset: 12 }))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(codeOf(() => toOnnx(m, { fold: true } as never))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(codeOf(() => toOnnx(m, { foldBatchNorm: 1 } as never))).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(codeOf(() => toOnnx({} as never))).toBe('SIMDNET_INVALID_ARGUMENT');
    m.dispose();
  });

  it('opset 17 (IR 8) runs too', async () => {
    const m = build({ name: 'softmax', temperature: 0.5 }, 'js', 4);
    const b = toOnnx(m, { opset: 17 });
    expect(b[1]).toBe(8);
    const x = lcgArray(7 * IN, 2, -1, 1);
    expect(maxDiff((await run(b, x, 7)).out, m.predict(x.slice()).data())).toBeLessThanOrEqual(1e-5);
    m.dispose();
  });
});

/** A Python with the onnx package: SIMDNET_ONNX_PYTHON, else the repo's .venv, else python3; null when none has it. */
function onnxPython(): { python: string | null; why: string } {
  const candidates = [process.env.SIMDNET_ONNX_PYTHON, join(process.cwd(), '.venv', 'bin', 'python'), 'python3'].filter((p): p is string => !!p);
  const tried: string[] = [];
  for (const p of candidates) {
    if (p.includes('/') && !existsSync(p)) continue;
    const r = spawnSync(p, ['-c', 'import onnx'], { encoding: 'utf8' });
    if (r.status === 0) return { python: p, why: '' };
    tried.push(`${p}: ${r.error ? r.error.message : (r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`)}`);
  }
  return { python: null, why: tried.join('; ') || 'no python found' };
}

describe('onnx.checker (Python)', () => {
  const { python, why } = onnxPython();
  if (!python) console.log(`[onnx.test] skipping onnx.checker.check_model: no Python with the onnx package (${why}); set SIMDNET_ONNX_PYTHON`);
  it.skipIf(!python)('check_model(full_check=True) passes, with the declared shapes, for plain and folded graphs at opsets 13 and 21', async () => {
    const d = await mkdtemp(join(tmpdir(), 'simdnet-onnx-py-'));
    try {
      const files: string[] = [];
      for (const [i, [, act]] of ACTS.entries()) {
        const m = build(act, 'js', 20 + i);
        for (const [tag, opts] of [['plain', {}], ['folded', { foldBatchNorm: true }], ['opset21', { opset: 21 }]] as const) {
          const f = join(d, `${i}-${tag}.onnx`);
          await writeFile(f, toOnnx(m, opts));
          files.push(f);
        }
        m.dispose();
      }
      const script = [
        'import sys, onnx',
        'for f in sys.argv[1:]:',
        '    m = onnx.load(f)',
        '    onnx.checker.check_model(m, full_check=True)',
        '    g = m.graph',
        '    dims = lambda v: [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]',
        '    assert [i.name for i in g.input] == ["input"] and dims(g.input[0]) == ["batch", 10], (f, dims(g.input[0]))',
        '    assert [o.name for o in g.output] == ["output"] and dims(g.output[0]) == ["batch", 6], (f, dims(g.output[0]))',
        '    assert all(n.op_type != "Gemm" or [a.i for a in n.attribute if a.name == "transB"] == [0] for n in g.node), f',
        'print("checked", len(sys.argv) - 1)',
      ].join('\n');
      const r = spawnSync(python!, ['-c', script, ...files], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe(`checked ${files.length}`);
    } finally {
      await rm(d, { recursive: true, force: true });
    }
  });
});
