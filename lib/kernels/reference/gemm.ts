/**
 * Pure-TS GEMM twin: C = act(alpha * op(A) * op(B) + beta * C + bias), row-major, same semantics as the native
 * kernel (kernels/gemm/gemm.h): beta = 0 never reads C, alpha = 0 or k = 0 never reads A or B, bias has n entries,
 * sigmoid/tanh/relu/leakyRelu as in kernels/vunary. It is the fallback backend and the JS side of the benchmarks, so
 * it is written the way a careful JS programmer would: i-k-j loops streaming rows of B into a float32 row
 * accumulator (i-j-k dot products when B is transposed, so both operands stay contiguous), no allocation but one
 * scratch row per call. No validation here: lib/kernels/gemm.ts validates first.
 */
import type { Activation } from '../types.js';

export type { Activation };

export interface GemmArgs {
  /** Use Aᵀ: A is stored k x m (default false). */
  transA?: boolean;
  /** Use Bᵀ: B is stored n x k (default false). */
  transB?: boolean;
  /** Rows of op(A) and C. */
  m: number;
  /** Columns of op(B) and C. */
  n: number;
  /** Columns of op(A), rows of op(B). */
  k: number;
  /** Scale of the product (default 1). */
  alpha?: number;
  a: Float32Array;
  /** Leading dimension of A (default: transA ? m : k). */
  lda?: number;
  b: Float32Array;
  /** Leading dimension of B (default: transB ? k : n). */
  ldb?: number;
  /** Scale of the existing C (default 0: C is not read, it may hold garbage). */
  beta?: number;
  /** Output, m x n with leading dimension ldc; returned. */
  c: Float32Array;
  /** Leading dimension of C (default n). */
  ldc?: number;
  /** n entries added to every row before the activation (default none). */
  bias?: Float32Array | null;
  /** Applied last (default 'linear'). */
  activation?: Activation;
  /** Slope of leakyRelu for x <= 0 (default 0.01). */
  leakyAlpha?: number;
}

function activate(kind: Activation, slope: number, v: number): number {
  switch (kind) {
    case 'relu':
      return v < 0 ? 0 : v; // NaN stays NaN
    case 'leakyRelu':
      return v > 0 ? v : slope * v;
    case 'sigmoid': {
      const e = Math.exp(-Math.abs(v)); // never overflows
      return v >= 0 ? 1 / (1 + e) : e / (1 + e);
    }
    case 'tanh':
      return Math.tanh(v);
    default:
      return v;
  }
}

export function gemm(args: GemmArgs): Float32Array {
  const transA = args.transA ?? false;
  const transB = args.transB ?? false;
  const { m, n, k, a, b, c } = args;
  const alpha = args.alpha ?? 1;
  const beta = args.beta ?? 0;
  const lda = args.lda ?? (transA ? m : k);
  const ldb = args.ldb ?? (transB ? k : n);
  const ldc = args.ldc ?? n;
  const bias = args.bias ?? null;
  const act = args.activation ?? 'linear';
  const slope = args.leakyAlpha ?? 0.01;
  if (m === 0 || n === 0) return c;  // C is empty (and n may be up to 2^40: no row buffer for it)
  const product = alpha !== 0 && k > 0;
  const row = new Float32Array(n);
  for (let i = 0; i < m; i++) {
    if (product) {
      if (!transB) {
        row.fill(0);
        for (let p = 0; p < k; p++) {
          const aip = transA ? a[p * lda + i] : a[i * lda + p];
          const bo = p * ldb;
          for (let j = 0; j < n; j++) row[j] += aip * b[bo + j];
        }
      } else {
        const ao = i * lda;
        for (let j = 0; j < n; j++) {
          const bo = j * ldb;
          let s = 0;
          if (transA) for (let p = 0; p < k; p++) s += a[p * lda + i] * b[bo + p];
          else for (let p = 0; p < k; p++) s += a[ao + p] * b[bo + p];
          row[j] = s;
        }
      }
    }
    const co = i * ldc;
    for (let j = 0; j < n; j++) {
      let v = product ? alpha * row[j] : 0;
      if (beta !== 0) v += beta * c[co + j];
      if (bias) v += bias[j];
      c[co + j] = act === 'linear' ? v : activate(act, slope, v);
    }
  }
  return c;
}
