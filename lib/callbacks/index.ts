export { BaseCallback, resolveMode } from './callback.js';
export type { Callback, TrainingModel, TrainingParams } from './callback.js';
export { EarlyStopping, earlyStopping, type EarlyStoppingArgs } from './early-stopping.js';
export { TerminateOnNaN, terminateOnNaN } from './terminate-on-nan.js';
export { ReduceLROnPlateau, reduceLROnPlateau, type ReduceLROnPlateauArgs } from './reduce-lr-on-plateau.js';
export { LearningRateScheduler, learningRateScheduler } from './learning-rate-scheduler.js';
export { ModelCheckpoint, modelCheckpoint, type ModelCheckpointArgs } from './model-checkpoint.js';
export { ProgressBar, progressBar, formatLogs, type ProgressBarArgs } from './progress-bar.js';
