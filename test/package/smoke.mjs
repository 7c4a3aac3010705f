// Smoke test of an installed simdnet, run by test/package/run.sh inside an empty project where the packed tarball was
// installed with --ignore-scripts, under PREBUILDS_ONLY=1 and SIMDNET_REQUIRE_NATIVE=1: the addon must come from
// prebuilds/ (nothing was compiled) and the public entry points must work on it.
// Prints ok/FAIL per check and ends with "N passed, N failed"; exit status 1 on any failure.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';

const require = createRequire(import.meta.url);
let passed = 0;
let failed = 0;
async function check(name, fn) {
  try {
    const note = await fn();
    console.log(`ok   ${name}${note ? ` (${note})` : ''}`);
    passed++;
  } catch (err) {
    // the message, not the stack: the stack is the smoke script's own frames
    console.log(`FAIL ${name}: ${String(err?.message ?? err).split('\n').slice(0, 6).join('\n    ')}`);
    failed++;
  }
}

const pkgDir = dirname(require.resolve('simdnet/package.json'));
const pkgRequire = createRequire(join(pkgDir, 'package.json'));
const gypBuild = pkgRequire('node-gyp-build');

await check('the installed package has no build/ (nothing was compiled)', () => {
  assert.ok(!existsSync(join(pkgDir, 'build')), `${pkgDir}/build exists`);
});
await check('node-gyp-build resolves the addon to prebuilds/', () => {
  const file = gypBuild.resolve(pkgDir);
  assert.ok(file.includes(`${sep}prebuilds${sep}${process.platform}-${process.arch}${sep}`), file);
  return file.slice(pkgDir.length + 1);
});
await check('the addon loads and reports an ISA it has', () => {
  const addon = gypBuild(pkgDir);
  assert.ok(addon.availableIsas().includes(addon.isa()), `${addon.isa()} not in ${addon.availableIsas()}`);
  return addon.isa();
});

// The public entry points. SIMDNET_REQUIRE_NATIVE=1 makes lib/native.ts throw if the addon cannot load, so an import
// that succeeds ran on the prebuild.
let main = null;
await check("import('simdnet') works on the native backend", async () => {
  main = await import('simdnet');
  const info = main.runtimeInfo();
  assert.equal(info.backend, 'native');
  return `isa ${info.isa}`;
});
let kernels = null;
await check("import('simdnet/kernels') works", async () => {
  kernels = await import('simdnet/kernels');
});

// A training step through the public API on the prebuilt addon: fit y = 3*x0 - 2*x1 + 1 with one Dense unit and
// check the loss falls by 10x (from the untrained model's). No guard on the exports: a missing one fails here.
await check('a Sequential model trains on the native backend (loss falls 10x)', async () => {
  const { Sequential, Dense, optimizers } = main;
  const x = [[0, 0], [0, 1], [1, 0], [1, 1], [0.5, 0.5], [0.2, 0.8], [0.9, 0.1], [0.3, 0.3]];
  const y = x.map(([a, b]) => [3 * a - 2 * b + 1]);
  const m = new Sequential([new Dense({ units: 1, inputShape: [2] })]);
  m.compile({ optimizer: optimizers.adam({ learningRate: 0.1 }), loss: 'mse', backend: 'native', seed: 1 });
  const before = m.evaluate(x, y).loss;
  await m.fit(x, y, { epochs: 200, batchSize: 8, verbose: 0 });
  const after = m.evaluate(x, y).loss;
  m.dispose();
  assert.ok(Number.isFinite(before) && after < before / 10, `loss ${before} -> ${after}`);
  return `loss ${before.toPrecision(3)} -> ${after.toPrecision(3)}`;
});

// Kernels through the public API, on the prebuilt addon.
await check('kernels.sum on the prebuilt addon', () => assert.equal(kernels.sum(5, Float32Array.of(1, 2, 3, 4, 5)), 15));
await check('kernels.gemm (2x3 by 3x2) on the prebuilt addon', () => {
  // [[1,2,3],[4,5,6]] x [[7,8],[9,10],[11,12]] = [[58,64],[139,154]]
  const c = new Float32Array(4);
  const out = kernels.gemm({ m: 2, n: 2, k: 3, a: Float32Array.of(1, 2, 3, 4, 5, 6),
    b: Float32Array.of(7, 8, 9, 10, 11, 12), c });
  assert.deepEqual([...out], [58, 64, 139, 154]);
});

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
