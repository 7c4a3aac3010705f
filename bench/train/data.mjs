// Training data for bench/train.mjs: Fashion-MNIST from the Debian package dataset-fashion-mnist when it is installed
// (/usr/share/datasets/fashion-mnist, IDX files gzipped; SIMDNET_FASHION_MNIST=dir overrides), else synthetic data of
// the same shape (60,000 x 784 in [0, 1), 10 classes, fixed seed). Throughput only depends on the shape, so both
// give comparable samples/s; the header says which one ran.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

const DEFAULT_DIR = '/usr/share/datasets/fashion-mnist';

/** IDX file (LeCun's MNIST format): big-endian magic 0x0000080N (N = number of dims), dims, then unsigned bytes. */
function readIdx(file, dims) {
  const buf = gunzipSync(readFileSync(file));
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magic = view.getUint32(0);
  if (magic !== 0x800 + dims) throw new Error(`${file}: bad IDX magic 0x${magic.toString(16)} (expected ${dims} dims)`);
  const shape = Array.from({ length: dims }, (_, i) => view.getUint32(4 + 4 * i));
  const start = 4 + 4 * dims;
  const count = shape.reduce((a, b) => a * b, 1);
  if (buf.byteLength < start + count) throw new Error(`${file}: truncated (${buf.byteLength} bytes for shape [${shape}])`);
  return { shape, bytes: buf.subarray(start, start + count) };
}

/** Pixels scaled to [0, 1], labels one-hot (categorical cross-entropy), like the BASELINES.md setup. */
function fashionMnist(dir, limit) {
  const img = readIdx(join(dir, 'train-images-idx3-ubyte.gz'), 3);
  const lab = readIdx(join(dir, 'train-labels-idx1-ubyte.gz'), 1);
  const n = Math.min(img.shape[0], lab.shape[0], limit);
  const features = img.shape[1] * img.shape[2];
  const x = new Float32Array(n * features);
  for (let i = 0; i < n * features; i++) x[i] = img.bytes[i] / 255;
  const y = new Float32Array(n * 10);
  for (let i = 0; i < n; i++) y[i * 10 + lab.bytes[i]] = 1;
  return { source: `Fashion-MNIST train set (${dir})`, n, features, x, y };
}

/** Uniform [0, 1) pixels and random one-hot labels from a 32-bit LCG (Numerical Recipes constants), fixed seed. */
function synthetic(n) {
  let s = 12345;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const x = new Float32Array(n * 784);
  for (let i = 0; i < x.length; i++) x[i] = next();
  const y = new Float32Array(n * 10);
  for (let i = 0; i < n; i++) y[i * 10 + Math.floor(next() * 10)] = 1;
  return { source: `synthetic uniform data (no Fashion-MNIST at ${DEFAULT_DIR})`, n, features: 784, x, y };
}

export function loadTrainingData(limit = 60000) {
  const dir = process.env.SIMDNET_FASHION_MNIST ?? DEFAULT_DIR;
  if (existsSync(join(dir, 'train-images-idx3-ubyte.gz')) && existsSync(join(dir, 'train-labels-idx1-ubyte.gz')))
    return fashionMnist(dir, limit);
  return synthetic(limit);
}
