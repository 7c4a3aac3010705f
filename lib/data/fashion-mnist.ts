/**
 * MNIST-style data sets stored as four IDX files in one directory ({train,t10k}-{images-idx3,labels-idx1}-ubyte,
 * optionally .gz; the mirrors' "train-images.idx3-ubyte" spelling too), and Fashion-MNIST (Xiao, Rasul & Vollgraf,
 * 2017, MIT licence) from Debian's dataset-fashion-mnist package, which installs it in /usr/share/datasets/fashion-mnist.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SimdnetError } from '../errors.js';
import type { Dataset } from './dataset.js';
import { type IdxArray, readIdx } from './idx.js';

/** Where Debian's dataset-fashion-mnist puts the files. */
export const DEFAULT_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** Class names from the Fashion-MNIST README ("Labels"). */
export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

type Part = 'train' | 't10k';
type Kind = 'images' | 'labels';

function candidates(part: Part, kind: Kind): string[] {
  const stem = kind === 'images' ? 'images-idx3-ubyte' : 'labels-idx1-ubyte';
  const dotted = kind === 'images' ? 'images.idx3-ubyte' : 'labels.idx1-ubyte';
  return [`${part}-${stem}.gz`, `${part}-${stem}`, `${part}-${dotted}.gz`, `${part}-${dotted}`];
}

/** The path of one of the four files in `dir`, or SIMDNET_IO listing the names tried. */
export function findIdxFile(dir: string, part: Part, kind: Kind): string {
  const names = candidates(part, kind);
  for (const name of names) {
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  throw new SimdnetError('SIMDNET_IO', `Cannot find the ${part === 't10k' ? 'test' : 'training'} ${kind} in ${dir} (tried ${names.join(', ')})`);
}

/** True when `dir` is a directory holding the four IDX files. */
export function isIdxDir(dir: string): boolean {
  try {
    if (!statSync(dir).isDirectory()) return false;
    for (const part of ['train', 't10k'] as const) for (const kind of ['images', 'labels'] as const) findIdxFile(dir, part, kind);
    return true;
  } catch {
    return false;
  }
}

function toDataset(images: IdxArray, labels: IdxArray, imagesPath: string, labelsPath: string, normalize: boolean): Dataset {
  if (images.dtype !== 'uint8' || images.shape.length < 2)
    throw new SimdnetError('SIMDNET_CORRUPT_FILE', `${imagesPath}: expected uint8 images with at least 2 dimensions, found ${images.dtype} [${images.shape.join(', ')}]`);
  if (labels.dtype !== 'uint8' || labels.shape.length !== 1)
    throw new SimdnetError('SIMDNET_CORRUPT_FILE', `${labelsPath}: expected a 1-D uint8 label file, found ${labels.dtype} [${labels.shape.join(', ')}]`);
  const n = images.shape[0];
  if (labels.shape[0] !== n)
    throw new SimdnetError('SIMDNET_CORRUPT_FILE', `${labelsPath} has ${labels.shape[0]} labels but ${imagesPath} has ${n} images`);
  const sampleShape = images.shape.slice(1);
  const features = sampleShape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(n * features);
  // Pixel bytes 0..255 -> [0, 1] (the usual MNIST preprocessing, e.g. the Keras and PyTorch tutorials).
  const k = normalize ? 1 / 255 : 1;
  const src = images.data as Uint8Array;
  for (let i = 0; i < x.length; i++) x[i] = src[i] * k;
  const ys = Int32Array.from(labels.data as Uint8Array);
  let numClasses = 0;
  for (const l of ys) if (l + 1 > numClasses) numClasses = l + 1;
  return { x, labels: ys, n, features, numClasses, sampleShape, source: imagesPath };
}

export interface IdxDatasetOptions {
  /** Divide pixel bytes by 255. Default true. */
  normalize?: boolean;
  /** Read only the first `limit` samples of each part (quick runs and tests). */
  limit?: number;
}

function limitTo(ds: Dataset, limit: number | undefined): Dataset {
  if (limit === undefined || limit >= ds.n) return ds;
  return { ...ds, n: limit, x: ds.x.slice(0, limit * ds.features), labels: ds.labels.slice(0, limit) };
}

/** Loads the training and test parts of an MNIST-format directory. */
export async function loadIdxDataset(dir: string, options: IdxDatasetOptions = {}): Promise<{ train: Dataset; test: Dataset }> {
  if (!existsSync(dir)) throw new SimdnetError('SIMDNET_IO', `Cannot read ${dir}: no such directory`);
  const normalize = options.normalize ?? true;
  const load = async (part: Part) => {
    const ip = findIdxFile(dir, part, 'images');
    const lp = findIdxFile(dir, part, 'labels');
    const [images, labels] = await Promise.all([readIdx(ip), readIdx(lp)]);
    return limitTo(toDataset(images, labels, ip, lp, normalize), options.limit);
  };
  const [train, test] = await Promise.all([load('train'), load('t10k')]);
  if (train.features !== test.features)
    throw new SimdnetError('SIMDNET_CORRUPT_FILE', `${dir}: training images have ${train.features} pixels but test images have ${test.features}`);
  const numClasses = Math.max(train.numClasses, test.numClasses);
  train.numClasses = numClasses;
  test.numClasses = numClasses;
  return { train, test };
}

/** Resolves the Fashion-MNIST directory: the argument, else $SIMDNET_FASHION_MNIST_DIR, else Debian's location. */
export function fashionMnistDir(dir?: string): string {
  return dir ?? process.env.SIMDNET_FASHION_MNIST_DIR ?? DEFAULT_FASHION_MNIST_DIR;
}

/** Fashion-MNIST: 60,000 training and 10,000 test 28x28 grey images of 10 clothing classes. */
export async function loadFashionMnist(options: IdxDatasetOptions & { dir?: string } = {}): Promise<{ train: Dataset; test: Dataset }> {
  const dir = fashionMnistDir(options.dir);
  if (!existsSync(dir))
    throw new SimdnetError('SIMDNET_IO', `Cannot find Fashion-MNIST in ${dir}: install Debian's dataset-fashion-mnist package, or pass the directory of its IDX files (or set SIMDNET_FASHION_MNIST_DIR)`);
  const { train, test } = await loadIdxDataset(dir, options);
  for (const ds of [train, test]) {
    ds.classNames = FASHION_MNIST_CLASSES;
    ds.source = 'fashion-mnist';
  }
  return { train, test };
}
