/** Backends the model tests run on: 'js' always, 'native' when the addon loaded and the native engine exists. */
import { existsSync } from 'node:fs';
import { native } from '../../lib/native.js';

const nativeEngineFile = new URL('../../lib/engine/native-engine.ts', import.meta.url);
export const BACKENDS: ('js' | 'native')[] = native && existsSync(nativeEngineFile) ? ['js', 'native'] : ['js'];

/** Rejects/throws with a SimdnetError of the given code. */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

export async function asyncCodeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}
