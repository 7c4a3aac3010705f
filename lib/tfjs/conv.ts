/**
 * Conv2D, FusedConv2D, Conv2DBackpropFilter and Conv2DBackpropInput (NHWC, dilation 1, float32) as im2col plus
 * simdnet's GEMM (kernels/gemm): the input patches of a group of images are copied into a [rows, fh*fw*cin] matrix
 * (rows = images * outH * outW, zeros where a patch hangs over the padding), whose column order is the filter's
 * [fh][fw][cin] row order, so that
 *   forward          y[rows, cout]  = cols x W[fh*fw*cin, cout]   (+ bias, activation in the GEMM epilogue)
 *   filter gradient  dW             = sum over groups of cols^T x dy[rows, cout]   (GEMM transA, beta = 1 after the first)
 *   input gradient   dcols          = dy x W^T (GEMM transB), then scattered back onto dx (col2im, JS).
 * Images go through in groups whose patch matrix stays under about 16 MiB. tfjs-backend-cpu's direct loops are the
 * fallback for NCHW, dilations other than 1, non-float32 inputs, empty shapes and every shape error (computeConv2DInfo
 * throws the message the specs expect). FusedConv2D's bias and activation follow _FusedMatMul (matmul.ts).
 */
import { backend_util } from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { requireNative } from '../native.js';
import type { KernelArgs } from './fallback.js';
import { ACTIVATION_KERNEL, EPILOGUE, rowBias, runAfter } from './matmul.js';
import { f32, output, sameShape } from './storage.js';

type ConvInfo = backend_util.Conv2DInfo;
type Attrs = KernelArgs['attrs'];

/** The conv geometry when this file covers it (NHWC, dilation 1, no empty dimension), else null. */
function geometry(xShape: number[], filterShape: number[], attrs: Attrs, dilations: unknown): ConvInfo | null {
  if (xShape.length !== 4 || filterShape.length !== 4) return null;
  const format = (attrs?.dataFormat as string | undefined) ?? 'NHWC';
  if (format !== 'NHWC') return null;
  let info: ConvInfo;
  try {
    info = backend_util.computeConv2DInfo(xShape as [number, number, number, number],
      filterShape as [number, number, number, number], attrs?.strides as [number, number],
      dilations as [number, number], attrs?.pad as 'same', attrs?.dimRoundingMode as 'floor' | undefined, false,
      'channelsLast');
  } catch {
    return null;
  }
  if (info.dilationHeight !== 1 || info.dilationWidth !== 1) return null;
  if (info.inChannels !== filterShape[2]) return null;
  const sizes = [info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
    info.outChannels, info.filterHeight, info.filterWidth];
  return sizes.every((d) => Number.isInteger(d) && d > 0) ? info : null;
}

/** Images per group: the patch matrix of a group stays under 4M floats (16 MiB), one image at least. */
function groupSize(info: ConvInfo): number {
  const perImage = info.outHeight * info.outWidth * info.filterHeight * info.filterWidth * info.inChannels;
  return Math.max(1, Math.min(info.batchSize, Math.floor((4 << 20) / perImage)));
}

/**
 * cols[rows, K] = the patches of images [b0, b0 + nb) of x (cols must be zero where not written: fresh or cleared).
 * For one output position and filter row, the in-bounds filter columns read one contiguous run of x (NHWC) and write
 * one contiguous run of cols ([fy][fx][c] order), so each is a single copy loop.
 */
function im2col(x: Float32Array, info: ConvInfo, b0: number, nb: number, cols: Float32Array): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, filterHeight: FH, filterWidth: FW,
    strideHeight: SH, strideWidth: SW } = info;
  const top = info.padInfo.top, left = info.padInfo.left, K = FH * FW * C;
  let row = 0;
  for (let b = b0; b < b0 + nb; b++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++, row += K) {
        const ix0 = ox * SW - left, fx0 = Math.max(0, -ix0), fx1 = Math.min(FW, W - ix0), len = (fx1 - fx0) * C;
        if (len <= 0) continue;
        for (let fy = 0; fy < FH; fy++) {
          const iy = oy * SH - top + fy;
          if (iy < 0 || iy >= H) continue;
          const src = ((b * H + iy) * W + ix0 + fx0) * C, dst = row + (fy * FW + fx0) * C;
          for (let i = 0; i < len; i++) cols[dst + i] = x[src + i];
        }
      }
    }
  }
}

/** dx[images b0..b0+nb) += the patches in dcols, each run added back where im2col read it. */
function col2im(dcols: Float32Array, info: ConvInfo, b0: number, nb: number, dx: Float32Array): void {
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, filterHeight: FH, filterWidth: FW,
    strideHeight: SH, strideWidth: SW } = info;
  const top = info.padInfo.top, left = info.padInfo.left, K = FH * FW * C;
  let row = 0;
  for (let b = b0; b < b0 + nb; b++) {
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++, row += K) {
        const ix0 = ox * SW - left, fx0 = Math.max(0, -ix0), fx1 = Math.min(FW, W - ix0), len = (fx1 - fx0) * C;
        if (len <= 0) continue;
        for (let fy = 0; fy < FH; fy++) {
          const iy = oy * SH - top + fy;
          if (iy < 0 || iy >= H) continue;
          const dst = ((b * H + iy) * W + ix0 + fx0) * C, src = row + (fy * FW + fx0) * C;
          for (let i = 0; i < len; i++) dx[dst + i] += dcols[src + i];
        }
      }
    }
  }
}

