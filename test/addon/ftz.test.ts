// Flush-to-zero (native/src/runtime/fpenv.h, docs/engine.md "Subnormals"): every native entry point computes with
// FTZ+DAZ by default and gives the JS thread its own floating-point state back, so JS arithmetic keeps IEEE
// subnormal doubles after every kind of native call (sync kernel, sync engine call, async engine job, a thrown
// error); an Adam step over subnormal moments gives the documented result on every ISA, flushed by default and IEEE
// after setFlushSubnormals(false) or with SIMDNET_SUBNORMALS=ieee; the switch is validated and reported.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { native, nativePath, packageRoot, setFlushSubnormals } from '../../lib/native.js';
import { runtimeInfo } from '../../lib/backend.js';
import * as K from '../../lib/kernels/index.js';
import { NativeEngine } from '../../lib/engine/native-engine.js';
import type { PlanSpec } from '../../lib/engine/engine.js';
import { infoCommand } from '../../lib/cli/info.js';
import { testedIsas } from '../helpers/isa.js';
import { mulberryArray } from '../helpers/random.js';

/** The bits of a double: a store, no arithmetic, so a leaked DAZ (which makes 0 == 1e-323 true) cannot hide a 0. */
const bitsOf = (x: number) => new BigUint64Array(new Float64Array([x]).buffer)[0];

// Operands come from a typed array so no JIT can fold the products at compile time.
const operands = new Float64Array([Number.MIN_VALUE, 1.5, 2.2250738585072014e-308, 4, 1e-40]);
/** Three JS-thread computations whose exact IEEE results are subnormal (FTZ gives 0; DAZ reads MIN_VALUE as 0). */
function jsSubnormals() {
  return {
    mul: operands[0] * operands[1],            // 1.5 * 2^-1074: halfway, rounds to even: 2^-1073
    div: operands[2] / operands[3],            // 2^-1022 / 4 = 2^-1024
    fround: Math.fround(operands[4]),          // cvtsd2ss: the float32 subnormal nearest 1e-40, 71362 * 2^-149
  };
}
function expectIeeeJs(after: string): void {
  const got = jsSubnormals();
  expect(bitsOf(got.mul), `MIN_VALUE * 1.5 after ${after}`).toBe(2n);
  expect(bitsOf(got.div), `2^-1022 / 4 after ${after}`).toBe(1n << 50n);
  // 71362 * 2^-149 as a double: 1.0001011011000010b * 2^-133 (biased exponent 890, fraction 5826 << 36)
  expect(bitsOf(got.fround), `Math.fround(1e-40) after ${after}`).toBe((890n << 52n) | (5826n << 36n));
}

afterEach(() => {
  if (native) setFlushSubnormals(true);
});

