/**
 * `simdnet/tfjs`: importing this module registers a TensorFlow.js backend named 'simdnet' at priority 3 (above cpu and
 * wasm), so it is the default where no backend was chosen yet; `tf.setBackend('simdnet')` selects it explicitly.
 * Peer dependencies: @tensorflow/tfjs-core and @tensorflow/tfjs-backend-cpu 4.x (the ones @tensorflow/tfjs brings).
 * What runs natively and what falls back: docs/tfjs.md.
 */
import { register } from './register.js';

export { SimdnetBackend } from './backend.js';
export { BACKEND_NAME } from './name.js';
export { JS_KERNELS, NATIVE_KERNELS, PRIORITY } from './register.js';
export { useNativeOptimizers } from './optimizers.js';

register();
