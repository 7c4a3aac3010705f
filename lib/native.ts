/**
 * Loads the N-API addon through node-gyp-build (build/Release, then prebuilds/<platform>-<arch>). When it cannot be
 * loaded, simdnet says so once (what was tried, how to fix it) and every API falls back to the pure-TS twin, unless
 * SIMDNET_REQUIRE_NATIVE=1, which turns the failure into a thrown error (sharp's lib/sharp.js does the same). A
 * SIMDNET_ISA the CPU or build cannot run is always a thrown error (SIMDNET_ISA_UNSUPPORTED): forcing an ISA and
 * silently getting the TS backend instead would hide the mistake; so is a SIMDNET_SUBNORMALS other than flush or
 * ieee (SIMDNET_INVALID_ARGUMENT).
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { SimdnetError, SimdnetTypeError, describe } from './errors.js';

/** Members every build of the addon has; kernel families add their functions (typed in lib/kernels/native/*). */
export interface NativeCore {
  isa(): string;
  availableIsas(): string[];
  setIsa(isa: string): void;
  getThreads(): number;
  setThreads(n: number): void;
  flushSubnormals(): boolean;
  setFlushSubnormals(flush: boolean): void;
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type NativeBinding = NativeCore & Record<string, any>;

const require = createRequire(import.meta.url);
/** Package root: this file is lib/native.ts (tests) or dist/native.js (built), one level below it either way. */
export const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

let binding: NativeBinding | null = null;
let loadError: Error | null = null;
let bindingPath: string | null = null;

try {
  const gypBuild = require('node-gyp-build') as ((dir: string) => NativeBinding) & { resolve?: (dir: string) => string };
  bindingPath = gypBuild.resolve ? gypBuild.resolve(packageRoot) : null;
  binding = gypBuild(packageRoot);
} catch (err) {
  loadError = err as Error;
  const tried =
    `simdnet: the native addon could not be loaded from ${packageRoot} (tried build/Release, build/Debug and ` +
    `prebuilds/${process.platform}-${process.arch}): ${(err as Error).message}`;
  if ((err as { code?: string }).code === 'SIMDNET_ISA_UNSUPPORTED') {
    // The user forced an ISA this CPU or build cannot run: fail loudly rather than quietly run the much slower TS
    // backend, which is not what was asked for.
    throw new SimdnetError('SIMDNET_ISA_UNSUPPORTED',
      `${tried}\n  Fix: unset SIMDNET_ISA (the best ISA is picked automatically) or set it to one this CPU supports.`,
      { cause: err });
  }
  if ((err as { code?: string }).code === 'SIMDNET_INVALID_ARGUMENT') {
    // A bad SIMDNET_SUBNORMALS: a setting the user asked for and would not get on the fallback either.
    throw new SimdnetError('SIMDNET_INVALID_ARGUMENT',
      `${tried}\n  Fix: set SIMDNET_SUBNORMALS to flush (the default) or ieee, or unset it.`, { cause: err });
  }
  const fix =
    `  Fix: reinstall so the prebuild for your platform is used, or build it: \`npm rebuild simdnet\` in your project ` +
    `(needs a C++17 compiler and Python for node-gyp), or \`npm run build\` in a clone of the repository.`;
  if (process.env.SIMDNET_REQUIRE_NATIVE === '1') {
    throw new SimdnetError('SIMDNET_NATIVE_UNAVAILABLE', `${tried}\n${fix}\n  (SIMDNET_REQUIRE_NATIVE=1 forbids the fallback to the pure-TypeScript backend)`, { cause: err });
  }
  process.emitWarning(`${tried}\n${fix}\n  Falling back to the pure-TypeScript backend (much slower).`, { code: 'SIMDNET_NATIVE_UNAVAILABLE' });
}

/** The loaded addon, or null when running on the TS fallback. */
export const native: NativeBinding | null = binding;
/** Why the addon did not load (null when it did). */
export const nativeLoadError: Error | null = loadError;
/** File the addon was loaded from (null when unknown or not loaded). */
export const nativePath: string | null = binding ? bindingPath : null;

/** The addon, or a SIMDNET_NATIVE_UNAVAILABLE error for APIs that have no TS fallback. */
export function requireNative(): NativeBinding {
  if (!binding) throw new SimdnetError('SIMDNET_NATIVE_UNAVAILABLE', `simdnet's native addon is not loaded: ${loadError?.message}`);
  return binding;
}

/**
 * Whether native ops flush subnormal floats to zero (FTZ+DAZ, the default) or keep IEEE subnormals (false; also
 * SIMDNET_SUBNORMALS=ieee at load). Applies to every later native call, including the engine's; the JS thread's own
 * floating-point state is never changed. A no-op on the pure-TS backend, which always computes IEEE doubles.
 * See docs/engine.md, "Subnormals".
 */
export function setFlushSubnormals(flush: boolean): void {
  if (typeof flush !== 'boolean')
    throw new SimdnetTypeError('SIMDNET_INVALID_ARGUMENT', `Expected a boolean for flush but received ${describe(flush)}`);
  binding?.setFlushSubnormals(flush);
}
