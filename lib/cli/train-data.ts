/** Resolves `--data` into a training and a test set, split, scaled and sized the way `simdnet train` uses them. */
import { existsSync, statSync } from 'node:fs';
import { SimdnetError } from '../errors.js';
import { type Dataset, take } from '../data/dataset.js';
import { loadDigits } from '../data/digits.js';
import { loadCsvDataset } from '../data/csv.js';
import { fashionMnistDir, isIdxDir, loadFashionMnist, loadIdxDataset } from '../data/fashion-mnist.js';
import { fitMinMax, fitStandardize, permutation, trainTestSplit } from '../data/transforms.js';

export type ScaleKind = 'none' | 'minmax' | 'standardize';

export interface DataRequest {
  /** 'digits', 'fashion-mnist', a directory of IDX files, or a .csv / .csv.gz file. */
  data: string;
  seed: number;
  /** Test fraction for data sets without their own test part. */
  testFraction: number;
  /** Feature scaling fitted on the training part; default: none for images (already [0, 1]), standardize for CSV. */
  scale?: ScaleKind;
  /** Use at most this many training (and test) samples. */
  limit?: number;
  /** CSV label column: index or name. */
  labelColumn?: number | string;
}

export interface PreparedData {
  train: Dataset;
  test: Dataset;
  /** One line for the user: what was loaded and how it was split. */
  description: string;
  kind: 'digits' | 'fashion-mnist' | 'idx' | 'csv';
}

function subsample(ds: Dataset, limit: number | undefined, seed: number): Dataset {
  if (limit === undefined || limit >= ds.n) return ds;
  // A seeded random subset, not the first rows: files are sometimes sorted by class.
  return take(ds, permutation(ds.n, seed ^ 0x5eed).subarray(0, limit));
}

export async function loadTrainingData(req: DataRequest): Promise<PreparedData> {
  const { data, seed, testFraction } = req;
  let train: Dataset;
  let test: Dataset;
  let kind: PreparedData['kind'];
  let from: string;
  let split = '';
  if (data === 'digits' || data === 'fashion-mnist' || (existsSync(data) && statSync(data).isDirectory())) {
    if (data === 'digits') {
      kind = 'digits';
      from = 'UCI optical digits (embedded, 8x8)';
      ({ train, test } = trainTestSplit(await loadDigits(), { testFraction, seed, stratify: true }));
      split = `, seeded stratified split (seed ${seed}), ${Math.round(testFraction * 100)}% held out`;
    } else if (data === 'fashion-mnist') {
      kind = 'fashion-mnist';
      ({ train, test } = await loadFashionMnist());
      from = `Fashion-MNIST (${fashionMnistDir()})`;
    } else {
      if (!isIdxDir(data))
        throw new SimdnetError('SIMDNET_IO', `${data} is a directory but does not hold the four IDX files ({train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz])`);
      kind = 'idx';
      from = `IDX files in ${data}`;
      ({ train, test } = await loadIdxDataset(data));
    }
  } else if (/\.csv(\.gz)?$/i.test(data)) {
    kind = 'csv';
    from = data;
    const all = await loadCsvDataset(data, req.labelColumn === undefined ? {} : { labelColumn: req.labelColumn });
    ({ train, test } = trainTestSplit(all, { testFraction, seed, stratify: true }));
    split = `, seeded stratified split (seed ${seed}), ${Math.round(testFraction * 100)}% held out`;
  } else if (existsSync(data)) {
    throw new SimdnetError('SIMDNET_UNSUPPORTED_FORMAT', `${data}: expected a .csv or .csv.gz file, or a directory of IDX files`);
  } else {
    throw new SimdnetError('SIMDNET_IO', `Cannot read ${data}: no such file or directory (use digits, fashion-mnist, a directory of IDX files or a .csv file)`);
  }
  train = subsample(train, req.limit, seed);
  test = subsample(test, req.limit, seed + 1);
  const scale = req.scale ?? (kind === 'csv' ? 'standardize' : 'none');
  if (scale !== 'none') {
    const scaler = scale === 'minmax' ? fitMinMax(train.x, train.features) : fitStandardize(train.x, train.features);
    train = { ...train, x: scaler.transform(train.x) };
    test = { ...test, x: scaler.transform(test.x) };
  }
  const description =
    `${from}: ${train.n} training and ${test.n} test samples, ${train.features} features, ${train.numClasses} classes` +
    `${split}${scale !== 'none' ? `, ${scale} scaling fitted on the training part` : ''}`;
  return { train, test, description, kind };
}
