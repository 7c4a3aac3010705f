/**
 * model.save(path, options)'s options. Here, not in lib/io/save.ts: save.ts's declarations need @types/node, and
 * the public index.d.ts must not reach them (test/types).
 */
import type { ToOnnxOptions } from './onnx/to-onnx.js';

export interface SaveOptions {
  /**
   * 'simdnet' (the default: the atomic directory layout of lib/io), 'onnx' (one .onnx file, docs/onnx.md) or 'tfjs'
   * (a TensorFlow.js layers-model directory: model.json + weights, docs/interop.md).
   */
  format?: 'simdnet' | 'onnx' | 'tfjs';
  /** toOnnx's options, with format 'onnx'. */
  onnx?: ToOnnxOptions;
}
