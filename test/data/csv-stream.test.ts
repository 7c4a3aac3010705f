/**
 * csvBatches (issue 12): a CSV file read as a stream into shuffled batches. Without shuffling the batches are the
 * file in order (checked against readCsv); with a shuffle buffer every row comes out exactly once, in another
 * order, the same for the same seed and pass, different for the next pass; parse errors name file:line:column;
 * model.fitDataset trains on it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { csvBatches, readCsv } from '../../lib/data/index.js';
import { Sequential, Dense } from '../../lib/index.js';
import { collect as collectRows, expectReshuffledPasses, type Batches } from './stream-batches.js';

const dir = mkdtempSync(join(tmpdir(), 'simdnet-csv-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ROWS = 1003;
const F = 5;
const file = join(dir, 'data.csv');
const lines = ['a,b,c,d,e,label'];
for (let i = 0; i < ROWS; i++) lines.push([...Array.from({ length: F }, (_, j) => ((i * 31 + j * 7) % 97) / 10), i % 4].join(','));
writeFileSync(file, lines.join('\r\n') + '\n');

const collect = (ds: Batches) => collectRows(ds, F);

describe('csvBatches', () => {
  it('without shuffling yields the file in order, in batches, as readCsv reads it', async () => {
    const ref = await readCsv(file);
    const { rows, sizes } = await collect(csvBatches(file, { batchSize: 100, shuffleBuffer: 0 }));
    expect(sizes).toEqual([...Array(10).fill(100), 3]);
    const expected = Array.from({ length: ROWS }, (_, r) => [...ref.x.subarray(r * F, (r + 1) * F), ref.labels![r]].join(','));
    expect(rows).toEqual(expected);
  });

  it('a shuffle buffer yields every row once, reshuffled per pass, repeatable by seed', async () => {
    const ordered = (await collect(csvBatches(file, { batchSize: 64, shuffleBuffer: 0 }))).rows;
    await expectReshuffledPasses(ordered, csvBatches(file, { batchSize: 64, shuffleBuffer: 200, seed: 3 }),
      csvBatches(file, { batchSize: 64, shuffleBuffer: 200, seed: 3 }), F);
  });

  it('reports bad cells as SIMDNET_PARSE with file:line:column', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, '1,2,0\n3,x,1\n');
    await expect(collect(csvBatches(bad))).rejects.toMatchObject({ code: 'SIMDNET_PARSE', message: expect.stringContaining(`${bad}:2:3`) });
    writeFileSync(bad, '1,2,0\n3,4,-1\n');
    await expect(collect(csvBatches(bad))).rejects.toMatchObject({ code: 'SIMDNET_PARSE', message: expect.stringContaining(`${bad}:2:5`) });
    writeFileSync(bad, '1,2,0\n3,4\n');
    await expect(collect(csvBatches(bad))).rejects.toMatchObject({ code: 'SIMDNET_PARSE', message: expect.stringContaining(`${bad}:2:1`) });
    expect(() => csvBatches(file, { batchSize: 0 })).toThrow(expect.objectContaining({ code: 'SIMDNET_INVALID_ARGUMENT' }));
  });

  it('model.fitDataset trains on it for several epochs', async () => {
    const m = new Sequential([new Dense({ units: 4, activation: 'softmax', inputShape: [F] })]);
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', seed: 1 });
    const h = await m.fitDataset(csvBatches(file, { batchSize: 50, shuffleBuffer: 300 }), { epochs: 3 });
    expect(h.epoch).toEqual([0, 1, 2]);
    expect(m.engine.step).toBe(3 * Math.ceil(ROWS / 50));
    m.dispose();
  });
});
