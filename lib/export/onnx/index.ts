/** ONNX export (docs/onnx.md). */
export { toOnnx, type ToOnnxOptions } from './to-onnx.js';
