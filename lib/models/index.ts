export { Sequential, type SequentialArgs, type CompileArgs, type PredictArgs, type EvaluateArgs } from './sequential.js';
export { History } from './history.js';
export type { FitArgs, Inputs } from './fit.js';
