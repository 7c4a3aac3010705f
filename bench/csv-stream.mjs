// Streaming a CSV larger than the memory it may use (issue 12): `npm run build:ts && node bench/csv-stream.mjs
// [--mb 2048] [--file PATH] [--keep]`. Writes a CSV of about --mb MB (784 pixel columns + a label, MNIST-shaped
// random rows; skipped when --file exists), trains the bench MLP on it for one epoch with
// model.fitDataset(csvBatches(file, { batchSize: 128, shuffleBuffer: 4096 })), and prints the rows read, MB/s,
// and the peak RSS sampled every 50 ms (the whole file is never in memory: one 1 MB read chunk, the 4096-row
// buffer and a batch).
import { createWriteStream, existsSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import { join } from 'node:path';
import { data } from '../dist/index.js';
import { fitStreamed } from './stream-fit.mjs';

const arg = (k, d) => (process.argv.includes(`--${k}`) ? process.argv[process.argv.indexOf(`--${k}`) + 1] : d);
const mb = Number(arg('mb', 2048));
const file = arg('file', join(os.tmpdir(), `simdnet-stream-${mb}mb.csv`));
if (!existsSync(file)) {
  const out = createWriteStream(file);
  let s = 1;
  let written = 0;
  const line = () => {
    const cells = [];
    for (let j = 0; j < 784; j++) cells.push(((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24) % 256);
    cells.push(s % 10);
    return cells.join(',') + '\n';
  };
  while (written < mb * 1024 * 1024) {
    let chunk = '';
    for (let i = 0; i < 200; i++) chunk += line();
    written += chunk.length;
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}
const size = statSync(file).size;
const { model: m, seconds: s, rssBefore, peak } = await fitStreamed(() => data.csvBatches(file, { batchSize: 128, shuffleBuffer: 4096 }));
console.log(`${(size / 2 ** 20).toFixed(0)} MB CSV, ${m.engine.step} steps of 128 in ${s.toFixed(1)} s (${(size / 2 ** 20 / s).toFixed(1)} MB/s); ` +
  `RSS ${(rssBefore / 2 ** 20).toFixed(0)} MB before, peak ${(peak / 2 ** 20).toFixed(0)} MB`);
if (!process.argv.includes('--keep') && !process.argv.includes('--file')) rmSync(file);
m.dispose();
