/**
 * Weight initializers (public): validates the InitSpec and sizes, then the addon when the backend is native, else
 * the TS twin; both produce bit-identical float32 values for the same arguments (see reference/init.ts).
 */
import type { InitSpec } from '../engine/engine.js';
import { getBackend } from '../backend.js';
import { native } from '../native.js';
import { checkF32, checkSize, checkU53 } from '../validate.js';
import { checkSpec } from './init-spec.js';
import * as ref from './reference/init.js';
import * as nat from './native/init.js';


export function initFill(spec: InitSpec, fanIn: number, fanOut: number, seed: number, stream: number, n: number,
                         w: Float32Array): Float32Array {
  checkSpec(spec);
  checkSize(fanIn, 'fanIn', 1);
  checkSize(fanOut, 'fanOut', 1);
  checkU53(seed, 'seed');
  checkU53(stream, 'stream');
  checkSize(n, 'n');
  checkF32(w, 'w', n);
  return (getBackend() === 'native' && native ? nat : ref).initFill(spec, fanIn, fanOut, seed, stream, n, w);
}
