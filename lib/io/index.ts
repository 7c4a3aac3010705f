export { checkSaveTarget, saveModel, weightsToBuffer, type FsOps } from './save.js';
export { loadModel, type LoadModelArgs } from './load.js';
export { FORMAT, FORMAT_VERSION, MODEL_FILE, WEIGHTS_FILE, type ModelJson } from './format.js';
