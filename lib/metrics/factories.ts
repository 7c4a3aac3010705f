/**
 * The public `metrics` namespace: the Metric classes and lower-camel factories for them, as tfjs's tf.metrics and
 * our optimizers.adam(...) (metrics.binaryAccuracy({ threshold: 0.7 }) === new BinaryAccuracy({ threshold: 0.7 })).
 */
import { BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, TopKCategoricalAccuracy } from './accuracy.js';
import { AUC, F1Score, Precision, Recall } from './confusion-metrics.js';
import { MeanAbsoluteError, MeanSquaredError, RootMeanSquaredError } from './regression.js';

export { Metric, type MetricInput } from './metric.js';
export { BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, TopKCategoricalAccuracy } from './accuracy.js';
export { MeanSquaredError, MeanAbsoluteError, RootMeanSquaredError } from './regression.js';
export { Precision, Recall, F1Score, AUC, type F1Average } from './confusion-metrics.js';
export { confusionMatrix, classificationReport, type ConfusionMatrixArgs, type ClassificationReport, type ClassScores } from './confusion-matrix.js';
export type { MetricIdentifier } from './index.js';

type Args<C extends abstract new (...a: never[]) => unknown> = ConstructorParameters<C>[0];

export const binaryAccuracy = (args?: Args<typeof BinaryAccuracy>) => new BinaryAccuracy(args);
export const categoricalAccuracy = (args?: Args<typeof CategoricalAccuracy>) => new CategoricalAccuracy(args);
export const sparseCategoricalAccuracy = (args?: Args<typeof SparseCategoricalAccuracy>) => new SparseCategoricalAccuracy(args);
export const topKCategoricalAccuracy = (args?: Args<typeof TopKCategoricalAccuracy>) => new TopKCategoricalAccuracy(args);
export const precision = (args?: Args<typeof Precision>) => new Precision(args);
export const recall = (args?: Args<typeof Recall>) => new Recall(args);
export const f1Score = (args?: Args<typeof F1Score>) => new F1Score(args);
export const auc = (args?: Args<typeof AUC>) => new AUC(args);
export const meanSquaredError = (args?: Args<typeof MeanSquaredError>) => new MeanSquaredError(args);
export const meanAbsoluteError = (args?: Args<typeof MeanAbsoluteError>) => new MeanAbsoluteError(args);
export const rootMeanSquaredError = (args?: Args<typeof RootMeanSquaredError>) => new RootMeanSquaredError(args);
