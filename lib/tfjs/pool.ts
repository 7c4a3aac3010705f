/**
 * MaxPool and MaxPoolGrad on float32 NHWC tensors as JS loops with the channel innermost (contiguous), where
 * tfjs-backend-cpu walks one channel at a time through TensorBuffer.get and, for the gradient, visits every input
 * position and searches the windows covering it. Same semantics as the CPU kernels: the window is clipped to the
 * input (padding is never a candidate), the maximum is the first value strictly greater than every earlier one in
 * row-major window order starting from -Infinity (so NaN is never selected, and an all-NaN window gives -Infinity with
 * no gradient), and the gradient of each window goes to its maximum's position, contributions summed in double and
 * rounded once as the CPU kernel does. simdnet has no native pooling kernel yet.
 * Falls back for other dtypes, a 1x1 window that leaves the shape unchanged (the CPU kernel returns the input there,
 * NaN included), empty shapes and shape errors.
 */
import { backend_util } from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
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
  return sizes.every((d) => Number.isInteger(d) && d > 0) ? info : null;
}

/**
 * For every output (b, oy, ox) and channel: the maximum (into `max` when given) and its position in the window,
 * wR * filterWidth + wC, or -1 when no value beat -Infinity (into `pos` when given).
 */
function scan(x: Float32Array, info: PoolInfo, max: Float32Array | null, pos: Int32Array | null): void {
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, filterHeight: FH,
    filterWidth: FW, strideHeight: SH, strideWidth: SW } = info;
  const top = info.padInfo.top, left = info.padInfo.left;
  const best = new Float64Array(C), at = new Int32Array(C);
  let o = 0;
  for (let b = 0; b < B; b++) {
    for (let oy = 0; oy < OH; oy++) {
      const r0 = oy * SH - top, rMin = Math.max(0, r0), rMax = Math.min(H, FH + r0);
      for (let ox = 0; ox < OW; ox++, o += C) {
        const c0 = ox * SW - left, cMin = Math.max(0, c0), cMax = Math.min(W, FW + c0);
        best.fill(-Infinity);
        at.fill(-1);
        for (let r = rMin; r < rMax; r++) {
          for (let col = cMin; col < cMax; col++) {
            const src = ((b * H + r) * W + col) * C, p = (r - r0) * FW + (col - c0);
            for (let c = 0; c < C; c++) {
              const v = x[src + c];
              if (v > best[c]) { best[c] = v; at[c] = p; }
            }
          }
        }
        if (max !== null) for (let c = 0; c < C; c++) max[o + c] = best[c];
        if (pos !== null) for (let c = 0; c < C; c++) pos[o + c] = at[c];
      }
    }
  }
}

export function maxPool({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const xv = f32(backend, inputs.x);
  if (xv === null) return null;
  const info = geometry(inputs.x.shape, attrs);
  if (info === null) return null;
  const y = new Float32Array(info.batchSize * info.outHeight * info.outWidth * info.inChannels);
  scan(xv, info, y, null);
  return output(backend, info.outShape.slice(), y);
}

export function maxPoolGrad({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const xv = f32(backend, inputs.input), dyv = f32(backend, inputs.dy);
  if (xv === null || dyv === null) return null;
  const info = geometry(inputs.input.shape, attrs);
  if (info === null || !sameShape(inputs.dy.shape, info.outShape)) return null;
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, filterWidth: FW,
    strideHeight: SH, strideWidth: SW } = info;
  const top = info.padInfo.top, left = info.padInfo.left;
  const pos = new Int32Array(dyv.length);
  scan(xv, info, null, pos);
  const acc = new Float64Array(xv.length);
  let o = 0;
  for (let b = 0; b < info.batchSize; b++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++, o += C) {
        for (let c = 0; c < C; c++) {
          const p = pos[o + c];
          if (p < 0) continue;
          const r = oy * SH - top + Math.floor(p / FW), col = ox * SW - left + (p % FW);
          acc[((b * H + r) * W + col) * C + c] += dyv[o + c];
        }
      }
    }
  }
  return output(backend, inputs.input.shape.slice(), Float32Array.from(acc));
}
