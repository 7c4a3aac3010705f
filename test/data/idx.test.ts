import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeIdx, parseIdx, readIdx, readIdxSync, type IdxArray } from '../../lib/data/idx.js';
import { loadIdxDataset, isIdxDir, findIdxFile, loadFashionMnist } from '../../lib/data/fashion-mnist.js';
import { existsSync } from 'node:fs';

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'simdnet-idx-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function expectCode(fn: () => unknown, code: string, ...parts: (string | RegExp)[]) {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected a throw').toBeInstanceOf(Error);
  expect((err as { code?: string }).code).toBe(code);
  for (const p of parts) expect((err as Error).message).toMatch(p);
}

const samples: IdxArray[] = [
  { dtype: 'uint8', shape: [3, 2, 2], data: Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 254, 255]) },
  { dtype: 'int8', shape: [4], data: Int8Array.from([-128, -1, 0, 127]) },
  { dtype: 'int16', shape: [2, 2], data: Int16Array.from([-32768, -2, 258, 32767]) },
  { dtype: 'int32', shape: [3], data: Int32Array.from([-2147483648, 16909060, 2147483647]) },
  { dtype: 'float32', shape: [2, 1], data: Float32Array.from([1.5, -3.25e-7]) },
  { dtype: 'float64', shape: [2], data: Float64Array.from([Math.PI, -1e300]) },
];

describe('IDX', () => {
  it('round-trips every dtype, raw and gzipped, from memory and from files', async () => {
    for (const a of samples) {
      const bytes = encodeIdx(a);
      const b = parseIdx(bytes);
      expect(b.dtype).toBe(a.dtype);
      expect(b.shape).toEqual(a.shape);
      expect(Array.from(b.data)).toEqual(Array.from(a.data));
      expect(b.data.constructor).toBe(a.data.constructor);
      const raw = join(dir, `${a.dtype}.idx`);
      const gz = join(dir, `${a.dtype}.idx.gz`);
      writeFileSync(raw, bytes);
      writeFileSync(gz, gzipSync(bytes));
      expect(Array.from((await readIdx(raw)).data)).toEqual(Array.from(a.data));
      expect(Array.from(readIdxSync(gz).data)).toEqual(Array.from(a.data));
    }
  });

  it('stores big-endian values at the documented offsets (MNIST header layout)', () => {
    const bytes = encodeIdx({ dtype: 'uint8', shape: [2, 3], data: Uint8Array.from([1, 2, 3, 4, 5, 6]) });
    expect(Array.from(bytes.subarray(0, 12))).toEqual([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3]);
    const i32 = encodeIdx({ dtype: 'int32', shape: [1], data: Int32Array.from([0x01020304]) });
    expect(Array.from(i32.subarray(8))).toEqual([1, 2, 3, 4]);
  });

  it('rejects a wrong magic number with the file name and offset', () => {
    const bytes = encodeIdx(samples[0]);
    bytes[0] = 0x50;
    expectCode(() => parseIdx(bytes, 'x.idx'), 'SIMDNET_CORRUPT_FILE', 'x.idx', /magic number at offset 0/, /50 00 08 03/);
  });

  it('rejects an unknown type code', () => {
    const bytes = encodeIdx(samples[0]);
    bytes[2] = 0x0a;
    expectCode(() => parseIdx(bytes, 'y.idx'), 'SIMDNET_CORRUPT_FILE', 'y.idx', /type code 0x0a at offset 2/);
  });

  it('rejects truncated headers and data, and trailing bytes', () => {
    const bytes = encodeIdx(samples[0]);
    expectCode(() => parseIdx(bytes.subarray(0, 3), 'h.idx'), 'SIMDNET_CORRUPT_FILE', 'h.idx', /truncated IDX header/);
    expectCode(() => parseIdx(bytes.subarray(0, 10), 'h2.idx'), 'SIMDNET_CORRUPT_FILE', /truncated IDX header: 10 bytes/, /need 16/);
    expectCode(() => parseIdx(bytes.subarray(0, bytes.length - 1), 't.idx'), 'SIMDNET_CORRUPT_FILE', 't.idx', /truncated/, /offset 16/, /11 of 12 values/);
    const long = new Uint8Array(bytes.length + 3);
    long.set(bytes);
    expectCode(() => parseIdx(long, 'l.idx'), 'SIMDNET_CORRUPT_FILE', /3 unexpected trailing bytes at offset 28/);
    const zeroDims = Uint8Array.from([0, 0, 8, 0]);
    expectCode(() => parseIdx(zeroDims, 'z.idx'), 'SIMDNET_CORRUPT_FILE', /0 dimensions/);
  });

  it('reports missing files as SIMDNET_IO and damaged gzip as SIMDNET_CORRUPT_FILE', async () => {
    const missing = join(dir, 'nope.idx');
    await expect(readIdx(missing)).rejects.toMatchObject({ code: 'SIMDNET_IO', message: expect.stringContaining(missing) });
    expectCode(() => readIdxSync(dir), 'SIMDNET_IO', dir);
    const gz = gzipSync(encodeIdx(samples[0]));
    const bad = join(dir, 'bad.gz');
    writeFileSync(bad, gz.subarray(0, gz.length - 6));
    expectCode(() => readIdxSync(bad), 'SIMDNET_CORRUPT_FILE', bad, /gzip/);
  });

  it('encodeIdx checks its input', () => {
    expectCode(() => encodeIdx({ dtype: 'uint8', shape: [3], data: new Uint8Array(2) }), 'SIMDNET_SHAPE_MISMATCH');
  });
});

