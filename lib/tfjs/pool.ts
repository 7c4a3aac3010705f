/**
 * MaxPool and MaxPoolGrad on float32 NHWC tensors as JS loops with the channel innermost (contiguous), where
 * tfjs-backend-cpu walks one channel at a time through TensorBuffer.get and, for the gradient, visits every input
 * position and searches the windows covering it. Same semantics as the CPU kernels: the window is clipped to the
 * input (padding is never a candidate), the maximum is the first value strictly greater than every earlier one in
 * row-major window order starting from -Infinity (so NaN is never selected, and an all-NaN window gives -Infinity with
 * no gradient), and the gradient of each window goes to its maximum's position, contributions summed in double and
 * rounded once as the CPU kernel does.
 * AvgPool and AvgPoolGrad the same way: AvgPool sums the window's in-bounds values in double, in the CPU kernel's
 * row-major window order, and divides by their count (padding never counted; an empty window gives 0/0 = NaN), so its
 * results are the CPU kernel's bit for bit. AvgPoolGrad gives every in-bounds input position of a window dy / (fh*fw)
 * (the FULL window size, as the CPU kernel divides, even where the forward pass divided by a clipped count), summed
 * in double and rounded once. These stay JS: with the channel innermost each window is a run of contiguous
 * additions, and a native kernel would save little more than V8's bounds checks (bench/tfjs/backend.mjs's CNN times
 * the pooling layers inside a fit step).
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

export function avgPool({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const xv = f32(backend, inputs.x);
  if (xv === null) return null;
  const info = geometry(inputs.x.shape, attrs);
  if (info === null) return null;
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, filterHeight: FH,
    filterWidth: FW, strideHeight: SH, strideWidth: SW } = info;
  const top = info.padInfo.top, left = info.padInfo.left;
  const y = new Float32Array(B * OH * OW * C);
  const acc = new Float64Array(C);
  let o = 0;
  for (let b = 0; b < B; b++) {
    for (let oy = 0; oy < OH; oy++) {
      const r0 = oy * SH - top, rMin = Math.max(0, r0), rMax = Math.min(H, FH + r0);
      for (let ox = 0; ox < OW; ox++, o += C) {
        const c0 = ox * SW - left, cMin = Math.max(0, c0), cMax = Math.min(W, FW + c0);
        acc.fill(0);
        for (let r = rMin; r < rMax; r++) {
          for (let col = cMin; col < cMax; col++) {
            const src = ((b * H + r) * W + col) * C;
            for (let c = 0; c < C; c++) acc[c] += xv[src + c];
          }
        }
        const count = Math.max(0, rMax - rMin) * Math.max(0, cMax - cMin);
        for (let c = 0; c < C; c++) y[o + c] = acc[c] / count;
      }
    }
  }
  return output(backend, info.outShape.slice(), y);
}

export function avgPoolGrad({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const dyv = f32(backend, inputs.dy);
  if (dyv === null || inputs.input.dtype !== 'float32') return null;
  const { dimRoundingMode: _unused, ...gradAttrs } = attrs ?? {}; // the CPU kernel computes the geometry without it
  const info = geometry(inputs.input.shape, gradAttrs);
  if (info === null || !sameShape(inputs.dy.shape, info.outShape)) return null;
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, filterHeight: FH,
    filterWidth: FW, strideHeight: SH, strideWidth: SW } = info;
  const top = info.padInfo.top, left = info.padInfo.left;
  const acc = new Float64Array(B * H * W * C);
  let o = 0;
  for (let b = 0; b < B; b++) {
    for (let oy = 0; oy < OH; oy++) {
      const r0 = oy * SH - top, rMin = Math.max(0, r0), rMax = Math.min(H, FH + r0);
      for (let ox = 0; ox < OW; ox++, o += C) {
        const c0 = ox * SW - left, cMin = Math.max(0, c0), cMax = Math.min(W, FW + c0);
        for (let r = rMin; r < rMax; r++) {
          for (let col = cMin; col < cMax; col++) {
            const dst = ((b * H + r) * W + col) * C;
            for (let c = 0; c < C; c++) acc[dst + c] += dyv[o + c];
          }
        }
      }
    }
  }
  const scale = 1 / (FH * FW);
  const dx = new Float32Array(acc.length);
  for (let i = 0; i < acc.length; i++) dx[i] = acc[i] * scale;
  return output(backend, inputs.input.shape.slice(), dx);
}
