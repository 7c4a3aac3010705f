/** `simdnet train`: load a data set, train an MLP with a live progress bar, report test accuracy and confusion. */
import { writeFileSync } from 'node:fs';
import { Dense, Sequential, callbacks, loadModel, optimizers } from '../index.js';
import { native } from '../native.js';
import { runtimeInfo, setThreads } from '../backend.js';
import { SimdnetError } from '../errors.js';
import { checkSaveTarget } from '../io/save.js';
import type { ProgressStream } from '../callbacks/progress-bar.js';
import { type CliIo, UsageError, choiceOption, intOption, layersOption, numberOption, parse } from './args.js';
import { argmaxRows, confusionMatrix, formatConfusion } from './confusion.js';
import { classificationReport } from '../metrics/confusion-matrix.js';
import { loadCharting, trainingCurveSvg } from './chart.js';
import { type ScaleKind, loadTrainingData } from './train-data.js';
import { oneHot } from '../data/transforms.js';

const ACTIVATIONS = ['relu', 'leakyRelu', 'tanh', 'sigmoid', 'linear'] as const;
const OPTIMIZERS = ['adam', 'adamw', 'sgd', 'momentum', 'rmsprop', 'adagrad'] as const;
type OptimizerName = (typeof OPTIMIZERS)[number];

/** Learning rates that work out of the box per optimizer (the Keras defaults, except plain SGD at 0.1 instead of
 *  0.01 so that `--optimizer sgd` still converges in a few epochs on digits). */
const DEFAULT_LR: Record<OptimizerName, number> = { adam: 1e-3, adamw: 1e-3, sgd: 0.1, momentum: 0.01, rmsprop: 1e-3, adagrad: 0.01 };

/** Per data set: small data trains long with small batches; large data gets the benchmark's 128. */
const DEFAULTS = {
  digits: { layers: [64, 64], epochs: 30, batchSize: 32 },
  csv: { layers: [64, 64], epochs: 30, batchSize: 32 },
  'fashion-mnist': { layers: [128, 64], epochs: 10, batchSize: 128 },
  idx: { layers: [128, 64], epochs: 10, batchSize: 128 },
};

export const trainUsage = `Usage: simdnet train [options]

Trains a multilayer perceptron (Dense layers, softmax output, categorical cross-entropy) and reports test accuracy
and a confusion matrix.

  --data <what>           digits (embedded UCI 8x8 digits; default), fashion-mnist (Debian's
                          /usr/share/datasets/fashion-mnist or $SIMDNET_FASHION_MNIST_DIR), a directory of IDX files
                          ({train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]), or a .csv/.csv.gz file (label in
                          the last column unless --label-column; a header row is detected)
  --layers <units,...>    hidden layer sizes, e.g. 128,64 (digits/csv default 64,64; images 128,64; 'none' = linear)
  --activation <name>     hidden activation: ${ACTIVATIONS.join(', ')} (default relu)
  --optimizer <name>      ${OPTIMIZERS.join(', ')} (default adam)
  --lr <number>           learning rate (default: adam 0.001, sgd 0.1, momentum 0.01, ...)
  --epochs <n>            (default: digits/csv 30, images 10)
  --batch-size <n>        (default: digits/csv 32, images 128)
  --validation-split <f>  fraction of the training data held out for validation logs (default 0)
  --test-fraction <f>     held-out test fraction for digits and CSV (default 0.25)
  --scale <kind>          none, minmax or standardize, fitted on the training part (default: standardize for CSV,
                          none for images, which are already in [0, 1])
  --label-column <col>    CSV label column: 0-based index or header name; negative indexes count from the end
                          and need the = form: --label-column=-2
  --limit <n>             use at most n training and n test samples (quick runs)
  --seed <n>              seeds the split, initialisation and shuffling (default 1)
  --backend <name>        native or js (default: native when the addon is loaded)
  --threads <n>           native threads (default: the addon's choice)
  --save <dir>            save the trained model there (load it with loadModel(dir))
  --chart <file.svg>      write the loss/accuracy curves as an SVG chart
  --quiet                 no progress bar
  -h, --help`;