/** y = conv(x, w) (+ bias, epilogue act) as a new [b, oh, ow, cout] array. */
function forward(xv: Float32Array, wv: Float32Array, info: ConvInfo, bias: Float32Array | null, act: number,
                 leakyAlpha: number): Float32Array {
  const K = info.filterHeight * info.filterWidth * info.inChannels, N = info.outChannels;
  const P = info.outHeight * info.outWidth, G = groupSize(info);
  const y = new Float32Array(info.batchSize * P * N);
  const cols = new Float32Array(G * P * K);
  const addon = requireNative();
  for (let b0 = 0; b0 < info.batchSize; b0 += G) {
    const nb = Math.min(G, info.batchSize - b0), rows = nb * P;
    if (b0 > 0) cols.fill(0);
    im2col(xv, info, b0, nb, cols);
    addon.gemm(false, false, rows, N, K, 1, cols, K, wv, N, 0, y.subarray(b0 * P * N, (b0 + nb) * P * N), N,
      bias, act, leakyAlpha, 0);
  }
  return y;
}

export function conv2D({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const xv = f32(backend, inputs.x), wv = f32(backend, inputs.filter);
  if (xv === null || wv === null) return null;
  const info = geometry(inputs.x.shape, inputs.filter.shape, attrs, attrs?.dilations);
  if (info === null) return null;
  return output(backend, info.outShape.slice(), forward(xv, wv, info, null, 0, 0));
}

export function fusedConv2D({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const { x, filter } = inputs;
  const bias: TensorInfo | undefined = inputs.bias, preluWeights: TensorInfo | undefined = inputs.preluActivationWeights;
  const activation = (attrs?.activation as string | undefined) ?? 'linear';
  const leakyAlpha = (attrs?.leakyreluAlpha as number | undefined) ?? 0.2;
  const xv = f32(backend, x), wv = f32(backend, filter);
  if (xv === null || wv === null || (bias !== undefined && bias.dtype !== 'float32')) return null;
  if (activation !== 'linear' && !Object.hasOwn(ACTIVATION_KERNEL, activation)) return null;
  if (activation === 'prelu' && preluWeights === undefined) return null;
  const info = geometry(x.shape, filter.shape, attrs, attrs?.dilations);
  if (info === null) return null;
  const fusedBias = bias === undefined ? null : rowBias(backend, bias, info.outChannels, 4);
  const biasFused = bias === undefined || fusedBias !== null;
  const act = biasFused && Object.hasOwn(EPILOGUE, activation) ? EPILOGUE[activation] : 0;
  let out = output(backend, info.outShape.slice(), forward(xv, wv, info, fusedBias, act, leakyAlpha));
  if (!biasFused) out = runAfter(backend, 'Add', { a: out, b: bias! }, out);
  if (activation !== 'linear' && act === 0) {
    const extra: Record<string, TensorInfo> = activation === 'prelu' ? { alpha: preluWeights! } : {};
    out = runAfter(backend, ACTIVATION_KERNEL[activation], { x: out, ...extra }, out,
      activation === 'leakyrelu' ? { alpha: leakyAlpha } : {});
  }
  return out;
}

export function conv2DBackpropFilter({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const xv = f32(backend, inputs.x), dyv = f32(backend, inputs.dy);
  if (xv === null || dyv === null) return null;
  const info = geometry(inputs.x.shape, attrs?.filterShape as number[], attrs, 1);
  if (info === null || !sameShape(inputs.dy.shape, info.outShape)) return null;
  const K = info.filterHeight * info.filterWidth * info.inChannels, N = info.outChannels;
  const P = info.outHeight * info.outWidth, G = groupSize(info);
  const dw = new Float32Array(K * N);
  const cols = new Float32Array(G * P * K);
  const addon = requireNative();
  for (let b0 = 0; b0 < info.batchSize; b0 += G) {
    const nb = Math.min(G, info.batchSize - b0), rows = nb * P;
    if (b0 > 0) cols.fill(0);
    im2col(xv, info, b0, nb, cols);
    // dW[K, N] (+)= cols[rows, K]^T x dy[rows, N]
    addon.gemm(true, false, K, N, rows, 1, cols, K, dyv.subarray(b0 * P * N, (b0 + nb) * P * N), N,
      b0 === 0 ? 0 : 1, dw, N, null, 0, 0, 0);
  }
  return output(backend, info.filterShape.slice(), dw);
}

export function conv2DBackpropInput({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const dyv = f32(backend, inputs.dy), wv = f32(backend, inputs.filter);
  if (dyv === null || wv === null) return null;
  const info = geometry(attrs?.inputShape as number[], inputs.filter.shape, attrs, 1);
  if (info === null || !sameShape(inputs.dy.shape, info.outShape)) return null;
  const K = info.filterHeight * info.filterWidth * info.inChannels, N = info.outChannels;
  const P = info.outHeight * info.outWidth, G = groupSize(info);
  const dx = new Float32Array(info.batchSize * info.inHeight * info.inWidth * info.inChannels);
  const dcols = new Float32Array(G * P * K);
  const addon = requireNative();
  for (let b0 = 0; b0 < info.batchSize; b0 += G) {
    const nb = Math.min(G, info.batchSize - b0), rows = nb * P;
    // dcols[rows, K] = dy[rows, N] x W[K, N]^T (beta 0 overwrites the previous group's values)
    addon.gemm(false, true, rows, K, N, 1, dyv.subarray(b0 * P * N, (b0 + nb) * P * N), N, wv, N, 0, dcols, K,
      null, 0, 0, 0);
    col2im(dcols, info, b0, nb, dx);
  }
  return output(backend, info.inShape.slice(), dx);
}
