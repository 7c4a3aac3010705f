/** Data loading and preparation (simdnet/data). */
export { type Dataset, checkDataset, take, classCounts } from './dataset.js';
export { type IdxArray, type IdxData, type IdxDtype, parseIdx, encodeIdx, readIdx, readIdxSync } from './idx.js';
export { type CsvOptions, type CsvData, parseCsv, readCsv, readCsvSync, csvToDataset, loadCsvDataset } from './csv.js';
export { type CsvBatchesOptions, type CsvBatch, csvBatches } from './csv-stream.js';
export { type IdxBatchesOptions, type IdxBatch, idxBatches } from './idx-stream.js';
export { type DigitsOptions, loadDigits, digitsPath } from './digits.js';
export {
  type IdxDatasetOptions,
  DEFAULT_FASHION_MNIST_DIR,
  FASHION_MNIST_CLASSES,
  fashionMnistDir,
  findIdxFile,
  isIdxDir,
  loadIdxDataset,
  loadFashionMnist,
} from './fashion-mnist.js';
export {
  type Scaler,
  type SplitOptions,
  createRng,
  permutation,
  shuffle,
  oneHot,
  trainTestSplit,
  validationSplit,
  fitMinMax,
  fitStandardize,
} from './transforms.js';
export { isGzip } from './io.js';
