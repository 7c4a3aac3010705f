// The load-failure paths of lib/native.ts, each in a fresh Node: a package with no addon at all (one warning naming
// what was tried and how to fix it, then the TS twins compute and a model trains), the same under
// SIMDNET_REQUIRE_NATIVE=1 (a coded error, no fallback), and a SIMDNET_ISA the CPU cannot run (always an error).
// The addon-less package is a copy of dist/ and package.json in a temporary directory, with node_modules linked, so
// node-gyp-build finds neither build/ nor prebuilds/ there.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { native, packageRoot } from '../../lib/native.js';

const dist = join(packageRoot, 'dist');
let bare = '';

beforeAll(() => {
  if (!existsSync(join(dist, 'index.js'))) return;
  bare = mkdtempSync(join(tmpdir(), 'simdnet-noaddon-'));
  cpSync(dist, join(bare, 'dist'), { recursive: true });
  cpSync(join(packageRoot, 'package.json'), join(bare, 'package.json'));
  symlinkSync(join(packageRoot, 'node_modules'), join(bare, 'node_modules'), 'dir');
});
afterAll(() => {
  if (bare) rmSync(bare, { recursive: true, force: true });
});

/** Runs an ES module snippet in a fresh Node with `root` as the working directory; returns stdout, stderr, status. */
function run(root: string, code: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, SIMDNET_REQUIRE_NATIVE: '', SIMDNET_ISA: '', ...env },
    timeout: 60_000,
  });
  return { out: r.stdout, err: r.stderr, status: r.status };
}

describe('without the addon', () => {
  it('warns once, saying what was tried and how to fix it, then the TS twins compute and a model trains', ({ skip }) => {
    if (!bare) skip();
    const r = run(bare, `
      const K = await import('./dist/kernels/index.js');
      const M = await import('./dist/index.js');         // a second entry point: still one warning
      const info = M.runtimeInfo();
      const sum = K.sum(4, Float32Array.of(1, 2, 3, 4));
      const m = new M.Sequential([new M.Dense({ units: 1, inputShape: [1] })]);
      m.compile({ optimizer: M.optimizers.sgd({ learningRate: 0.1 }), loss: 'mse', seed: 3 });
      const x = [[0], [1], [2], [3]], y = [[1], [3], [5], [7]];
      const before = m.evaluate(x, y).loss;
      await m.fit(x, y, { epochs: 100, batchSize: 4, verbose: 0 });
      const after = m.evaluate(x, y).loss;
      console.log(JSON.stringify({ info, sum, before, after }));`);
    expect(r.status, r.err).toBe(0);
    const res = JSON.parse(r.out.trim().split('\n').pop()!);
    expect(res.info.backend).toBe('js');
    expect(res.sum).toBe(10);
    expect(res.after).toBeLessThan(res.before / 10);
    const warnings = r.err.match(/\[SIMDNET_NATIVE_UNAVAILABLE\]/g) ?? [];
    expect(warnings, r.err).toHaveLength(1);
    expect(r.err).toContain('tried build/Release, build/Debug and prebuilds/');
    expect(r.err).toContain('npm rebuild simdnet');
    expect(r.err).toContain('Falling back to the pure-TypeScript backend');
  });

  it('SIMDNET_REQUIRE_NATIVE=1 turns the warning into a coded error', ({ skip }) => {
    if (!bare) skip();
    const r = run(bare, `
      try { await import('./dist/kernels/index.js'); console.log('loaded'); }
      catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`, { SIMDNET_REQUIRE_NATIVE: '1' });
    expect(r.status, r.err).toBe(0);
    const res = JSON.parse(r.out.trim().split('\n').pop()!);
    expect(res.code).toBe('SIMDNET_NATIVE_UNAVAILABLE');
    expect(res.message).toContain('SIMDNET_REQUIRE_NATIVE=1 forbids the fallback');
    expect(res.message).not.toContain('Falling back');
    expect(r.err).not.toContain('SIMDNET_NATIVE_UNAVAILABLE');  // no warning as well as the error
  });
});

describe.runIf(native)('a forced ISA the CPU cannot run', () => {
  it('is an error at import (SIMDNET_ISA_UNSUPPORTED), not a quiet switch to the TS backend', () => {
    // Ask a child which ISAs it has: under CI's qemu Nehalem run this process is emulated but its children are not.
    const probe = run(packageRoot, `
      import { createRequire } from 'node:module';
      const b = createRequire(process.cwd() + '/')('node-gyp-build')(process.cwd());
      console.log(JSON.stringify(b.availableIsas()));`, { SIMDNET_ISA: 'scalar' });
    const host: string[] = JSON.parse(probe.out.trim().split('\n').pop()!);
    const missing = ['avx2', 'neon'].find((i) => !host.includes(i))!;
    for (const isa of [missing, 'sse9']) {
      const r = run(packageRoot, `
        try { await import('./dist/index.js'); console.log('loaded'); }
        catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`, { SIMDNET_ISA: isa });
      expect(r.status, r.err).toBe(0);
      const res = JSON.parse(r.out.trim().split('\n').pop()!);
      expect(res.code, isa).toBe('SIMDNET_ISA_UNSUPPORTED');
      expect(res.message).toContain(`SIMDNET_ISA=${isa}`);
      expect(res.message).toContain('unset SIMDNET_ISA');
    }
  });
});