describe('IDX directories', () => {
  function writeSet(d: string, nTrain: number, nTest: number, gz: boolean, opts: { badLabels?: boolean } = {}) {
    mkdirSync(d, { recursive: true });
    const put = (name: string, a: IdxArray) => writeFileSync(join(d, name + (gz ? '.gz' : '')), gz ? gzipSync(encodeIdx(a)) : encodeIdx(a));
    for (const [part, n] of [['train', nTrain], ['t10k', nTest]] as const) {
      const img = new Uint8Array(n * 4 * 3).map((_, i) => (i * 37) % 256);
      const lab = new Uint8Array(opts.badLabels && part === 't10k' ? n + 1 : n).map((_, i) => i % 3);
      put(`${part}-images-idx3-ubyte`, { dtype: 'uint8', shape: [n, 4, 3], data: img });
      put(`${part}-labels-idx1-ubyte`, { dtype: 'uint8', shape: [lab.length], data: lab });
    }
  }

  it('loads both parts, scales pixels to [0, 1] and finds the classes', async () => {
    for (const gz of [true, false]) {
      const d = join(dir, gz ? 'setgz' : 'setraw');
      writeSet(d, 7, 5, gz);
      expect(isIdxDir(d)).toBe(true);
      const { train, test } = await loadIdxDataset(d);
      expect(train.n).toBe(7);
      expect(test.n).toBe(5);
      expect(train.features).toBe(12);
      expect(train.sampleShape).toEqual([4, 3]);
      expect(train.numClasses).toBe(3);
      expect(train.x[1]).toBeCloseTo(37 / 255, 7);
      expect(Array.from(test.labels)).toEqual([0, 1, 2, 0, 1]);
      const limited = await loadIdxDataset(d, { limit: 2, normalize: false });
      expect(limited.train.n).toBe(2);
      expect(limited.train.x.length).toBe(24);
      expect(limited.train.x[1]).toBe(37);
    }
  });

  it('names the mismatched file when label and image counts differ', async () => {
    const d = join(dir, 'mismatch');
    writeSet(d, 3, 2, false, { badLabels: true });
    await expect(loadIdxDataset(d)).rejects.toMatchObject({ code: 'SIMDNET_CORRUPT_FILE', message: expect.stringMatching(/t10k-labels-idx1-ubyte has 3 labels but .*t10k-images-idx3-ubyte has 2 images/) });
  });

  it('says which files it looked for', async () => {
    const d = join(dir, 'empty');
    mkdirSync(d);
    expect(isIdxDir(d)).toBe(false);
    expectCode(() => findIdxFile(d, 'train', 'images'), 'SIMDNET_IO', /train-images-idx3-ubyte.gz/, d);
    await expect(loadIdxDataset(join(dir, 'absent'))).rejects.toMatchObject({ code: 'SIMDNET_IO' });
    await expect(loadFashionMnist({ dir: join(dir, 'absent') })).rejects.toMatchObject({ code: 'SIMDNET_IO', message: expect.stringMatching(/dataset-fashion-mnist/) });
  });

  it.skipIf(!existsSync('/usr/share/datasets/fashion-mnist'))('loads Debian\'s Fashion-MNIST', async () => {
    const { train, test } = await loadFashionMnist({ limit: 100 });
    expect(train.n).toBe(100);
    expect(test.n).toBe(100);
    expect(train.features).toBe(784);
    expect(train.numClasses).toBe(10);
    expect(train.classNames?.[9]).toBe('Ankle boot');
    // First training label of Fashion-MNIST is 9 (ankle boot), the first test label 9 as well.
    expect(train.labels[0]).toBe(9);
    expect(test.labels[0]).toBe(9);
  });
});
