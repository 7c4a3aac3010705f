/**
 * Public GEMM: C = act(alpha * op(A) * op(B) + beta * C + bias), row-major Float32Arrays (views allowed), written
 * into the caller's C and returned. Validates every argument (coded SimdnetTypeError/SimdnetRangeError), then runs
 * the native kernel when the backend is 'native' and the addon is loaded, else the pure-TS twin.
 */
import { getBackend } from '../backend.js';
import { native } from '../native.js';
import { SimdnetRangeError } from '../errors.js';
import { checkBoolean, checkF32, checkNumber, checkObject, checkOneOf, checkSize, matrixExtent } from '../validate.js';
import * as reference from './reference/gemm.js';
import * as nativeGemm from './native/gemm.js';
import type { GemmArgs } from './reference/gemm.js';

export type { Activation, GemmArgs } from './reference/gemm.js';

const ACTIVATIONS = ['linear', 'sigmoid', 'tanh', 'relu', 'leakyRelu'] as const;

function checkLd(v: unknown, name: string, rowLength: number): number {
  const ld = checkSize(v, name);
  if (ld < rowLength)
    throw new SimdnetRangeError('SIMDNET_INVALID_ARGUMENT', `Expected ${name} >= ${rowLength} (the row length) but received ${ld}`);
  return ld;
}

/** Validates and returns the arguments with every default filled in. */
function validate(args: GemmArgs): Required<GemmArgs> {
  checkObject(args, 'args');
  const transA = args.transA === undefined ? false : checkBoolean(args.transA, 'transA');
  const transB = args.transB === undefined ? false : checkBoolean(args.transB, 'transB');
  const m = checkSize(args.m, 'm');
  const n = checkSize(args.n, 'n');
  const k = checkSize(args.k, 'k');
  const alpha = args.alpha === undefined ? 1 : checkNumber(args.alpha, 'alpha');
  const beta = args.beta === undefined ? 0 : checkNumber(args.beta, 'beta');
  const lda = checkLd(args.lda ?? (transA ? m : k), 'lda', transA ? m : k);
  const ldb = checkLd(args.ldb ?? (transB ? k : n), 'ldb', transB ? k : n);
  const ldc = checkLd(args.ldc ?? n, 'ldc', n);
  const product = m > 0 && n > 0 && k > 0;
  const a = checkF32(args.a, 'a', product ? matrixExtent(transA ? k : m, transA ? m : k, lda, 'a') : 0);
  const b = checkF32(args.b, 'b', product ? matrixExtent(transB ? n : k, transB ? k : n, ldb, 'b') : 0);
  const c = checkF32(args.c, 'c', matrixExtent(m, n, ldc, 'c'));
  const bias = args.bias === undefined || args.bias === null ? null : checkF32(args.bias, 'bias', n);
  const activation = args.activation === undefined ? 'linear' : checkOneOf(args.activation, 'activation', ACTIVATIONS);
  const leakyAlpha = args.leakyAlpha === undefined ? 0.01 : checkNumber(args.leakyAlpha, 'leakyAlpha');
  return { transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, bias, activation, leakyAlpha };
}

/** C = act(alpha op(A) op(B) + beta C + bias). Returns c. */
export function gemm(args: GemmArgs): Float32Array {
  const v = validate(args);
  return getBackend() === 'native' && native ? nativeGemm.gemm(v) : reference.gemm(v);
}

/** As gemm() on `threads` threads (0 = the runtime's count); the TS backend ignores the count. */
export function gemmThreads(args: GemmArgs, threads: number): Float32Array {
  const v = validate(args);
  const t = checkSize(threads, 'threads');
  if (t > 1024) throw new SimdnetRangeError('SIMDNET_INVALID_ARGUMENT', `Expected threads in [0, 1024] but received ${t}`);
  return getBackend() === 'native' && native ? nativeGemm.gemmThreads(v, t) : reference.gemm(v);
}

/** This CPU's FMA peak in GFLOP/s (native only: throws SIMDNET_NATIVE_UNAVAILABLE without the addon). */
export function fmaPeak(ms: number, threads: number): number {
  checkNumber(ms, 'ms', { lo: 0, hi: 10000, loOpen: true });
  const t = checkSize(threads, 'threads');
  if (t > 1024) throw new SimdnetRangeError('SIMDNET_INVALID_ARGUMENT', `Expected threads in [0, 1024] but received ${t}`);
  return nativeGemm.fmaPeak(ms, t);
}
