// Streaming an IDX pair larger than the memory it may use (issue 12): `npm run build:ts && node bench/idx-stream.mjs
// [--mb 1024] [--gzip] [--keep]`. Writes an MNIST-shaped IDX images file of about --mb MB (28 x 28 uint8 random
// pixels) and its labels file (gzipped with --gzip; skipped when they exist), trains the bench MLP on them for one
// epoch with model.fitDataset(idxBatches(images, labels, { batchSize: 128, shuffleBuffer: 4096 })), and prints the
// samples read, MB/s and the peak RSS sampled every 50 ms (the files are never in memory whole: one 1 MB read
// chunk, zlib's window when gzipped, the 4096-sample buffer and a batch).
import { createWriteStream, existsSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import { data } from '../dist/index.js';
import { fitStreamed } from './stream-fit.mjs';

const arg = (k, d) => (process.argv.includes(`--${k}`) ? process.argv[process.argv.indexOf(`--${k}`) + 1] : d);
const mb = Number(arg('mb', 1024));
const gzip = process.argv.includes('--gzip');
const n = Math.floor((mb * 2 ** 20) / 784);
const base = join(os.tmpdir(), `simdnet-idx-stream-${mb}mb${gzip ? '-gz' : ''}`);
const images = `${base}-images-idx3-ubyte${gzip ? '.gz' : ''}`;
const labels = `${base}-labels-idx1-ubyte${gzip ? '.gz' : ''}`;

async function write(path, header, recordBytes, fill) {
  const file = createWriteStream(path);
  const out = gzip ? createGzip({ level: 1 }) : file;
  if (gzip) out.pipe(file);
  const put = async (buf) => {
    if (!out.write(buf)) await once(out, 'drain');
  };
  await put(header);
  const per = Math.max(1, Math.floor((1 << 20) / recordBytes));
  for (let i = 0; i < n; i += per) {
    const k = Math.min(per, n - i);
    const b = Buffer.allocUnsafe(k * recordBytes);
    fill(b, i);
    await put(b);
  }
  out.end();
  await once(file, 'finish');
}
if (!existsSync(images) || !existsSync(labels)) {
  const h3 = Buffer.alloc(16);
  h3.writeUInt32BE(0x00000803, 0);
  h3.writeUInt32BE(n, 4);
  h3.writeUInt32BE(28, 8);
  h3.writeUInt32BE(28, 12);
  let s = 1;
  await write(images, h3, 784, (b) => {
    for (let j = 0; j < b.length; j++) b[j] = (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24;
  });
  const h1 = Buffer.alloc(8);
  h1.writeUInt32BE(0x00000801, 0);
  h1.writeUInt32BE(n, 4);
  await write(labels, h1, 1, (b, i) => {
    for (let j = 0; j < b.length; j++) b[j] = (i + j) % 10;
  });
}
const size = statSync(images).size + statSync(labels).size;
const { model: m, seconds: s, rssBefore, peak } = await fitStreamed(() => data.idxBatches(images, labels, { batchSize: 128, shuffleBuffer: 4096 }));
console.log(`IDX ${n} samples (${(size / 2 ** 20).toFixed(0)} MB on disk${gzip ? ', gzipped' : ''}, ${((n * 784) / 2 ** 20).toFixed(0)} MB of pixels), ` +
  `${m.engine.step} steps of 128 in ${s.toFixed(1)} s (${(n / s).toFixed(0)} samples/s); RSS ${(rssBefore / 2 ** 20).toFixed(0)} MB before, peak ${(peak / 2 ** 20).toFixed(0)} MB`);
if (!process.argv.includes('--keep')) {
  rmSync(images);
  rmSync(labels);
}
m.dispose();
