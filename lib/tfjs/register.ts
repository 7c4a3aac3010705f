/**
 * Registers the 'simdnet' backend with tfjs: every CPU kernel is copied under 'simdnet' first, then the native and
 * JS fast-path kernels replace the hot ones, each with the CPU kernel it replaced behind it (fallback.ts). Without
 * the addon only the JS ones replace CPU kernels, and native.ts has already said why the addon did not load (or
 * thrown, under SIMDNET_REQUIRE_NATIVE=1).
 */
import { getKernel, getKernelsForBackend, registerBackend, registerKernel } from '@tensorflow/tfjs-core';
import { native } from '../native.js';
import { SimdnetBackend } from './backend.js';
import { BINARY } from './binary.js';
import { conv2D, conv2DBackpropFilter, conv2DBackpropInput, fusedConv2D } from './conv.js';
import { depthwiseConv2dNative, depthwiseConv2dNativeBackpropFilter, depthwiseConv2dNativeBackpropInput } from './depthwise.js';
import { withFallback, type FastPath } from './fallback.js';
import { batchMatMul, fusedMatMul } from './matmul.js';
import { BACKEND_NAME } from './name.js';
import { fusedBatchNorm } from './batchnorm.js';
import { argMax, argMin, max, mean, min, softmax, sum } from './reduce.js';
import { avgPool, avgPoolGrad, maxPool, maxPoolGrad } from './pool.js';
import { JS_UNARY, NATIVE_UNARY } from './unary.js';

/** The priority tfjs picks a default backend by: cpu 1, wasm 2, webgl 2; simdnet is preferred where it is imported. */
export const PRIORITY = 3;

/** Kernels on simdnet's native kernels under 'simdnet' (registered when the addon loaded). */
export const NATIVE_KERNELS: Readonly<Record<string, FastPath>> = {
  BatchMatMul: batchMatMul,
  _FusedMatMul: fusedMatMul,
  ...NATIVE_UNARY,
  Softmax: softmax,
  Sum: sum,
  Mean: mean,
  Max: max,
  Min: min,
  ArgMax: argMax,
  ArgMin: argMin,
  FusedBatchNorm: fusedBatchNorm,
  Conv2D: conv2D,
  FusedConv2D: fusedConv2D,
  Conv2DBackpropFilter: conv2DBackpropFilter,
  Conv2DBackpropInput: conv2DBackpropInput,
  DepthwiseConv2dNative: depthwiseConv2dNative,
  DepthwiseConv2dNativeBackpropInput: depthwiseConv2dNativeBackpropInput,
  DepthwiseConv2dNativeBackpropFilter: depthwiseConv2dNativeBackpropFilter,
};

/** Kernels as JS fast paths under 'simdnet' (always registered). Every kernel in neither map is the CPU one. */
export const JS_KERNELS: Readonly<Record<string, FastPath>> = {
  ...BINARY,
  ...JS_UNARY,
  MaxPool: maxPool,
  MaxPoolGrad: maxPoolGrad,
  AvgPool: avgPool,
  AvgPoolGrad: avgPoolGrad,
};

/**
 * Idempotent: a second copy of this module (a bundler's, or a CJS and an ESM one) finds the kernels in tfjs's
 * registry, which is global, and registers nothing.
 */
export function register(): void {
  if (getKernel('Identity', BACKEND_NAME) !== undefined) return;
  const replacements = { ...JS_KERNELS, ...(native === null ? {} : NATIVE_KERNELS) };
  for (const config of getKernelsForBackend('cpu')) {
    if (!Object.hasOwn(replacements, config.kernelName)) registerKernel({ ...config, backendName: BACKEND_NAME });
  }
  for (const [kernelName, fast] of Object.entries(replacements)) {
    registerKernel({ kernelName, backendName: BACKEND_NAME, kernelFunc: withFallback(kernelName, fast) });
  }
  registerBackend(BACKEND_NAME, () => new SimdnetBackend(), PRIORITY);
}
