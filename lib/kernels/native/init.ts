/** Thin typed wrapper over the addon's initFill (ops-init.cc): checks and resolves the InitSpec's Keras defaults in TS. */
import type { InitSpec } from '../../engine/engine.js';
import { requireNative } from '../../native.js';
import { INIT_KINDS, resolveInit } from '../reference/init.js';
import { checkSpec } from '../init-spec.js';

export function initFill(spec: InitSpec, fanIn: number, fanOut: number, seed: number, stream: number, n: number,
                         w: Float32Array): Float32Array {
  const r = resolveInit(checkSpec(spec));  // the wrapper reads the spec, so it checks it (the addon sees numbers)
  requireNative().initFill(INIT_KINDS.indexOf(r.kind), fanIn, fanOut, r.value, r.a, r.b, seed, stream, n, w);
  return w;
}
