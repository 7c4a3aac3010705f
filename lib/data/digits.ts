/**
 * The embedded data set: UCI "Optical Recognition of Handwritten Digits" (Alpaydin & Kaynak, 1998; CC BY 4.0),
 * the 1,797-sample copy scikit-learn ships as sklearn/datasets/data/digits.csv.gz (taken from Debian's
 * python3-sklearn 1.2.1; see data/README.md). Each line: 64 pixel counts 0..16 of an 8x8 image, then the digit.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SimdnetError } from '../errors.js';
import type { Dataset } from './dataset.js';
import { csvToDataset, readCsv } from './csv.js';

/** Where the embedded file lives: <package>/data/digits.csv.gz (shipped through package.json "files"). This module
 *  is lib/data/digits.ts (tests) or dist/data/digits.js (built): two levels below the package root either way. It
 *  does not import lib/native.ts for its packageRoot, so reading data never loads the addon. */
export const digitsPath = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'data', 'digits.csv.gz');

export interface DigitsOptions {
  /** Divide the 0..16 pixel counts by 16 so inputs lie in [0, 1]. Default true. */
  normalize?: boolean;
  /** Read another copy of the file (tests). */
  path?: string;
}

export async function loadDigits(options: DigitsOptions = {}): Promise<Dataset> {
  const path = options.path ?? digitsPath;
  const ds = csvToDataset(await readCsv(path, { header: false, labelColumn: -1 }), path);
  if (ds.features !== 64 || ds.numClasses !== 10)
    throw new SimdnetError('SIMDNET_CORRUPT_FILE', `${path}: expected 64 pixels and 10 classes per row, found ${ds.features} and ${ds.numClasses}`);
  if (options.normalize ?? true) for (let i = 0; i < ds.x.length; i++) ds.x[i] /= 16;
  ds.sampleShape = [8, 8];
  ds.classNames = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
  ds.source = 'digits';
  return ds;
}
