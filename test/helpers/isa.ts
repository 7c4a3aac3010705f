import { afterAll } from 'vitest';
import { native } from '../../lib/native.js';

/**
 * The ISAs the addon can run here (none without the addon), for tests that loop over them calling
 * native.setIsa(isa). Registers an afterAll in the calling suite that restores the ISA selected when it was called,
 * so one test file's choice never leaks into the next.
 */
export function testedIsas(): string[] {
  if (!native) return [];
  const start = native.isa();
  afterAll(() => native!.setIsa(start));
  return native.availableIsas();
}
