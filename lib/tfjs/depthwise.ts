/**
 * DepthwiseConv2dNative, DepthwiseConv2dNativeBackpropInput and DepthwiseConv2dNativeBackpropFilter on simdnet's
 * native depthwise kernels (native/src/kernels/depthwise: vectorized over the contiguous channel axis, rows or filter
 * taps split over the thread pool), for float32 NHWC tensors with channel multiplier 1 and dilation 1. Same results
 * as tfjs-backend-cpu's loops, bit for bit (the contract: kernels/depthwise/depthwise.h): the forward pass adds the
 * taps in the CPU kernel's order with its double-then-float32 rounding at every step; both gradients sum exact double
 * products in the CPU kernel's order and round once. Only subnormals differ (flushed by the addon's FTZ/DAZ guard
 * unless SIMDNET_SUBNORMALS=ieee).
 * Falls back to the CPU kernel for channel multipliers other than 1, dilations other than 1, other dtypes, empty
 * shapes, and every shape error (computeConv2DInfo and the CPU kernel throw the messages tfjs's specs expect).
 */
import { backend_util } from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { requireNative } from '../native.js';
import type { KernelArgs } from './fallback.js';
import { f32, output, sameShape } from './storage.js';

type ConvInfo = backend_util.Conv2DInfo;
type Attrs = KernelArgs['attrs'];

/** The geometry when the native kernels cover it (multiplier 1, dilation 1, nothing empty, whole pads), else null. */
function geometry(xShape: readonly number[], filterShape: readonly number[], attrs: Attrs): ConvInfo | null {
  if (xShape.length !== 4 || filterShape.length !== 4 || filterShape[3] !== 1 || filterShape[2] !== xShape[3]) return null;
  const dilations = (attrs?.dilations ?? [1, 1]) as number | [number, number];
  if (!(dilations === 1 || (Array.isArray(dilations) && dilations[0] === 1 && dilations[1] === 1))) return null;
  let info: ConvInfo;
  try {
    info = backend_util.computeConv2DInfo(xShape as [number, number, number, number],
      filterShape as [number, number, number, number], attrs?.strides as [number, number], 1, attrs?.pad as 'same',
      attrs?.dimRoundingMode as 'floor' | undefined, true /* depthwise */);
  } catch {
    return null;
  }
  if (info.outChannels !== info.inChannels) return null;
  const sizes = [info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth];
  if (!sizes.every((d) => Number.isInteger(d) && d > 0)) return null;
  const { top, left } = info.padInfo;
  return Number.isInteger(top) && Number.isInteger(left) && top >= 0 && left >= 0 ? info : null;
}

/** The binding's 12 geometry arguments (addon/ops-depthwise.cc). */
function geometryArgs(info: ConvInfo): number[] {
  return [info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left];
}

export function depthwiseConv2dNative({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const xv = f32(backend, inputs.x), wv = f32(backend, inputs.filter);
  if (xv === null || wv === null) return null;
  const info = geometry(inputs.x.shape, inputs.filter.shape, attrs);
  if (info === null) return null;
  const y = new Float32Array(info.batchSize * info.outHeight * info.outWidth * info.outChannels);
  requireNative().depthwiseConv2d(...geometryArgs(info), xv, wv, y);
  return output(backend, info.outShape.slice(), y);
}

export function depthwiseConv2dNativeBackpropInput({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const dyv = f32(backend, inputs.dy), wv = f32(backend, inputs.filter);
  const inputShape = attrs?.inputShape as number[] | undefined;
  if (dyv === null || wv === null || !Array.isArray(inputShape)) return null;
  const info = geometry(inputShape, inputs.filter.shape, attrs);
  if (info === null || !sameShape(inputs.dy.shape, info.outShape)) return null;
  const dx = new Float32Array(info.batchSize * info.inHeight * info.inWidth * info.inChannels);
  requireNative().depthwiseBackpropInput(...geometryArgs(info), dyv, wv, dx);
  return output(backend, info.inShape.slice(), dx);
}

export function depthwiseConv2dNativeBackpropFilter({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const xv = f32(backend, inputs.x), dyv = f32(backend, inputs.dy);
  const filterShape = attrs?.filterShape as number[] | undefined;
  if (xv === null || dyv === null || !Array.isArray(filterShape)) return null;
  const info = geometry(inputs.x.shape, filterShape, attrs);
  if (info === null || !sameShape(inputs.dy.shape, info.outShape)) return null;
  const dw = new Float32Array(info.filterHeight * info.filterWidth * info.inChannels);
  requireNative().depthwiseBackpropFilter(...geometryArgs(info), xv, dyv, dw);
  return output(backend, filterShape.slice(), dw);
}
