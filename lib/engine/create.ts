/**
 * createEngine: the one place that picks an Engine implementation for a plan. 'native' needs the addon
 * (lib/native.ts); compile() defaults to it when the addon loaded and to 'js' otherwise.
 */
import type { Engine, PlanSpec } from './engine.js';
import { JsEngine } from './js-engine.js';
import { NativeEngine } from './native-engine.js';
import { native } from '../native.js';
import { SimdnetError, describe } from '../errors.js';

export type EngineBackend = 'native' | 'js';

export function defaultBackend(): EngineBackend {
  return native ? 'native' : 'js';
}

export function createEngine(plan: PlanSpec, backend: EngineBackend = defaultBackend()): Engine {
  if (backend === 'js') return new JsEngine(plan);
  if (backend === 'native') {
    if (!native) throw new SimdnetError('SIMDNET_NATIVE_UNAVAILABLE', "backend 'native' was requested but the native addon is not loaded; use backend: 'js' or build the addon (npm run build)");
    return new NativeEngine(plan);
  }
  throw new SimdnetError('SIMDNET_INVALID_ARGUMENT', `Expected 'native' or 'js' for backend but received ${describe(backend)}`);
}
