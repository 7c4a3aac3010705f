export { Optimizer, sgd, momentum, adagrad, rmsprop, adam, adamw, getOptimizer } from './optimizer.js';
export type { OptimizerKind, OptimizerName, BaseOptimizerArgs, SgdArgs, MomentumArgs, AdagradArgs, RmspropArgs, AdamArgs, OptimizerConfig } from './optimizer.js';
export { OPTIMIZER_DEFAULTS } from './defaults.js';
