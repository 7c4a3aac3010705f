import { afterAll } from 'vitest';
import { native } from '../../lib/native.js';

/**
 * The ISAs the addon can run here (none without the addon), for tests that loop over them calling
 * native.setIsa(isa). Registers an afterAll in the calling suite that restores the ISA selected when it was called,
 * so one test file's choice never leaks into the next.
 *
 * SIMDNET_TEST_ISAS=avx2 (a comma list) keeps only those: CI's qemu-max stage, where emulated AVX makes every JS
 * reference loop ~80x slower and the scalar tier is already the nehalem stage's. A listed ISA the addon does not
 * offer here is an error, never a silently empty loop.
 */
export function testedIsas(): string[] {
  if (!native) return [];
  const start = native.isa();
  afterAll(() => native!.setIsa(start));
  const available = native.availableIsas();
  const only = process.env.SIMDNET_TEST_ISAS?.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (!only || only.length === 0) return available;
  const missing = only.filter((isa) => !available.includes(isa));
  if (missing.length > 0)
    throw new Error(`SIMDNET_TEST_ISAS names ${missing.join(', ')}, which this CPU does not offer (available: ${available.join(', ')})`);
  return available.filter((isa) => only.includes(isa));
}
