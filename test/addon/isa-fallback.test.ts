// ISA selection as a user sees it: the best ISA is picked at load, SIMDNET_ISA forces a lower one and fails loudly on
// a bad or unsupported value, and (under `qemu-x86_64 -cpu Nehalem`, a CPU without AVX) the scalar path is picked.
// .ci/run sets SIMDNET_EXPECT_ISA=scalar for that emulated run (and avx2 for the `-cpu max` run: AVX2 without AVX-512), so the test proves the emulation really hid AVX2
// from the addon (a forked child would escape qemu and run on the host CPU: CI uses --pool=threads there).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { native, packageRoot } from '../../lib/native.js';

const expected = process.env.SIMDNET_EXPECT_ISA;

describe.runIf(expected)('ISA expected by CI', () => {
  it(`runs the addon on ${expected}`, () => {
    expect(native, 'the addon did not load').not.toBeNull();
    expect(native!.isa()).toBe(expected);
    if (expected === 'scalar') expect(native!.availableIsas()).toEqual(['scalar']);
    // qemu-x86_64 -cpu max: AVX2+FMA but no AVX-512 (qemu 7.2 cannot emulate it), so the avx512 tier is not offered
    if (expected === 'avx2') expect(native!.availableIsas()).toEqual(['avx2', 'scalar']);
  });
});

/** Loads the addon in a fresh Node with the given SIMDNET_ISA; returns what it reported or the load error. */
function loadWith(isa: string): { isa?: string; available?: string[]; error?: string } {
  const script = `
    try {
      const b = require('node-gyp-build')(${JSON.stringify(packageRoot)});
      console.log(JSON.stringify({ isa: b.isa(), available: b.availableIsas() }));
    } catch (e) { console.log(JSON.stringify({ error: String(e && e.message) })); }`;
  const env = { ...process.env, SIMDNET_ISA: isa };
  const r = spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8', cwd: packageRoot });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

describe.runIf(native)('SIMDNET_ISA', () => {
  it('picks the best available ISA when unset', () => {
    if (process.env.SIMDNET_ISA) return; // the whole run was forced to an ISA; the next tests cover forcing
    expect(native!.isa()).toBe(native!.availableIsas()[0]);
  });

  it('forces scalar, which every CPU has', () => {
    const r = loadWith('scalar');
    expect(r.error).toBeUndefined();
    expect(r.isa).toBe('scalar');
    expect(r.available).toContain('scalar');
  });

  it('rejects an unknown ISA at load with a message naming it', () => {
    expect(loadWith('sse9').error).toMatch(/SIMDNET_ISA=sse9 is not one of scalar, avx2, avx512, neon/);
  });

  it('rejects an ISA this CPU lacks at load', () => {
    // The child runs on the host CPU even when this process is emulated, so ask the child which ISAs it has.
    const host = loadWith('scalar').available!;
    const missing = ['avx512', 'avx2', 'neon'].filter((i) => !host.includes(i));
    expect(missing.length).toBeGreaterThan(0);
    for (const isa of missing)
      expect(loadWith(isa).error).toMatch(new RegExp(`SIMDNET_ISA=${isa} is not supported`));
  });
});
