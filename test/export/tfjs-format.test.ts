// The TensorFlow.js layers-model format (issue 14) with tfjs 4.22 as the oracle: a simdnet model saved with
// { format: 'tfjs' } loads in tfjs (a file IOHandler like tfjs-node's) and predicts what simdnet does within 1e-5 at
// batch 1, 7 and 64, on each backend; a model built and saved by tfjs with every supported layer imports through
// loadModel, predicts the same, and re-exports to the same predictions; the Keras 3 fixture (converter-shaped
// model_config topology, written by tools/keras/to-tfjs.py) predicts what Keras did; every malformed input gets
// its coded error; the weights file is 4 bytes per parameter; saves are atomic and clean up after themselves.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import * as fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sequential, Dense, loadModel } from '../../lib/index.js';
import { saveTfjs } from '../../lib/io/tfjs/save.js';
import { BACKENDS, asyncCodeOf } from '../models/backends.js';
import { lcgArray } from '../helpers/random.js';
import { IN, allLayersModel, f32, fileLoader, fileSaver, maxDiff, tfPredict } from './tfjs-helpers.js';

let tmp: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  tmp = await mkdtemp(join(tmpdir(), 'simdnet-tfjsfmt-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

let n = 0;
const fresh = () => join(tmp, `m${n++}`);
const BATCHES = [1, 7, 64];

async function readJson(dir: string): Promise<Record<string, any>> {
  return JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
}

describe.each(BACKENDS)('simdnet -> tfjs format -> tfjs (%s)', (backend) => {
  it.each(['softmaxT', 'softmax'] as const)('tfjs predicts what simdnet does within 1e-5 at batch 1, 7, 64 (%s)', async (last) => {
    const m = allLayersModel(backend, 11, last);
    const dir = fresh();
    await m.save(dir, { format: 'tfjs' });
    const t = await tf.loadLayersModel(fileLoader(dir));
    for (const rows of BATCHES) {
      const x = lcgArray(rows * IN, 100 + rows, -2, 2);
      expect(maxDiff(tfPredict(t, x, rows), m.predict(x).data())).toBeLessThan(1e-5);
    }
    // And back: loadModel detects the format; same predictions.
    const back = await loadModel(dir, { backend });
    const x = lcgArray(7 * IN, 5, -2, 2);
    expect(maxDiff(back.predict(x).data(), m.predict(x).data())).toBeLessThan(1e-6);
    t.dispose();
  });
});

describe('model.json as simdnet writes it', () => {
  it('is a layers-model with alpha on every LeakyReLU, Rescaling(1/T) before Softmax, weights named <layer>/<weight>', async () => {
    const m = allLayersModel('js', 3);
    const dir = fresh();
    await m.save(dir, { format: 'tfjs' });
    const j = await readJson(dir);
    expect(j.format).toBe('layers-model');
    expect(j.modelTopology.class_name).toBe('Sequential');
    const layers = j.modelTopology.config.layers as { class_name: string; config: Record<string, unknown> }[];
    expect(layers[0].config.batch_input_shape).toEqual([null, IN]);
    const leaky = layers.filter((l) => l.class_name === 'LeakyReLU');
    expect(leaky.map((l) => l.config.alpha)).toEqual([0.17, 0.05]);
    expect(leaky.every((l) => !('negative_slope' in l.config))).toBe(true);
    const ri = layers.findIndex((l) => l.class_name === 'Rescaling');
    expect(layers[ri].config).toMatchObject({ scale: 1 / 2.5, offset: 0 });
    expect(layers[ri + 1].class_name).toBe('Softmax');
    const names = j.weightsManifest.flatMap((g: { weights: { name: string }[] }) => g.weights.map((w) => w.name));
    expect(names).toEqual(m.engine.params().map((p) => p.name));
    expect(names[0]).toMatch(/^dense(_\d+)?\/kernel$/);
    expect(j.weightsManifest[0].weights.every((w: { dtype: string }) => w.dtype === 'float32')).toBe(true);
  });

  it('weighs ~4 bytes per parameter plus a few KB', async () => {
    const m = new Sequential([new Dense({ units: 256, inputShape: [784], activation: 'relu' }), new Dense({ units: 10, activation: 'softmax' })]);
    const dir = fresh();
    await m.save(dir, { format: 'tfjs' });
    const files = await readdir(dir);
    expect(files.length).toBe(2);
    const bin = files.find((f) => f.endsWith('.bin'))!;
    expect((await stat(join(dir, bin))).size).toBe(4 * m.countParams());
    const json = (await stat(join(dir, 'model.json'))).size;
    expect(json).toBeLessThan(4096);
  });
});

describe('a model built and saved by tfjs', () => {
  /** InputLayer, Dense(relu), BatchNormalization, Dropout, LeakyReLU(0.2), Activation(sigmoid), Dense, Rescaling(0.4), Softmax. */
  async function tfjsModel(dir: string): Promise<tf.Sequential> {
    const t = tf.sequential({
      layers: [
        tf.layers.inputLayer({ inputShape: [IN] }),
        tf.layers.dense({ units: 12, activation: 'relu' }),
        tf.layers.batchNormalization({ epsilon: 0.02 }),
        tf.layers.dropout({ rate: 0.3 }),
        tf.layers.dense({ units: 8 }),
        tf.layers.leakyReLU({ alpha: 0.2 }),
        tf.layers.activation({ activation: 'sigmoid' }),
        tf.layers.dense({ units: 6, activation: 'tanh' }),
        tf.layers.dense({ units: 4 }),
        tf.layers.rescaling({ scale: 0.4 }),
        tf.layers.softmax(),
      ],
    });
    // BN far from the identity; everything else seeded.
    t.setWeights(t.weights.map((w, i) => {
      const size = w.shape.reduce((a, d) => a * (d as number), 1);
      const [lo, hi] = /moving_variance|gamma/.test(w.originalName) ? [0.5, 2] : [-1, 1];
      return tf.tensor(lcgArray(size, 40 + i, lo, hi), w.shape as number[]);
    }));
    await t.save(fileSaver(dir));
    return t;
  }

  it('imports into simdnet, predicts the same, and re-exports to the same predictions', async () => {
    const src = fresh();
    const t = await tfjsModel(src);
    const j = await readJson(src);
    expect(j.modelTopology.config.layers[0].class_name).toBe('InputLayer');
    const m = await loadModel(src);
    expect(m.layers.map((l) => l.className)).toEqual(['Dense', 'BatchNormalization', 'Dropout', 'Dense', 'Activation', 'Activation', 'Dense', 'Dense', 'Activation']);
    for (const rows of BATCHES) {
      const x = lcgArray(rows * IN, 7 + rows, -2, 2);
      expect(maxDiff(m.predict(x).data(), tfPredict(t, x, rows))).toBeLessThan(1e-5);
    }
    const out = fresh();
    await m.save(out, { format: 'tfjs' });
    const t2 = await tf.loadLayersModel(fileLoader(out));
    for (const rows of BATCHES) {
      const x = lcgArray(rows * IN, 70 + rows, -2, 2);
      expect(maxDiff(tfPredict(t2, x, rows), tfPredict(t, x, rows))).toBeLessThan(1e-5);
    }
    t.dispose();
    t2.dispose();
  });
});

describe('the Keras 3 fixture (converter model_config wrapper, Keras 3 layer entries)', () => {
  const fixture = new URL('./fixtures/keras3-mlp/', import.meta.url).pathname;

  it('predicts what Keras 3 did, and re-exports to tfjs with the same predictions', async () => {
    const dir = fresh();
    await cp(fixture, dir, { recursive: true });
    const j = await readJson(dir);
    expect(j.modelTopology.model_config.class_name).toBe('Sequential');
    const m = await loadModel(dir);
    const x = f32(await readFile(join(dir, 'x.f32')));
    const y = f32(await readFile(join(dir, 'y.f32')));
    expect(maxDiff(m.predict(x).data(), y)).toBeLessThan(1e-5);
    const leaky = m.layers.find((l) => l.name === 'leaky_re_lu') as unknown as { activation: { alpha: number } };
    expect(leaky.activation.alpha).toBeCloseTo(0.17, 7); // negative_slope read, not tfjs's default 0.3
    const out = fresh();
    await m.save(out, { format: 'tfjs' });
    const t = await tf.loadLayersModel(fileLoader(out));
    expect(maxDiff(tfPredict(t, x, 7), y)).toBeLessThan(1e-5);
    t.dispose();
  });
});

describe('bad input gets a coded error', () => {
  /** A copy of a simdnet-saved tfjs directory, edited. */
  async function edited(edit: (j: Record<string, any>, dir: string, bin: string) => Promise<void> | void): Promise<string> {
    const m = allLayersModel('js', 9);
    const dir = fresh();
    await m.save(dir, { format: 'tfjs' });
    const j = await readJson(dir);
    await edit(j, dir, j.weightsManifest[0].paths[0]);
    await writeFile(join(dir, 'model.json'), JSON.stringify(j));
    return dir;
  }
  const layersOf = (j: Record<string, any>) => j.modelTopology.config.layers as { class_name: string; config: Record<string, unknown> }[];
  async function refusal(dir: string, args = {}): Promise<{ code?: string; message: string }> {
    try {
      await loadModel(dir, args);
    } catch (e) {
      return { code: (e as { code?: string }).code, message: (e as Error).message };
    }
    return { message: 'loaded' };
  }

  it('the unedited copy loads (the edits below are what fails)', async () => {
    expect((await refusal(await edited(() => {}))).message).toBe('loaded');
  });

  it('a missing weight', async () => {
    let name = '';
    const r = await refusal(await edited(async (j, dir, bin) => {
      // Drop the last weight (the last Dense's bias) from the manifest and the file: sizes agree, the name is missing.
      const w = j.weightsManifest[0].weights.pop();
      name = w.name;
      const data = await readFile(join(dir, bin));
      await writeFile(join(dir, bin), data.subarray(0, data.length - 4 * w.shape.reduce((a: number, d: number) => a * d, 1)));
    }));
    expect(r.code).toBe('SIMDNET_CORRUPT_FILE');
    expect(r.message).toContain(`weight ${name} [5] is missing`);
  });

  it('a wrong shape', async () => {
    const r = await refusal(await edited((j) => {
      j.weightsManifest[0].weights[0].shape.reverse();
    }));
    expect(r.code).toBe('SIMDNET_CORRUPT_FILE');
    expect(r.message).toMatch(/kernel has shape \[16,10\]/);
  });

  it('a weights file longer or shorter than the manifest', async () => {
    for (const delta of [4, -4]) {
      const r = await refusal(await edited(async (_j, dir, bin) => {
        const data = await readFile(join(dir, bin));
        await writeFile(join(dir, bin), delta > 0 ? Buffer.concat([data, Buffer.alloc(delta)]) : data.subarray(0, data.length + delta));
      }));
      expect(r.code).toBe('SIMDNET_CORRUPT_FILE');
      expect(r.message).toMatch(/bytes but its \d+ weights take/);
    }
  });

  it('an unknown layer, named', async () => {
    let name = '';
    const r = await refusal(await edited((j) => {
      layersOf(j)[4].class_name = 'Conv2D';
      name = layersOf(j)[4].config.name as string;
    }));
    expect(r.code).toBe('SIMDNET_UNSUPPORTED_FORMAT');
    expect(r.message).toContain(`layer ${name} is a Conv2D`);
  });

  it('an unknown activation, naming the layer', async () => {
    const r = await refusal(await edited((j) => {
      layersOf(j)[0].config.activation = 'elu';
    }));
    expect(r.code).toBe('SIMDNET_UNSUPPORTED_FORMAT');
    expect(r.message).toMatch(/layer dense\S* \(Dense\) uses activation 'elu'/);
  });

  it('a Rescaling that is not a softmax temperature', async () => {
    const r = await refusal(await edited((j) => {
      const ls = layersOf(j);
      const ri = ls.findIndex((l) => l.class_name === 'Rescaling');
      ls.splice(ri + 1, 1); // the Softmax after it
    }));
    expect(r.code).toBe('SIMDNET_UNSUPPORTED_FORMAT');
    expect(r.message).toMatch(/Rescaling .* Softmax/);
  });

  it.each([['..', (b: string) => `../${b}`], ['/', (b: string) => `sub/${b}`], ['absolute', (b: string) => `/tmp/${b}`], ['dot-dot alone', () => '..']])(
    'a shard path with %s, even when the file it names exists and is valid', async (_what, path) => {
      const r = await refusal(await edited(async (j, dir, bin) => {
        const target = path(bin);
        // Put a valid copy where the path points (inside sub/, or beside the directory), so only the check refuses.
        if (target.startsWith('sub/')) {
          await mkdir(join(dir, 'sub'));
          await cp(join(dir, bin), join(dir, target));
        } else if (target.startsWith('../')) await cp(join(dir, bin), join(dir, target));
        j.weightsManifest[0].paths[0] = target;
      }));
      expect(r.code).toBe('SIMDNET_CORRUPT_FILE');
      expect(r.message).toMatch(/not a plain file name/);
    });

  it('a shard that is a symlink out of the directory, or not a regular file', async () => {
    const out = await edited(async (_j, dir, bin) => {
      await cp(join(dir, bin), join(tmp, 'outside.bin'));
      await rm(join(dir, bin));
      await symlink(join(tmp, 'outside.bin'), join(dir, bin));
    });
    expect(await refusal(out)).toMatchObject({ code: 'SIMDNET_IO', message: expect.stringMatching(/outside the model directory/) });
    const notFile = await edited(async (_j, dir, bin) => {
      await rm(join(dir, bin));
      await mkdir(join(dir, bin));
    });
    expect(await refusal(notFile)).toMatchObject({ code: 'SIMDNET_IO', message: expect.stringMatching(/not a regular file/) });
  });

  it('a Keras 3 config with an unknown key, naming layer and key', async () => {
    const dir = fresh();
    await cp(new URL('./fixtures/keras3-mlp/', import.meta.url).pathname, dir, { recursive: true });
    const j = await readJson(dir);
    j.modelTopology.model_config.config.layers[1].config.lora_gamma = 2;
    await writeFile(join(dir, 'model.json'), JSON.stringify(j));
    const r = await refusal(dir);
    expect(r.code).toBe('SIMDNET_UNSUPPORTED_FORMAT');
    expect(r.message).toMatch(/layer dense \(Dense\) has config key 'lora_gamma'/);
  });

  it('settings simdnet cannot honour: a constraint, a frozen layer, int32 or quantized weights, too many parameters', async () => {
    const cases: [(j: Record<string, any>) => void, string, object?][] = [
      [(j) => { layersOf(j)[0].config.kernel_constraint = { class_name: 'MaxNorm', config: { max_value: 2 } }; }, 'SIMDNET_UNSUPPORTED_FORMAT'],
      [(j) => { layersOf(j)[0].config.trainable = false; }, 'SIMDNET_UNSUPPORTED_FORMAT'],
      [(j) => { j.weightsManifest[0].weights[1].dtype = 'int32'; }, 'SIMDNET_UNSUPPORTED_FORMAT'],
      [(j) => { j.weightsManifest[0].weights[1].quantization = { dtype: 'uint8', scale: 1, min: 0 }; }, 'SIMDNET_UNSUPPORTED_FORMAT'],
      [(j) => { j.modelTopology.class_name = 'Functional'; }, 'SIMDNET_UNSUPPORTED_FORMAT'],
      [() => {}, 'SIMDNET_OUT_OF_MEMORY', { maxParams: 100 }],
    ];
    for (const [edit, code, args] of cases) expect((await refusal(await edited(edit), args)).code).toBe(code);
  });
});

describe('saving', () => {
  it('replaces the previous save atomically: one model.json, one weights file, the old one removed', async () => {
    const dir = fresh();
    const a = allLayersModel('js', 1);
    await a.save(dir, { format: 'tfjs' });
    const first = (await readdir(dir)).sort();
    const b = allLayersModel('js', 2);
    await b.save(dir, { format: 'tfjs' });
    const second = (await readdir(dir)).sort();
    expect(second.length).toBe(2);
    expect(second.find((f) => f.endsWith('.bin'))).not.toBe(first.find((f) => f.endsWith('.bin')));
    const x = lcgArray(7 * IN, 3, -2, 2);
    expect(maxDiff((await loadModel(dir)).predict(x).data(), b.predict(x).data())).toBeLessThan(1e-6);
  });

  it('loads running beside saves always see one complete model (the old or the new)', async () => {
    const dir = fresh();
    const models = [allLayersModel('js', 1), allLayersModel('js', 2)];
    const x = lcgArray(7 * IN, 3, -2, 2);
    const expected = models.map((m) => m.predict(x).data());
    await models[0].save(dir, { format: 'tfjs' });
    const saves = (async () => {
      for (let i = 0; i < 30; i++) await models[i % 2].save(dir, { format: 'tfjs' });
    })();
    let loads = 0;
    let done = false;
    void saves.finally(() => (done = true));
    while (!done || loads < 5) {
      const p = (await loadModel(dir)).predict(x).data();
      expect(Math.min(...expected.map((e) => maxDiff(p, e)))).toBeLessThan(1e-6);
      loads++;
    }
    await saves;
    expect((await readdir(dir)).length).toBe(2);
  });

  it('a save that fails before its rename leaves the previous model and no leftovers', async () => {
    const dir = fresh();
    const a = allLayersModel('js', 1);
    await a.save(dir, { format: 'tfjs' });
    const before = (await readdir(dir)).sort();
    const ops = { ...fsp, rename: async () => { throw new Error('injected rename failure'); } } as unknown as typeof fsp;
    const code = await asyncCodeOf(saveTfjs(allLayersModel('js', 2), dir, ops));
    expect(code).toBe('SIMDNET_IO');
    expect((await readdir(dir)).sort()).toEqual(before);
    const x = lcgArray(7 * IN, 3, -2, 2);
    expect(maxDiff((await loadModel(dir)).predict(x).data(), a.predict(x).data())).toBeLessThan(1e-6);
  });

  it('refuses a directory holding other files, and a tfjs save over a native one', async () => {
    const dir = fresh();
    await mkdir(dir);
    await writeFile(join(dir, 'notes.txt'), 'mine');
    expect(await asyncCodeOf(allLayersModel('js', 1).save(dir, { format: 'tfjs' }))).toBe('SIMDNET_IO');
    const native = fresh();
    await allLayersModel('js', 1).save(native);
    expect(await asyncCodeOf(allLayersModel('js', 1).save(native, { format: 'tfjs' }))).toBe('SIMDNET_IO');
  });

  it('overwrites a directory tfjs itself wrote (group1-shard1of1.bin is removed)', async () => {
    const dir = fresh();
    const t = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4] })] });
    await t.save(fileSaver(dir));
    const m = await loadModel(dir);
    await m.save(dir, { format: 'tfjs' });
    const files = await readdir(dir);
    expect(files).not.toContain('group1-shard1of1.bin');
    expect(files.length).toBe(2);
    t.dispose();
  });
});
