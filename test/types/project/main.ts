// A user's program, type-checked against the published .d.ts by test/types/types.test.ts: strict, skipLibCheck
// false, no @types/node (only what simdnet declares as dependencies is installed next to it). Each @ts-expect-error
// line must stay an error: if a name union widens (e.g. back to `| string`), tsc reports the unused directive.
import {
  Sequential, Dense, Dropout, BatchNormalization, Activation, callbacks, loadModel, metrics, optimizers, schedules, tensor,
  confusionMatrix, classificationReport, SimdnetError, type Logs, type MetricIdentifier,
} from 'simdnet';
import * as kernels from 'simdnet/kernels';
import * as data from 'simdnet/data';

async function main(): Promise<number> {
  const model = new Sequential([
    new Dense({ units: 8, activation: 'relu', inputShape: [4], kernelInitializer: 'he_normal' }),
    new BatchNormalization(),
    new Dropout({ rate: 0.1 }),
    new Dense({ units: 3, activation: { name: 'softmax', temperature: 1 }, biasInitializer: { name: 'constant', value: 0.1 } }),
    new Activation({ activation: 'linear' }),
  ]);
  // Inference before compile.
  const out = model.predict(tensor(new Float32Array(8), [2, 4]));
  const shape: readonly number[] = out.shape;
  model.compile({
    optimizer: optimizers.adam({ learningRate: 1e-3 }),
    loss: 'categorical_crossentropy',
    metrics: ['accuracy', 'auc', metrics.precision({ threshold: 0.4 }), metrics.topKCategoricalAccuracy({ k: 2 })],
  });
  model.compile({ optimizer: 'sgd', loss: 'mse', metrics: ['mae', 'rmse'] });
  const ids: MetricIdentifier[] = ['f1_score', 'binaryAccuracy', metrics.auc({ curve: 'PR' })];

  // @ts-expect-error a typo'd loss name
  model.compile({ optimizer: 'adam', loss: 'categorical_crossentropyy' });
  // @ts-expect-error a typo'd optimizer name
  model.compile({ optimizer: 'adamm', loss: 'mse' });
  // @ts-expect-error a typo'd metric name
  model.compile({ optimizer: 'adam', loss: 'mse', metrics: ['accuracyy'] });
  // @ts-expect-error a typo'd activation name
  new Dense({ units: 2, activation: 'rellu' });
  // @ts-expect-error a typo'd initializer name
  new Dense({ units: 2, kernelInitializer: 'glorot_uniformm' });

  const history = await model.fit([[1, 2, 3, 4]], [[1, 0, 0]], {
    epochs: 2, verbose: 0, signal: new AbortController().signal,
    callbacks: [callbacks.earlyStopping({ monitor: 'val_loss' }), callbacks.progressBar({ stream: { write: (s: string) => s.length } })],
  });
  const losses: number[] = history.history.loss;
  const logs: Logs = model.evaluate([[1, 2, 3, 4]], [[1, 0, 0]]);
  const cm: number[][] = confusionMatrix([0, 1, 1], [[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]]);
  const report: string = classificationReport([0, 1, 1], [0, 1, 0]).text;
  const lr = schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5 });
  await model.save('/tmp/unused');
  const loaded = await loadModel('/tmp/unused');
  const f1 = metrics.f1Score({ average: 'none' });
  f1.updateState([[1, 0]], [[0.7, 0.3]]);
  const perClass: number[] = f1.resultPerClass();
  try {
    kernels.sum(4, new Float32Array(4));
  } catch (e) {
    if (e instanceof SimdnetError) return e.code.length;
  }
  void data;
  return shape.length + losses.length + logs.loss + cm.length + report.length + ids.length + perClass.length + (lr ? 1 : 0) + (loaded.isCompiled ? 1 : 0);
}

void main();
