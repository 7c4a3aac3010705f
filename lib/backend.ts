/**
 * Which implementation the public kernel functions use: 'native' (the addon; the default when it loaded) or 'js'
 * (the pure-TS twins in lib/kernels/reference). Models choose per compile() via `backend`, independent of this.
 */
import { native } from './native.js';
import { SimdnetError } from './errors.js';

export type BackendName = 'native' | 'js';
let current: BackendName = native ? 'native' : 'js';

export function getBackend(): BackendName {
  return current;
}

export function setBackend(name: BackendName): void {
  if (name !== 'native' && name !== 'js') throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Unknown backend ${String(name)}`);
  if (name === 'native' && !native) throw new SimdnetError('SIMDNET_NATIVE_UNAVAILABLE', 'The native addon is not loaded');
  current = name;
}

/**
 * The ISA in use ('js' when on the TS fallback), the ISAs available, the thread count, and how native ops treat
 * subnormal floats ('flush': FTZ+DAZ, the default; 'ieee': kept, after setFlushSubnormals(false)).
 */
export function runtimeInfo(): { backend: BackendName; isa: string; availableIsas: string[]; threads: number; subnormals: 'flush' | 'ieee' } {
  if (!native) return { backend: 'js', isa: 'js', availableIsas: [], threads: 1, subnormals: 'ieee' };
  return { backend: current, isa: native.isa(), availableIsas: native.availableIsas(), threads: native.getThreads(),
    subnormals: native.flushSubnormals() ? 'flush' : 'ieee' };
}

export function setThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > 1024) throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected integer in [1, 1024] for threads but received ${n}`);
  native?.setThreads(n);
}