describe.runIf(native)('flush-to-zero', () => {
  const isas = testedIsas();
  const engines: NativeEngine[] = [];
  afterAll(() => engines.forEach((e) => e.busy || e.dispose()));

  function engine(): NativeEngine {
    const plan: PlanSpec = {
      inputSize: 6,
      layers: [{
        name: 'd', type: 'dense', inputSize: 6, units: 3, useBias: true, activation: { kind: 'relu' },
        kernelInitializer: { kind: 'glorotUniform' }, biasInitializer: { kind: 'zeros' },
        kernelRegularizer: null, biasRegularizer: null,
      }],
      loss: 'meanSquaredError', metrics: [], optimizer: { kind: 'adam', learningRate: 1e-3 }, seed: 7,
    };
    const e = new NativeEngine(plan);
    engines.push(e);
    return e;
  }

  it('is on by default and reported by runtimeInfo', () => {
    expect(native!.flushSubnormals()).toBe(true);
    expect(runtimeInfo().subnormals).toBe('flush');
    setFlushSubnormals(false);
    expect(runtimeInfo().subnormals).toBe('ieee');
    setFlushSubnormals(true);
    expect(runtimeInfo().subnormals).toBe('flush');
  });

  it('simdnet info reports the mode', () => {
    const info = (argv: string[]) => {
      let out = '';
      expect(infoCommand(argv, { out: (t) => void (out += t + '\n'), err: () => {} })).toBe(0);
      return out;
    };
    expect(info([])).toMatch(/^subnormals: +flush to zero \(FTZ\+DAZ; SIMDNET_SUBNORMALS=ieee keeps them\)$/m);
    expect(JSON.parse(info(['--json'])).subnormals).toBe('flush');
    setFlushSubnormals(false);
    expect(info([])).toMatch(/^subnormals: +IEEE \(kept\)$/m);
    expect(JSON.parse(info(['--json'])).subnormals).toBe('ieee');
  });

  it('validates the switch with a code', () => {
    for (const bad of [1, 'ieee', null, undefined, {}] as unknown[]) {
      expect(() => setFlushSubnormals(bad as boolean)).toThrow(expect.objectContaining({ code: 'SIMDNET_INVALID_ARGUMENT' }));
      expect(() => native!.setFlushSubnormals(bad as boolean)).toThrow(expect.objectContaining({ code: 'SIMDNET_INVALID_ARGUMENT' }));
    }
    expect(native!.flushSubnormals()).toBe(true);
  });

  it('JS keeps subnormal doubles after sync kernel calls, on every ISA and in both modes', () => {
    expectIeeeJs('nothing');
    const n = 37;
    for (const isa of isas) {
      native!.setIsa(isa);
      for (const flush of [true, false]) {
        setFlushSubnormals(flush);
        const a = mulberryArray(64 * 64, 1, -1, 1), b = mulberryArray(64 * 64, 2, -1, 1), c = new Float32Array(64 * 64);
        K.gemm({ m: 64, n: 64, k: 64, a, b, c });
        expectIeeeJs(`gemm [${isa}]`);
        K.gemmThreads({ m: 64, n: 64, k: 64, a, b, c }, 2); // thread-pool job: the caller also runs a range
        expectIeeeJs(`gemmThreads [${isa}]`);
        K.softmaxForward(4, 8, 1, mulberryArray(32, 3), new Float32Array(32));
        expectIeeeJs(`softmaxForward [${isa}]`);
        const w = new Float32Array(n).fill(1), g = new Float32Array(n), m = new Float32Array(n).fill(1e-39);
        const v = new Float32Array(n).fill(1e-40);
        K.adam(n, { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, bc1: 0.1, bc2: 0.001, amsgrad: false, decoupled: false }, w, g, m, v, null);
        expectIeeeJs(`adam [${isa}]`);
      }
    }
  });

  it('JS keeps subnormal doubles after a native call that throws', () => {
    expect(() => native!.gemm({})).toThrow();
    expectIeeeJs('a throwing gemm');
    expect(() => native!.scaleInplace(4, 2, new Float32Array(2))).toThrow(expect.objectContaining({ code: expect.stringMatching(/^SIMDNET_/) }));
    expectIeeeJs('a throwing scaleInplace');
  });

  it('JS keeps subnormal doubles after sync and async engine calls', async () => {
    const e = engine();
    expectIeeeJs('new Engine');
    const x = mulberryArray(32 * 6, 5, -1, 1), y = mulberryArray(32 * 3, 6, -1, 1);
    e.trainStep(x.subarray(0, 8 * 6), y.subarray(0, 8 * 3), 8);
    expectIeeeJs('trainStep');
    e.predict(x, 32, 8);
    expectIeeeJs('predict');
    e.evaluate(x, y, 32, 8);
    expectIeeeJs('evaluate');
    const order = Uint32Array.from({ length: 32 }, (_, i) => i);
    const r = await e.trainBatches({ x, y, n: 32, order, batchSize: 8, firstBatch: 0, batchCount: 4 });
    expect(r.steps).toBe(4);
    expectIeeeJs('trainBatches (async)');
    await e.predictAsync(x, 32, 8);
    expectIeeeJs('predictAsync');
    await e.evaluateAsync(x, y, 32, 8);
    expectIeeeJs('evaluateAsync');
  });

  it('JS keeps subnormal doubles after a Sequential fit and predict', async () => {
    const M = await import('../../lib/index.js');
    const model = new M.Sequential([new M.Dense({ units: 4, inputShape: [3], activation: 'relu' }), new M.Dense({ units: 1 })]);
    model.compile({ optimizer: M.optimizers.adam({ learningRate: 1e-3 }), loss: 'mse', seed: 3 });
    const xs = [[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5]], ys = [[1], [2], [3], [4]];
    await model.fit(xs, ys, { epochs: 2, batchSize: 2, verbose: 0 });
    expectIeeeJs('fit');
    model.predict(xs);
    expectIeeeJs('predict');
    model.dispose?.();
  });

  // Adam with g = 0 over moments m = 1e-39 and v = 1e-40 (subnormal floats) next to normal ones, w = 0 where the
  // moments are subnormal. Hand-computed from optim.h's formula with every float32 operation rounded once
  // (Math.fround of the exact double result: exact for +, -, *, /, sqrt of floats):
  //   m' = b1 m, v' = b2 v, w' = w - lr/bc1 * m' / (sqrt(v')/sqrt(bc2) + eps)
  // IEEE: m' and v' are the rounded subnormal products and w' = -1.1e-33-ish. Flushed (the default): DAZ reads the
  // subnormal m and v as 0, so m' = v' = 0 and w' = 0; the normal lanes are the same in both modes.
  it('an Adam step over subnormal moments gives the documented result on every ISA, in both modes', () => {
    const fr = Math.fround;
    const lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, bc1 = 0.1, bc2 = 0.001;
    const n = 37; // a vector body and a tail on every ISA
    const sub = (i: number) => i % 3 !== 1; // two in three lanes subnormal
    const m0 = Float32Array.from({ length: n }, (_, i) => (sub(i) ? 1e-39 : 1e-3 * (1 + i / n)));
    const v0 = Float32Array.from({ length: n }, (_, i) => (sub(i) ? 1e-40 : 1e-6 * (1 + i / n)));
    const w0 = Float32Array.from({ length: n }, (_, i) => (sub(i) ? 0 : 0.5));
    const b1 = fr(beta1), b2 = fr(beta2), step = fr(fr(lr) / fr(bc1)), bc2s = fr(Math.sqrt(fr(bc2))), feps = fr(eps);
    const expected = (flush: boolean) => {
      const m = new Float32Array(n), v = new Float32Array(n), w = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const mi = flush && sub(i) ? 0 : m0[i], vi = flush && sub(i) ? 0 : v0[i];
        m[i] = fr(b1 * mi);
        v[i] = fr(b2 * vi);
        const den = fr(fr(fr(Math.sqrt(v[i])) / bc2s) + feps);
        w[i] = fr(w0[i] - fr(step * fr(m[i] / den)));
      }
      return { m, v, w };
    };
    const ieee = expected(false), flushed = expected(true);
    // The expectation discriminates: IEEE keeps nonzero subnormal moments and moves w where flushing does not.
    expect(ieee.m[0]).toBeGreaterThan(0);
    expect(ieee.m[0]).toBeLessThan(1.1754943508222875e-38);
    expect(ieee.v[0]).toBeGreaterThan(0);
    expect(ieee.w[0]).toBeLessThan(0);
    expect(flushed.m[0]).toBe(0);
    for (const isa of isas) {
      native!.setIsa(isa);
      for (const flush of [true, false]) {
        setFlushSubnormals(flush);
        const w = w0.slice(), m = m0.slice(), v = v0.slice(), g = new Float32Array(n);
        K.adam(n, { lr, beta1, beta2, eps, weightDecay: 0, bc1, bc2, amsgrad: false, decoupled: false }, w, g, m, v, null);
        const want = flush ? flushed : ieee;
        for (let i = 0; i < n; i++) {
          const ctx = `[${isa}, ${flush ? 'flush' : 'ieee'}] lane ${i}`;
          expect(m[i], `m ${ctx}`).toBe(want.m[i]);
          expect(v[i], `v ${ctx}`).toBe(want.v[i]);
          // w: the normal lanes may differ by the FMA contraction of w - step*q (one float ulp); the others are exact.
          if (sub(i)) expect(Math.abs(w[i] - want.w[i]), `w ${ctx}`).toBe(0);
          else expect(Math.abs(w[i] - want.w[i]), `w ${ctx}`).toBeLessThanOrEqual(6e-8);
        }
        expectIeeeJs(`adam [${isa}, flush=${flush}]`);
      }
    }
  });

  it('the engine flushes subnormal moments in its own Adam steps, and keeps them with the opt-out', async () => {
    // Moments set to subnormals with lr = 0 and a zero gradient (the targets equal the predictions): a step only
    // decays them, m' = b1 m and v' = b2 v; flushed, they read as 0.
    for (const flush of [true, false]) {
      setFlushSubnormals(flush);
      const e = engine();
      e.setLearningRate(0);
      const x = mulberryArray(8 * 6, 9, -1, 1);
      const y = e.predict(x, 8, 8).slice();
      const state = e.getOptimizerState().map((a) => a.slice().fill(1e-39));
      e.setOptimizerState(state, 1);
      const order = Uint32Array.from({ length: 8 }, (_, i) => i);
      await e.trainBatches({ x, y, n: 8, order, batchSize: 8, firstBatch: 0, batchCount: 1 });
      const after = e.getOptimizerState();
      const b1m = Math.fround(Math.fround(0.9) * Math.fround(1e-39)), b2v = Math.fround(Math.fround(0.999) * Math.fround(1e-39));
      // state holds m and v for each parameter (layout: engine docs); every entry is one of the two decayed values
      for (const a of after)
        for (const value of a) {
          if (flush) expect(value).toBe(0);
          else expect([b1m, b2v]).toContain(value);
        }
      expectIeeeJs(`engine trainBatches, flush=${flush}`);
    }
  });

  it('every binding file exports through the guard (a bare Napi::Function::New or ObjectWrap method would skip it)', () => {
    const dir = join(packageRoot, 'native', 'src', 'addon');
    for (const file of readdirSync(dir).filter((f) => /\.(cc|h)$/.test(f) && f !== 'registry.h')) {
      const src = readFileSync(join(dir, file), 'utf8');
      expect(src, `${file}: export functions with set_function<F> (registry.h)`).not.toMatch(/Napi::Function::New\s*[<(]/);
      if (/DefineClass\s*\(/.test(src)) {
        // the class hides ObjectWrap::InstanceMethod with one that wraps each method in an FpGuard (ops-engine.cc)
        expect(src, `${file}: DefineClass methods must run under FpGuard`).toMatch(/static PropertyDescriptor InstanceMethod\(/);
        expect(src, file).not.toMatch(/StaticMethod\s*[<(]|InstanceAccessor\s*[<(]/);
      }
      if (/:\s*public Napi::AsyncWorker/.test(src)) expect(src, `${file}: Execute must set an FpGuard`).toMatch(/void Execute\(\) override \{\s*FpGuard /);
    }
  });

  it('SIMDNET_SUBNORMALS=ieee switches the default off at load; any other value is a coded error', () => {
    const load = (value: string, code: string) =>
      spawnSync(process.execPath, ['-e', code], {
        cwd: packageRoot, encoding: 'utf8', timeout: 60_000,
        env: { ...process.env, SIMDNET_SUBNORMALS: value, SIMDNET_REQUIRE_NATIVE: '', SIMDNET_ISA: '' },
      });
    const addon = JSON.stringify(nativePath ?? join(packageRoot, 'build/Release/simdnet.node'));
    const probe = `const a = require(${addon}); console.log(JSON.stringify(a.flushSubnormals()))`;
    expect(load('ieee', probe).stdout.trim()).toBe('false');
    expect(load('flush', probe).stdout.trim()).toBe('true');
    expect(load('', probe).stdout.trim()).toBe('true');
    const bad = load('denormal', `try { require(${addon}); console.log('loaded') } catch (e) { console.log(e.code, e.message) }`);
    expect(bad.stdout).toMatch(/^SIMDNET_INVALID_ARGUMENT SIMDNET_SUBNORMALS=denormal is not one of flush, ieee/);
    // Through the package entry point (dist/, when built): a thrown SimdnetError, not a fallback to the TS backend.
    if (existsSync(join(packageRoot, 'dist', 'native.js'))) {
      const viaLib = load('denormal', `import('./dist/native.js').then(() => console.log('loaded'), (e) => console.log(e.code, e.message))`);
      expect(viaLib.stdout).toMatch(/^SIMDNET_INVALID_ARGUMENT [\s\S]*SIMDNET_SUBNORMALS to flush/);
    }
  });
});
