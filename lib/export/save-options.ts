/**
 * model.save(path, options)'s options. Here, not in lib/io/save.ts: save.ts's declarations need @types/node, and
 * the public index.d.ts must not reach them (test/types).
 */
import type { ToOnnxOptions } from './onnx/to-onnx.js';

export interface SaveOptions {
  /** 'simdnet' (the default: the atomic directory layout of lib/io) or 'onnx' (one .onnx file, docs/onnx.md). */
  format?: 'simdnet' | 'onnx';
  /** toOnnx's options, with format 'onnx'. */
  onnx?: ToOnnxOptions;
}
