/**
 * MaxPool, MaxPoolGrad, AvgPool and AvgPoolGrad on float32 NHWC tensors through simdnet's native pooling kernels
 * (native/src/kernels/pool: vectorized over the contiguous channel axis, rows split over the thread pool), where
 * tfjs-backend-cpu walks one channel at a time through TensorBuffer.get and, for the gradient, visits every input
 * position and searches the windows covering it. Same semantics as the CPU kernels, which the kernels keep bit for bit
 * (the contract: kernels/pool/pool.h; the readable twin: lib/kernels/reference/pool.ts, once this file's JS loops):
 *  - the window is clipped to the input: padding is never a candidate and never counted;
 *  - MaxPool: the maximum is the first value strictly greater than every earlier one in row-major window order
 *    starting from -Infinity, so NaN is never selected and an all-NaN window gives -Infinity with no gradient;
 *  - MaxPoolGrad: each window's dy goes to its maximum's position (recomputed from x), contributions summed in double
 *    in output order and rounded once, as the CPU kernel sums;
 *  - AvgPool: the in-bounds values summed in double in the CPU kernel's row-major window order, divided by their
 *    count (an empty window gives 0/0 = NaN);
 *  - AvgPoolGrad: every in-bounds input position of a window gets dy / (fh*fw) (the FULL window size, as the CPU kernel
 *    divides, even where the forward pass divided by a clipped count), summed in double and rounded once.
 * The one difference: subnormal inputs and results flush to zero under the addon's FTZ/DAZ guard (tfjs keeps them;
 * setFlushSubnormals(false) or SIMDNET_SUBNORMALS=ieee keeps them here too).
 * Without the addon the same loops run in JS (lib/kernels/reference/pool.ts), so these stay JS fast paths
 * (register.ts's JS_KERNELS) rather than native-only ones. Falls back to the CPU kernel for other dtypes, a 1x1 window that leaves the shape unchanged (the CPU kernel returns the input there,
 * NaN included), empty shapes and shape errors.
 */
import { backend_util } from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { native } from '../native.js';
import * as twin from '../kernels/reference/pool.js';
import type { PoolGeometry } from '../kernels/reference/pool.js';
import type { KernelArgs } from './fallback.js';
import { f32, output, sameShape } from './storage.js';

type PoolInfo = backend_util.Conv2DInfo;

function geometry(xShape: number[], attrs: KernelArgs['attrs']): PoolInfo | null {
  if (xShape.length !== 4) return null;
  let info: PoolInfo;
  try {
    info = backend_util.computePool2DInfo(xShape as [number, number, number, number],
      attrs?.filterSize as [number, number], attrs?.strides as [number, number], 1, attrs?.pad as 'same',
      attrs?.dimRoundingMode as 'floor' | undefined);
  } catch {
    return null;
  }
  if (info.filterHeight === 1 && info.filterWidth === 1 && sameShape(info.inShape, info.outShape)) return null;
  const sizes = [info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth];
  if (!sizes.every((d) => Number.isInteger(d) && d > 0)) return null;
  const { top, left } = info.padInfo;
  return Number.isInteger(top) && Number.isInteger(left) && top >= 0 && left >= 0 ? info : null;
}

/** The binding's 12 geometry arguments (addon/ops-pool.cc), in PoolGeometry's field order. */
function geometryArgs(info: PoolInfo): number[] {
  return [info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
    info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, info.padInfo.top, info.padInfo.left];
}

/** The same geometry for the pure-TS twin, which runs when the addon did not load (same results bit for bit). */
function geometryOf(info: PoolInfo): PoolGeometry {
  const [batch, inHeight, inWidth, channels, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth,
    padTop, padLeft] = geometryArgs(info);
  return { batch, inHeight, inWidth, channels, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth,
    padTop, padLeft };
}

const outLength = (info: PoolInfo) => info.batchSize * info.outHeight * info.outWidth * info.inChannels;

export function maxPool({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const xv = f32(backend, inputs.x);
  if (xv === null) return null;
  const info = geometry(inputs.x.shape, attrs);
  if (info === null) return null;
  const y = new Float32Array(outLength(info));
  if (native) native.maxPool(...geometryArgs(info), xv, y);
  else twin.maxPool(geometryOf(info), xv, y);
  return output(backend, info.outShape.slice(), y);
}

export function maxPoolGrad({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const xv = f32(backend, inputs.input), dyv = f32(backend, inputs.dy);
  if (xv === null || dyv === null) return null;
  const info = geometry(inputs.input.shape, attrs);
  if (info === null || !sameShape(inputs.dy.shape, info.outShape)) return null;
  const dx = new Float32Array(xv.length);
  if (native) native.maxPoolGrad(...geometryArgs(info), xv, dyv, dx);
  else twin.maxPoolGrad(geometryOf(info), xv, dyv, dx);
  return output(backend, inputs.input.shape.slice(), dx);
}

export function avgPool({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const xv = f32(backend, inputs.x);
  if (xv === null) return null;
  const info = geometry(inputs.x.shape, attrs);
  if (info === null) return null;
  const y = new Float32Array(outLength(info));
  if (native) native.avgPool(...geometryArgs(info), xv, y);
  else twin.avgPool(geometryOf(info), xv, y);
  return output(backend, info.outShape.slice(), y);
}

export function avgPoolGrad({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const dyv = f32(backend, inputs.dy);
  if (dyv === null || inputs.input.dtype !== 'float32') return null;
  const { dimRoundingMode: _unused, ...gradAttrs } = attrs ?? {}; // the CPU kernel computes the geometry without it
  const info = geometry(inputs.input.shape, gradAttrs);
  if (info === null || !sameShape(inputs.dy.shape, info.outShape)) return null;
  const dx = new Float32Array(info.batchSize * info.inHeight * info.inWidth * info.inChannels);
  if (native) native.avgPoolGrad(...geometryArgs(info), dyv, dx);
  else twin.avgPoolGrad(geometryOf(info), dyv, dx);
  return output(backend, inputs.input.shape.slice(), dx);
}
