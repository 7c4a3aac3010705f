export { stepDecay, exponentialDecay, cosineDecay, linearDecay, scheduleFromConfig, isSchedule } from './schedule.js';
export type {
  LearningRateSchedule, ScheduleConfig, StepDecayArgs, ExponentialDecayArgs, CosineDecayArgs, LinearDecayArgs,
} from './schedule.js';
