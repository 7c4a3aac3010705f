/**
 * BatchMatMul and _FusedMatMul on simdnet's GEMM (native/src/kernels/gemm, bound in addon/ops-gemm.cc): one gemm call
 * per batch, reading A and B in place through subarray views (the addon honours view offsets) and writing a new
 * Float32Array. The GEMM epilogue fuses bias plus linear/relu/sigmoid/leakyRelu (relu keeps NaN: the kernel's
 * max(0, x) returns x when x is NaN, as tfjs's Math.max(0, x) does); relu6, elu and prelu run the backend's own
 * kernel on the GEMM's output afterwards.
 *
 * Falls back to tfjs-backend-cpu's kernel for: non-float32 inputs, empty dimensions, batch shapes that do not
 * broadcast, or broadcast other than equal batch counts or a batch count of 1 (the CPU kernel's modulo indexing is
 * the reference there), and mismatched inner dimensions (the CPU kernel throws the message the specs expect).
 */
import { broadcast_util, getKernel } from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { requireNative } from '../native.js';
import type { KernelArgs } from './fallback.js';
import { BACKEND_NAME } from './name.js';
import { f32, output, sizeOf } from './storage.js';

/** Activation codes of the addon's gemm epilogue (the Act enum of kernels/vunary/vunary.h). */
export const EPILOGUE: Record<string, number> = { linear: 0, sigmoid: 1, relu: 3, leakyrelu: 4 };

interface Product {
  shape: number[];
  values: Float32Array;
}

/**
 * op(A) op(B) for every batch, plus `bias` (length n, or null) and epilogue `act`; null when the call is not covered.
 */
function product(a: TensorInfo, b: TensorInfo, transA: boolean, transB: boolean, backend: MathBackendCPU,
                 bias: Float32Array | null, act: number, leakyAlpha: number): Product | null {
  const av = f32(backend, a), bv = f32(backend, b);
  if (av === null || bv === null) return null;
  const ar = a.shape.length, br = b.shape.length;
  if (ar < 2 || br < 2) return null;
  const m = transA ? a.shape[ar - 1] : a.shape[ar - 2];
  const k = transA ? a.shape[ar - 2] : a.shape[ar - 1];
  const kb = transB ? b.shape[br - 1] : b.shape[br - 2];
  const n = transB ? b.shape[br - 2] : b.shape[br - 1];
  if (k !== kb || m === 0 || n === 0 || k === 0) return null;
  const batchA = sizeOf(a.shape.slice(0, -2)), batchB = sizeOf(b.shape.slice(0, -2));
  let outer: number[];
  try {
    outer = broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  } catch {
    return null;
  }
  const batch = Math.max(batchA, batchB);
  if (sizeOf(outer) !== batch || (batchA !== batch && batchA !== 1) || (batchB !== batch && batchB !== 1)) return null;
  if (bias !== null && bias.length !== n) return null;
  const values = new Float32Array(batch * m * n);
  const addon = requireNative();
  const lda = transA ? m : k, ldb = transB ? k : n;
  for (let i = 0; i < batch; i++) {
    const ao = batchA === 1 ? 0 : i * m * k, bo = batchB === 1 ? 0 : i * k * n;
    addon.gemm(transA, transB, m, n, k, 1,
      batch === 1 ? av : av.subarray(ao, ao + m * k), lda,
      batch === 1 ? bv : bv.subarray(bo, bo + k * n), ldb,
      0, batch === 1 ? values : values.subarray(i * m * n, (i + 1) * m * n), n,
      bias, act, leakyAlpha, 0);
  }
  return { shape: [...outer, m, n], values };
}

export function batchMatMul({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const p = product(inputs.a, inputs.b, attrs?.transposeA === true, attrs?.transposeB === true, backend, null, 0, 0);
  return p === null ? null : output(backend, p.shape, p.values);
}

/**
 * The bias as a length-n vector when it broadcasts along rows only (shape [..., 1, n] or [n], or a single value), in
 * place where it already is one; null otherwise (then the GEMM runs without it and the Add kernel adds it).
 */
export function rowBias(backend: MathBackendCPU, bias: TensorInfo, n: number, outRank: number): Float32Array | null {
  const v = f32(backend, bias);
  if (v === null || bias.shape.length > outRank) return null;
  if (v.length === 1) return new Float32Array(n).fill(v[0]);
  if (v.length !== n || bias.shape[bias.shape.length - 1] !== n) return null;
  return v;
}

/** Runs the backend's registered kernel `name` on an intermediate, then disposes the intermediate. */
export function runAfter(backend: MathBackendCPU, name: string, inputs: Record<string, TensorInfo>, intermediate: TensorInfo,
              attrs: Record<string, number> = {}): TensorInfo {
  const out = getKernel(name, BACKEND_NAME).kernelFunc({ inputs, backend, attrs }) as TensorInfo;
  backend.disposeIntermediateTensorInfo(intermediate);
  return out;
}

/** The kernel applying each fused activation the GEMM epilogue does not (or could not, behind an unfused bias). */
export const ACTIVATION_KERNEL: Record<string, string> = {
  relu: 'Relu', relu6: 'Relu6', elu: 'Elu', prelu: 'Prelu', leakyrelu: 'LeakyRelu', sigmoid: 'Sigmoid',
};

export function fusedMatMul({ inputs, backend, attrs }: KernelArgs): TensorInfo | null {
  const { a, b } = inputs;
  const bias: TensorInfo | undefined = inputs.bias, preluActivationWeights: TensorInfo | undefined = inputs.preluActivationWeights;
  const transA = attrs?.transposeA === true, transB = attrs?.transposeB === true;
  const activation = (attrs?.activation as string | undefined) ?? 'linear';
  const leakyAlpha = (attrs?.leakyreluAlpha as number | undefined) ?? 0.2;
  if (f32(backend, a) === null || f32(backend, b) === null) return null;
  if (bias !== undefined && bias.dtype !== 'float32') return null;
  if (activation !== 'linear' && !Object.hasOwn(ACTIVATION_KERNEL, activation)) return null;
  if (activation === 'prelu' && preluActivationWeights === undefined) return null;
  const outRank = Math.max(a.shape.length, b.shape.length);
  const n = transB ? b.shape[b.shape.length - 2] : b.shape[b.shape.length - 1];
  const fusedBias = bias === undefined ? null : rowBias(backend, bias, n, outRank);
  const biasFused = bias === undefined || fusedBias !== null;
  // The epilogue runs after the bias, so the activation may only fuse when the bias did.
  const act = biasFused && Object.hasOwn(EPILOGUE, activation) ? EPILOGUE[activation] : 0;
  const p = product(a, b, transA, transB, backend, fusedBias, act, leakyAlpha);
  if (p === null) return null;
  let out = output(backend, p.shape, p.values);
  if (!biasFused) out = runAfter(backend, 'Add', { a: out, b: bias! }, out);
  if (activation !== 'linear' && act === 0) {
    const name = ACTIVATION_KERNEL[activation];
    const extra: Record<string, TensorInfo> = activation === 'prelu' ? { alpha: preluActivationWeights! } : {};
    out = runAfter(backend, name, { x: out, ...extra }, out, activation === 'leakyrelu' ? { alpha: leakyAlpha } : {});
  }
  return out;
}
