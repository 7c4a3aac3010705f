/** JsEngine's plan layout: layers and parameter slots from the layer specs, initial values, batch buffers. */
import type { LayerSpec, LossName, RegularizerSpec } from '../engine.js';
import { SimdnetError } from '../../errors.js';
import { initFill } from '../../kernels/reference/init.js';
import type { BatchBuffers, Rt, Slot } from './types.js';

/** Builds layer `index` (receiving `inSize` features) and appends its parameter slots to `slots`. */
export function buildLayer(spec: LayerSpec, index: number, inSize: number, slots: Slot[]): Rt {
  const sizeOf = (s: LayerSpec) => (s.type === 'dense' ? s.units : s.size);
  const outSize = sizeOf(spec);
  if (spec.type !== 'dense' && spec.size !== inSize)
    throw new SimdnetError('SIMDNET_SHAPE_MISMATCH', `Layer ${spec.name} has size ${spec.size} but its input has ${inSize} features`);
  if (spec.type === 'dense' && spec.inputSize !== inSize)
    throw new SimdnetError('SIMDNET_SHAPE_MISMATCH', `Layer ${spec.name} expects ${spec.inputSize} inputs but receives ${inSize}`);
  const rt: Rt = {
    spec, index, inSize, outSize, act: null, y: new Float32Array(0), z: null, dz: null, dOut: new Float32Array(0),
    mask: null, saveMean: null, saveInvStd: null,
  };
  const slot = (param: string, shape: number[], trainable: boolean, reg: RegularizerSpec | null): Slot => {
    const n = shape.reduce((p, q) => p * q, 1);
    const s: Slot = {
      info: { name: `${spec.name}/${param}`, layerIndex: index, shape, trainable },
      value: new Float32Array(n),
      grad: trainable ? new Float32Array(n) : null,
      reg: reg && (reg.l1 !== 0 || reg.l2 !== 0) ? reg : null,
      state: {},
    };
    slots.push(s);
    return s;
  };
  if (spec.type === 'dense') {
    rt.act = spec.activation;
    rt.kernel = slot('kernel', [inSize, spec.units], true, spec.kernelRegularizer);
    if (spec.useBias) rt.bias = slot('bias', [spec.units], true, spec.biasRegularizer);
  } else if (spec.type === 'activation') {
    rt.act = spec.activation;
  } else if (spec.type === 'batchNormalization') {
    if (spec.scale) rt.gamma = slot('gamma', [outSize], true, null);
    if (spec.center) rt.beta = slot('beta', [outSize], true, null);
    rt.movingMean = slot('moving_mean', [outSize], false, null);
    rt.movingVar = slot('moving_variance', [outSize], false, null);
  }
  return rt;
}

/** Initial parameter values: dense layer i draws its kernel from stream 2i and its bias from 2i + 1 of `seed`. */
export function initParams(layers: Rt[], seed: number): void {
  for (const rt of layers) {
    const s = rt.spec;
    if (s.type === 'dense') {
      const k = rt.kernel!;
      initFill(s.kernelInitializer, rt.inSize, rt.outSize, seed, 2 * rt.index, k.value.length, k.value);
      if (rt.bias) initFill(s.biasInitializer, rt.inSize, rt.outSize, seed, 2 * rt.index + 1, rt.bias.value.length, rt.bias.value);
    } else if (s.type === 'batchNormalization') {
      rt.gamma?.value.fill(1);
      rt.beta?.value.fill(0);
      rt.movingMean!.value.fill(0);
      rt.movingVar!.value.fill(1);
    }
  }
}

/** Elements per target row: 1 label for the sparse loss, else one per output. */
export function targetSize(loss: LossName, outputSize: number): number {
  return loss === 'sparseCategoricalCrossentropy' ? 1 : outputSize;
}

export function emptyBatchBuffers(): BatchBuffers {
  return {
    cap: 0, xb: new Float32Array(0), yb: new Float32Array(0), labels: new Int32Array(0), oneHot: new Float32Array(0),
    dIn: new Float32Array(0),
  };
}

/** Grows every per-batch buffer (batch buffers and each layer's) to hold `m` rows. */
export function ensureCapacity(buf: BatchBuffers, layers: Rt[], m: number, inputSize: number, outputSize: number, loss: LossName): void {
  if (m <= buf.cap) return;
  const cap = m;
  buf.cap = cap;
  buf.xb = new Float32Array(cap * inputSize);
  const ySize = targetSize(loss, outputSize);
  buf.yb = new Float32Array(cap * ySize);
  buf.labels = new Int32Array(cap);
  buf.oneHot = new Float32Array(loss === 'sparseCategoricalCrossentropy' ? cap * outputSize : 0);
  buf.dIn = new Float32Array(cap * inputSize);
  for (const rt of layers) {
    const n = cap * rt.outSize;
    rt.y = new Float32Array(n);
    rt.dOut = new Float32Array(n);
    const nonLinearDense = rt.spec.type === 'dense' && rt.act!.kind !== 'linear';
    rt.z = nonLinearDense ? new Float32Array(n) : null;
    rt.dz = nonLinearDense ? new Float32Array(n) : null;
    if (rt.spec.type === 'dropout') rt.mask = new Uint8Array(n);
    if (rt.spec.type === 'batchNormalization') {
      rt.saveMean = new Float32Array(rt.outSize);
      rt.saveInvStd = new Float32Array(rt.outSize);
    }
  }
}

/** Bytes held by the batch buffers, the parameter slots (values, gradients, optimizer state) and the layers. */
export function memoryBytes(buf: BatchBuffers, slots: Slot[], layers: Rt[]): number {
  let b = buf.xb.byteLength + buf.yb.byteLength + buf.labels.byteLength + buf.oneHot.byteLength + buf.dIn.byteLength;
  for (const s of slots) {
    b += s.value.byteLength + (s.grad?.byteLength ?? 0);
    for (const a of Object.values(s.state)) b += a.byteLength;
  }
  for (const rt of layers) {
    b += rt.y.byteLength + rt.dOut.byteLength + (rt.z?.byteLength ?? 0) + (rt.dz?.byteLength ?? 0) + (rt.mask?.byteLength ?? 0);
    b += (rt.saveMean?.byteLength ?? 0) + (rt.saveInvStd?.byteLength ?? 0);
  }
  return b;
}
