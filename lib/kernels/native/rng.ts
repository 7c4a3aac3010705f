/** Thin typed wrappers over the addon's Philox (ops-init.cc); philoxWord/uniform01 derive from philox4x32. */
import { requireNative } from '../../native.js';
import { checkU53 } from '../../validate.js';

export function philox4x32(seed: number, stream: number, ctr: number): Uint32Array {
  return requireNative().philox4x32(seed, stream, ctr) as Uint32Array;
}

export function philoxWord(seed: number, stream: number, i: number): number {
  checkU53(i, 'i');  // the wrapper splits i itself; seed and stream are checked by the addon
  const q = Math.floor(i / 4);
  return philox4x32(seed, stream, q)[i - q * 4];
}

export function uniform01(seed: number, stream: number, i: number): number {
  return (philoxWord(seed, stream, i) >>> 8) * 2 ** -24;
}