const OPTIONS = {
  data: { type: 'string' },
  layers: { type: 'string' },
  activation: { type: 'string' },
  optimizer: { type: 'string' },
  lr: { type: 'string' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  'validation-split': { type: 'string' },
  'test-fraction': { type: 'string' },
  scale: { type: 'string' },
  'label-column': { type: 'string' },
  limit: { type: 'string' },
  seed: { type: 'string' },
  backend: { type: 'string' },
  threads: { type: 'string' },
  save: { type: 'string' },
  chart: { type: 'string' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface TrainOptions {
  data: string;
  layers?: number[];
  activation: (typeof ACTIVATIONS)[number];
  optimizer: OptimizerName;
  lr?: number;
  epochs?: number;
  batchSize?: number;
  validationSplit: number;
  testFraction: number;
  scale?: ScaleKind;
  labelColumn?: number | string;
  limit?: number;
  seed: number;
  backend: 'native' | 'js';
  threads?: number;
  save?: string;
  chart?: string;
  quiet: boolean;
}

/** Parses and checks the command line (UsageError on any mistake). */
export function parseTrainArgs(argv: string[]): TrainOptions | 'help' {
  const { values: v, positionals } = parse(argv, OPTIONS, true);
  if (v.help) return 'help';
  if (positionals.length) throw new UsageError(`Unexpected argument '${positionals[0]}'`);
  const backend = choiceOption(v.backend, 'backend', ['native', 'js'] as const) ?? (native ? 'native' : 'js');
  const label = v['label-column'];
  if (v.chart !== undefined && !/\.svg$/i.test(v.chart)) throw new UsageError(`--chart expects a file name ending in .svg, got '${v.chart}'`);
  return {
    data: v.data ?? 'digits',
    layers: layersOption(v.layers),
    activation: choiceOption(v.activation, 'activation', ACTIVATIONS) ?? 'relu',
    optimizer: choiceOption(v.optimizer, 'optimizer', OPTIMIZERS) ?? 'adam',
    lr: numberOption(v.lr, 'lr', 0, 10, true),
    epochs: intOption(v.epochs, 'epochs', 1, 100000),
    batchSize: intOption(v['batch-size'], 'batch-size', 1, 1 << 20),
    validationSplit: numberOption(v['validation-split'], 'validation-split', 0, 0.9) ?? 0,
    testFraction: numberOption(v['test-fraction'], 'test-fraction', 0, 0.9, true) ?? 0.25,
    scale: choiceOption(v.scale, 'scale', ['none', 'minmax', 'standardize'] as const),
    labelColumn: label === undefined ? undefined : /^-?\d+$/.test(label) ? Number(label) : label,
    limit: intOption(v.limit, 'limit', 2),
    seed: intOption(v.seed, 'seed', 0, 2 ** 32 - 1) ?? 1,
    backend,
    threads: intOption(v.threads, 'threads', 1, 1024),
    save: v.save,
    chart: v.chart,
    quiet: !!v.quiet,
  };
}

function makeOptimizer(name: OptimizerName, learningRate: number) {
  switch (name) {
    case 'adam':
      return optimizers.adam({ learningRate });
    case 'adamw':
      return optimizers.adamw({ learningRate });
    case 'sgd':
      return optimizers.sgd({ learningRate });
    case 'momentum':
      return optimizers.momentum({ learningRate, momentum: 0.9 });
    case 'rmsprop':
      return optimizers.rmsprop({ learningRate });
    case 'adagrad':
      return optimizers.adagrad({ learningRate });
  }
}

/** What a train run produced (also returned to in-process callers such as the tests). */
export interface TrainSummary {
  testAccuracy: number;
  correct: number;
  testSamples: number;
  seconds: number;
  history: Record<string, number[]>;
}

export async function train(o: TrainOptions, io: CliIo, progressStream: ProgressStream = process.stdout): Promise<TrainSummary> {
  if (o.backend === 'native' && !native)
    throw new SimdnetError('SIMDNET_NATIVE_UNAVAILABLE', "--backend native was requested but the native addon is not loaded (run npm run build, or use --backend js)");
  if (o.threads !== undefined) {
    if (o.backend === 'native') setThreads(o.threads);
    else io.err('simdnet: --threads has no effect with --backend js (the JS engine is single-threaded)');
  }
  // A save that cannot work should fail now, not after the whole training run (issue 11).
  if (o.save) await checkSaveTarget(o.save);
  // Likewise a chart whose optional dependencies are not installed (SIMDNET_MISSING_DEPENDENCY).
  if (o.chart) await loadCharting();
  const prepared = await loadTrainingData({ data: o.data, seed: o.seed, testFraction: o.testFraction, scale: o.scale, limit: o.limit, labelColumn: o.labelColumn });
  const { train: tr, test: te, kind } = prepared;
  const d = DEFAULTS[kind];
  const hidden = o.layers ?? d.layers;
  const epochs = o.epochs ?? d.epochs;
  const batchSize = o.batchSize ?? d.batchSize;
  const lr = o.lr ?? DEFAULT_LR[o.optimizer];
  io.out(`Data: ${prepared.description}`);

  const layers = [...hidden, tr.numClasses].map(
    (units, i) =>
      new Dense({ units, activation: i === hidden.length ? 'softmax' : o.activation, ...(i === 0 ? { inputShape: [tr.features] } : {}) }),
  );
  const model = new Sequential(layers);
  try {
    model.compile({ optimizer: makeOptimizer(o.optimizer, lr), loss: 'categoricalCrossentropy', metrics: ['accuracy'], backend: o.backend, seed: o.seed });
    const rt = runtimeInfo();
    const engine = o.backend === 'native' ? `native (${rt.isa}, ${rt.threads} thread${rt.threads === 1 ? '' : 's'})` : 'js (pure TypeScript)';
    io.out(
      // The layers' units, as the README and Keras users count them (64-64-10 on digits); the inputs apart (issue 15).
      `Model: ${tr.features} inputs -> ${[...hidden, tr.numClasses].join('-')} (${hidden.length ? o.activation + ', ' : ''}softmax), ` +
        `${model.countParams().toLocaleString('en-US')} parameters; ${o.optimizer} lr ${lr}; ${epochs} epochs of batch ${batchSize}; backend ${engine}`,
    );
    // Flat Float32Arrays: fit reads them in place (rows of inputSize / outputSize values), no tensor copy.
    const y = oneHot(tr.labels, tr.numClasses);
    const t0 = performance.now();
    const history = await model.fit(tr.x, y, {
      epochs,
      batchSize,
      validationSplit: o.validationSplit,
      seed: o.seed,
      verbose: 0,
      callbacks: o.quiet ? [] : [callbacks.progressBar({ stream: progressStream })],
    });
    const seconds = (performance.now() - t0) / 1000;
    const nFit = Math.round(tr.n * (1 - o.validationSplit));
    io.out(`Trained ${history.epoch.length} epochs in ${seconds.toFixed(2)} s (${Math.round((nFit * history.epoch.length) / seconds).toLocaleString('en-US')} samples/s)`);

    const probs = (await model.predictAsync(te.x, { batchSize: 1000 })).data();
    const predicted = argmaxRows(probs, te.numClasses);
    const cm = confusionMatrix(te.labels, predicted, te.numClasses);
    let correct = 0;
    for (let c = 0; c < te.numClasses; c++) correct += cm[c * te.numClasses + c];
    const testAccuracy = correct / te.n;
    io.out(`Test accuracy: ${testAccuracy.toFixed(4)} (${correct}/${te.n})`);
    io.out(formatConfusion(cm, te.numClasses, te.classNames));
    io.out(classificationReport(Array.from(te.labels), Array.from(predicted), { numClasses: te.numClasses, classNames: te.classNames }).text);
    if (o.save) {
      await model.save(o.save);
      // Prove the saved files load back to the same predictions before telling the user they are there.
      const loaded = await loadModel(o.save);
      try {
        const again = argmaxRows((await loaded.predictAsync(te.x, { batchSize: 1000 })).data(), te.numClasses);
        const same = again.every((p, i) => p === predicted[i]);
        io.out(`Saved model to ${o.save}${same ? ' (reloaded: same predictions)' : ' (WARNING: the reloaded model predicts differently)'}`);
      } finally {
        loaded.dispose();
      }
    }
    if (o.chart) {
      writeFileSync(o.chart, await trainingCurveSvg(history.history, `simdnet train --data ${o.data}`));
      io.out(`Chart: ${o.chart}`);
    }
    return { testAccuracy, correct, testSamples: te.n, seconds, history: history.history };
  } finally {
    model.dispose();
  }
}

export async function trainCommand(argv: string[], io: CliIo): Promise<number> {
  const o = parseTrainArgs(argv);
  if (o === 'help') {
    io.out(trainUsage);
    return 0;
  }
  await train(o, io);
  return 0;
}
