/**
 * Thin typed wrappers over the addon's GEMM bindings (native/src/addon/ops-gemm.cc). Defaults are resolved here;
 * every check is the addon's (coded TypeError/RangeError). Requires the addon (SIMDNET_NATIVE_UNAVAILABLE otherwise).
 */
import { requireNative } from '../../native.js';
import { checkObject } from '../../validate.js';
import type { Activation, GemmArgs } from '../reference/gemm.js';

export type { Activation, GemmArgs } from '../reference/gemm.js';

/** Activation codes of the native Act enum (kernels/vunary/vunary.h). */
const ACT_CODE: Record<Activation, number> = { linear: 0, sigmoid: 1, tanh: 2, relu: 3, leakyRelu: 4 };

/** C = act(alpha op(A) op(B) + beta C + bias) on `threads` threads (0 = the runtime's thread count). Returns c. */
export function gemmThreads(args: GemmArgs, threads: number): Float32Array {
  const addon = requireNative();
  checkObject(args, 'args');
  const transA = args.transA ?? false;
  const transB = args.transB ?? false;
  const { m, n, k } = args;
  const act = args.activation ?? 'linear';
  addon.gemm(
    transA, transB, m, n, k, args.alpha ?? 1,
    args.a, args.lda ?? (transA ? m : k),
    args.b, args.ldb ?? (transB ? k : n),
    args.beta ?? 0, args.c, args.ldc ?? n,
    args.bias ?? null,
    Object.hasOwn(ACT_CODE, act) ? ACT_CODE[act] : act, // an unknown name reaches the addon as is and is rejected
    args.leakyAlpha ?? 0.01,
    threads,
  );
  return args.c;
}

/** C = act(alpha op(A) op(B) + beta C + bias) on the runtime's thread count. Returns c. */
export function gemm(args: GemmArgs): Float32Array {
  return gemmThreads(args, 0);
}

/** This CPU's measured FMA throughput in GFLOP/s on the ISA in use, over about `ms` ms on `threads` threads. */
export function fmaPeak(ms: number, threads: number): number {
  return requireNative().fmaPeak(ms, threads) as number;
}
