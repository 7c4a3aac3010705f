/**
 * idxBatches (issue 12): an IDX images + labels pair read as two streams into shuffled batches. Without shuffling
 * the batches are the files in order (checked against readIdx, raw and gzipped, uint8 scaled by 1/255 and float32
 * as is); with a shuffle buffer every sample comes out exactly once, in another order, the same for the same seed and
 * pass, different for the next pass; bad files are coded errors naming the file; model.fitDataset trains on it; the
 * files are read in chunks, never whole (a file several times the read chunk keeps the heap bounded).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeIdx, idxBatches, readIdx } from '../../lib/data/index.js';
import { Sequential, Dense } from '../../lib/index.js';
import { collect as collectRows, expectReshuffledPasses, type Batches } from './stream-batches.js';

const dir = mkdtempSync(join(tmpdir(), 'simdnet-idx-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const N = 1003;
const H = 4;
const W = 3;
const F = H * W;
const pixels = Uint8Array.from({ length: N * F }, (_, i) => (i * 37 + (i >> 5)) % 256);
const labels = Uint8Array.from({ length: N }, (_, i) => (i * 7) % 5);
const img = join(dir, 'images-idx3-ubyte');
const lab = join(dir, 'labels-idx1-ubyte');
writeFileSync(img, encodeIdx({ dtype: 'uint8', shape: [N, H, W], data: pixels }));
writeFileSync(lab, encodeIdx({ dtype: 'uint8', shape: [N], data: labels }));
writeFileSync(img + '.gz', gzipSync(encodeIdx({ dtype: 'uint8', shape: [N, H, W], data: pixels })));
writeFileSync(lab + '.gz', gzipSync(encodeIdx({ dtype: 'uint8', shape: [N], data: labels })));

const collect = (ds: Batches, f = F) => collectRows(ds, f);

const expectedRows = async (imgPath: string, labPath: string, scale: number) => {
  const x = await readIdx(imgPath);
  const y = await readIdx(labPath);
  const f = x.data.length / x.shape[0];
  return Array.from({ length: x.shape[0] }, (_, r) => [...Float32Array.from(x.data.subarray(r * f, (r + 1) * f), (v) => v * scale), y.data[r]].join(','));
};

describe('idxBatches', () => {
  it('without shuffling yields the files in order, in batches, as readIdx reads them (raw and gzipped)', async () => {
    const ref = await expectedRows(img, lab, 1 / 255);
    for (const [i, l] of [[img, lab], [img + '.gz', lab + '.gz'], [img, lab + '.gz']]) {
      const { rows, sizes } = await collect(idxBatches(i, l, { batchSize: 100, shuffleBuffer: 0 }));
      expect(sizes).toEqual([...Array(10).fill(100), 3]);
      expect(rows).toEqual(ref);
    }
    expect((await collect(idxBatches(img, lab, { batchSize: 100, shuffleBuffer: 0, scale: 1 }))).rows).toEqual(await expectedRows(img, lab, 1));
  });

  it('reads big-endian float32 images and int32 labels as they are', async () => {
    const fi = join(dir, 'f32-images');
    const fl = join(dir, 'i32-labels');
    const x = Float32Array.from({ length: 50 * 6 }, (_, i) => (i - 150) / 7);
    const y = Int32Array.from({ length: 50 }, (_, i) => 70000 + i);
    writeFileSync(fi, encodeIdx({ dtype: 'float32', shape: [50, 6], data: x }));
    writeFileSync(fl, encodeIdx({ dtype: 'int32', shape: [50], data: y }));
    const { rows } = await collect(idxBatches(fi, fl, { batchSize: 16, shuffleBuffer: 0 }), 6);
    expect(rows).toEqual(Array.from({ length: 50 }, (_, r) => [...x.subarray(r * 6, (r + 1) * 6), y[r]].join(',')));
  });

  it('a shuffle buffer yields every sample once, reshuffled per pass, repeatable by seed', async () => {
    const ordered = (await collect(idxBatches(img, lab, { batchSize: 64, shuffleBuffer: 0 }))).rows;
    await expectReshuffledPasses(ordered, idxBatches(img + '.gz', lab + '.gz', { batchSize: 64, shuffleBuffer: 200, seed: 3 }),
      idxBatches(img, lab, { batchSize: 64, shuffleBuffer: 200, seed: 3 }), F);
    // A buffer larger than the file: one full shuffle.
    const all = (await collect(idxBatches(img, lab, { batchSize: 64, shuffleBuffer: 5000, seed: 1 }))).rows;
    expect([...all].sort()).toEqual([...ordered].sort());
    expect(all).not.toEqual(ordered);
  });

  it('bad files and options are coded errors naming the file', async () => {
    const bad = join(dir, 'bad');
    const full = encodeIdx({ dtype: 'uint8', shape: [N, H, W], data: pixels });
    writeFileSync(bad, full.subarray(0, full.length - 5));
    await expect(collect(idxBatches(bad, lab))).rejects.toMatchObject({ code: 'SIMDNET_CORRUPT_FILE', message: expect.stringContaining(`${bad}: truncated at offset ${full.length - 5}`) });
    writeFileSync(bad, Uint8Array.from([0, 1, 8, 1, 0, 0, 0, 0]));
    await expect(collect(idxBatches(bad, lab))).rejects.toMatchObject({ code: 'SIMDNET_CORRUPT_FILE', message: expect.stringContaining('wrong magic number at offset 0') });
    writeFileSync(bad, encodeIdx({ dtype: 'uint8', shape: [N - 1], data: labels.subarray(1) }));
    await expect(collect(idxBatches(img, bad))).rejects.toMatchObject({ code: 'SIMDNET_CORRUPT_FILE', message: expect.stringContaining(`${N - 1} labels for the ${N} images`) });
    writeFileSync(bad, encodeIdx({ dtype: 'float32', shape: [N], data: Float32Array.from(labels) }));
    await expect(collect(idxBatches(img, bad))).rejects.toMatchObject({ code: 'SIMDNET_CORRUPT_FILE', message: expect.stringContaining('integer class indices') });
    writeFileSync(bad, Buffer.concat([encodeIdx({ dtype: 'uint8', shape: [N], data: labels }), Buffer.from([1])]));
    await expect(collect(idxBatches(img, bad))).rejects.toMatchObject({ code: 'SIMDNET_CORRUPT_FILE', message: expect.stringContaining('trailing bytes') });
    writeFileSync(bad, gzipSync(full).subarray(0, 200));
    await expect(collect(idxBatches(bad, lab))).rejects.toMatchObject({ code: 'SIMDNET_CORRUPT_FILE', message: expect.stringContaining(bad) });
    await expect(collect(idxBatches(join(dir, 'missing'), lab))).rejects.toMatchObject({ code: 'SIMDNET_IO', message: expect.stringContaining('no such file') });
    expect(() => idxBatches(img, lab, { batchSize: 0 })).toThrow(expect.objectContaining({ code: 'SIMDNET_INVALID_ARGUMENT' }));
    expect(() => idxBatches(img, lab, { scale: NaN })).toThrow(expect.objectContaining({ code: 'SIMDNET_INVALID_ARGUMENT' }));
    expect(() => idxBatches('', lab)).toThrow(expect.objectContaining({ code: 'SIMDNET_INVALID_ARGUMENT' }));
  });

  it('reads a file many times its read chunk with a bounded heap', async () => {
    // 40,000 x 784 bytes = 30 MiB: 30 read chunks. Whole, decoded to float32, it would be 120 MiB. The growth
    // measured includes batches already yielded and not yet collected (15 to 40 MiB here).
    const R = 40000;
    const big = new Uint8Array(R * 784);
    for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24;
    const bi = join(dir, 'big-images');
    const bl = join(dir, 'big-labels');
    writeFileSync(bi, encodeIdx({ dtype: 'uint8', shape: [R, 28, 28], data: big }));
    writeFileSync(bl, encodeIdx({ dtype: 'uint8', shape: [R], data: Uint8Array.from({ length: R }, (_, i) => i % 10) }));
    const heap0 = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    let peak = 0;
    let rows = 0;
    let sum = 0;
    for await (const b of idxBatches(bi, bl, { batchSize: 256, shuffleBuffer: 2048 })) {
      rows += b.ys.length;
      sum += b.ys.reduce((a, v) => a + v, 0);
      if (rows % 2560 === 0) {
        const m = process.memoryUsage();
        peak = Math.max(peak, m.heapUsed + m.arrayBuffers - heap0);
      }
    }
    expect(rows).toBe(R);
    expect(sum).toBe(4.5 * R);
    console.log(`idxBatches over ${(big.length / 2 ** 20).toFixed(0)} MiB: heap + array buffers grew at most ${(peak / 2 ** 20).toFixed(1)} MiB`);
    expect(peak).toBeLessThan(80 * 2 ** 20); // read whole (a 64 MiB chunk): 160 MiB
  }, 60_000);

  it('model.fitDataset trains on it', async () => {
    const model = new Sequential([new Dense({ units: 5, activation: 'softmax', inputShape: [F] })]);
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'], seed: 1 });
    const h = await model.fitDataset(idxBatches(img + '.gz', lab + '.gz', { batchSize: 50, shuffleBuffer: 256 }), { epochs: 2 });
    expect(h.epoch).toEqual([0, 1]);
    expect(Number.isFinite(h.history.loss[1])).toBe(true);
    expect(model.engine.step).toBe(2 * Math.ceil(N / 50));
    model.dispose();
  });
});
