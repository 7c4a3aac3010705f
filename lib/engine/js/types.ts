/** Run-time structures of JsEngine (lib/engine/js-engine.ts): parameter slots, per-layer buffers, batch buffers. */
import type { ActivationSpec, LayerSpec, ParamInfo, RegularizerSpec } from '../engine.js';

export interface Slot {
  info: ParamInfo;
  value: Float32Array;
  /** null for non-trainable parameters. */
  grad: Float32Array | null;
  reg: RegularizerSpec | null;
  /** Optimizer state arrays, allocated lazily by kind. */
  state: Record<string, Float32Array>;
}

export interface Rt {
  spec: LayerSpec;
  index: number;
  inSize: number;
  outSize: number;
  act: ActivationSpec | null;
  kernel?: Slot;
  bias?: Slot;
  gamma?: Slot;
  beta?: Slot;
  movingMean?: Slot;
  movingVar?: Slot;
  /** Output (cap x outSize). */
  y: Float32Array;
  /** Dense pre-activation (cap x outSize); null when the activation is linear (y holds z). */
  z: Float32Array | null;
  /** Gradient w.r.t. the dense pre-activation; null when linear (the output gradient is used directly). */
  dz: Float32Array | null;
  /** Gradient w.r.t. this layer's output (cap x outSize). */
  dOut: Float32Array;
  mask: Uint8Array | null;
  saveMean: Float32Array | null;
  saveInvStd: Float32Array | null;
}

/** Per-batch buffers outside the layers, grown once to the largest batch seen (cap rows). */
export interface BatchBuffers {
  cap: number;
  /** Inputs (cap x inputSize). */
  xb: Float32Array;
  /** Targets (cap x outputSize, or cap labels for the sparse loss). */
  yb: Float32Array;
  labels: Int32Array;
  /** One-hot targets for the unfused sparse loss. */
  oneHot: Float32Array;
  /** Scratch gradient for the input of layer 0 where a kernel insists on writing one. */
  dIn: Float32Array;
}

/** Loss computed together with the last layer's activation (from its pre-activation), or null. */
export type Fused = 'softmaxCce' | 'sparseSoftmaxCce' | 'bceLogits' | null;

export function kernelAct(a: ActivationSpec): 'linear' | 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu' {
  if (a.kind === 'softmax') throw new Error('internal: softmax is not an elementwise activation');
  return a.kind;
}

/** Input of layer i (rows of the current batch). */
export function inputOf(layers: Rt[], buf: BatchBuffers, i: number): Float32Array {
  return i === 0 ? buf.xb : layers[i - 1].y;
}

/** Gradient buffer for the input of layer i, or null when nobody needs it (layer 0). */
export function dInputOf(layers: Rt[], i: number): Float32Array | null {
  return i === 0 ? null : layers[i - 1].dOut;
}

/** The weight a layer's diagnostics describe: dense kernel, batch-norm gamma; null for others. */
export function weightOf(rt: Rt): Slot | null {
  return rt.kernel ?? rt.gamma ?? null;
}
