/**
 * Inference skips the zeros of a dense layer's input where the ISA has the kernel (AVX-512 and AVX2:
 * native/src/kernels/gemm/sparse-a.cc). Its promise is the dense path's result but for the sign of a zero, so that
 * which path a batch takes (the driver looks at a sample of each batch's rows) changes nothing a caller sees:
 * - predict on half-zero rows (a model in a child process, test/engine/skip-zeros-child.mjs) gives the same bits
 *   with SIMDNET_SKIP_ZEROS=0 (the dense path) as by default, on each of those ISAs this CPU has (SIMDNET_ISA);
 * - the native engine's predict on such rows agrees with its pure-TS twin, JsEngine, within float rounding.
 * The GEMM-level bit-for-bit test, on every epilogue and with a NaN in A and an inf in B, is ctest's
 * gemm_skip_zeros_matches_dense.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { native } from '../../lib/native.js';
import { buildDist, repoRoot } from '../cli/build-dist.js';
import { NativeEngine } from '../../lib/engine/native-engine.js';
import { JsEngine } from '../../lib/engine/js-engine.js';
import { mlpPlan } from './mlp-plan.js';

describe.runIf(native)('predict skipping zeros', () => {
  beforeAll(() => buildDist(), 240_000);
  const engines: NativeEngine[] = [];
  afterAll(() => engines.forEach((e) => e.dispose()));

  const isas = ['avx512', 'avx2'].filter((isa) => native?.availableIsas().includes(isa));
  it.each(isas.length ? isas : ['(none)'])('gives the dense path\'s bits (SIMDNET_SKIP_ZEROS=0) but for the sign of a zero: %s', (isa) => {
    const script = join(repoRoot, 'test', 'engine', 'skip-zeros-child.mjs');
    const dist = join(repoRoot, 'dist', 'index.js');
    const run = (skip: string | undefined) => {
      const env = { ...process.env };
      if (skip === undefined) delete env.SIMDNET_SKIP_ZEROS;
      else env.SIMDNET_SKIP_ZEROS = skip;
      if (isa === '(none)') delete env.SIMDNET_ISA; // no ISA with the kernel: both runs are dense, and must agree
      else env.SIMDNET_ISA = isa;
      const text = execFileSync(process.execPath, [script, dist], { env, maxBuffer: 1 << 26 }).toString();
      const b = Buffer.from(text, 'base64');
      return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
    };
    const skipping = run(undefined), dense = run('0');
    expect(skipping.length).toBe(2000 * 10);
    let differ = 0;
    for (let i = 0; i < dense.length; i++) {
      const same = Object.is(skipping[i], dense[i]) || (skipping[i] === 0 && dense[i] === 0);
      if (!same) differ++;
    }
    expect(differ).toBe(0);
    expect(dense.some((v) => v > 0.2)).toBe(true); // a real output, not all zeros or NaN
  }, 120_000);

  // A 784-128-10 model on the native engine and its JS twin, and N rows of 65% zeros (every 50th row all zeros when
  // blankRows): a pair of rows then needs 58% of the k steps, below the driver's limit (sparse-a.cc): the kernel runs.
  const IN = 784, N = 1100;
  function twins(seed: number, blankRows: boolean) {
    const plan = mlpPlan(IN, 128, 10, 5);
    const a = new NativeEngine(plan);
    engines.push(a);
    const b = new JsEngine(plan);
    const x = new Float32Array(N * IN);
    let s = seed;
    const rand = () => ((s = (s * 1103515245 + 12345) >>> 0) / 4294967296);
    for (let i = 0; i < x.length; i++) x[i] = (blankRows && Math.floor(i / IN) % 50 === 0) || rand() < 0.65 ? 0 : rand();
    return { a, b, x };
  }

  it('agrees with JsEngine on rows of 65% zeros, with all-zero rows among them', () => {
    const { a, b, x } = twins(7, true);
    const ya = a.predict(x, N, 1000), yb = b.predict(x, N, 1000);
    let worst = 0;
    for (let i = 0; i < ya.length; i++) worst = Math.max(worst, Math.abs(ya[i] - yb[i]) / (1e-3 + Math.abs(yb[i])));
    expect(worst).toBeLessThan(1e-5);
  });

  // predict checks each kernel for non-finite weights once per call (engine/step.cc) instead of in every batch's
  // GEMM: a weight made infinite between two calls must send the next call to the dense path (0 * inf = NaN in every
  // row whose input there is 0), as the JS twin computes it.
  it('takes the dense path after a weight turns infinite between calls', () => {
    const { a, b, x } = twins(11, false);
    expect(a.predict(x, N, 1000).every(Number.isFinite)).toBe(true); // finite weights: the skipping path
    const params = a.getParams();
    params[0][5 * 128 + 3] = Infinity; // kernel row 5 (input 5), column 3
    a.setParams(params);
    b.setParams(params);
    const ya = a.predict(x, N, 1000), yb = b.predict(x, N, 1000);
    let nan = 0;
    for (let i = 0; i < ya.length; i++) {
      expect(Number.isNaN(ya[i]), `output ${i}`).toBe(Number.isNaN(yb[i]));
      if (Number.isNaN(ya[i])) nan++;
    }
    // Every row with input 5 at 0 is NaN (0 * inf), about 65% of them.
    let zeroRows = 0;
    for (let i = 0; i < N; i++) if (x[i * IN + 5] === 0) zeroRows++;
    expect(zeroRows).toBeGreaterThan(N / 2);
    expect(nan).toBeGreaterThanOrEqual(zeroRows * 10);
  });
});
