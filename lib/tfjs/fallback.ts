/**
 * A native kernel with the CPU kernel it replaced behind it. The fast path returns null when it does not cover the
 * call (a dtype, a broadcast or a shape it does not handle, or an error case), and the CPU kernel then runs with the
 * same arguments: it produces tfjs's exact results and the error messages tfjs-core's specs expect.
 */
import { getKernel } from '@tensorflow/tfjs-core';
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';

export interface KernelArgs {
  /** Present inputs; an optional one (a bias) may still be undefined, which the kernel checks. */
  inputs: { [name: string]: TensorInfo };
  backend: MathBackendCPU;
  attrs?: NamedAttrMap;
}

/** A fast path: the output, or null to run the CPU kernel instead. */
export type FastPath = (args: KernelArgs) => TensorInfo | null;

/** The CPU backend's kernel function for `name` (registered when @tensorflow/tfjs-backend-cpu was imported). */
export function cpuKernel(name: string): KernelFunc {
  const config = getKernel(name, 'cpu');
  if (config === undefined) throw new Error(`simdnet/tfjs: tfjs-backend-cpu has no kernel ${name} to fall back to`);
  return config.kernelFunc;
}

/** kernelFunc for `name`: `fast`, else the CPU kernel. */
export function withFallback(name: string, fast: FastPath): KernelFunc {
  const cpu = cpuKernel(name);
  return (args) => fast(args as unknown as KernelArgs) ?? cpu(args);
}
