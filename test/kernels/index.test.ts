// The public entry `simdnet/kernels` (lib/kernels/index.ts): it exports what docs/kernels-ts.md lists (and none of
// the internal helpers), setBackend() routes every kernel to the TS twin ('js') or to the addon ('native'),
// bad input throws a coded error on both backends, and the `native` / `reference` namespaces match.
// Routing is observed by spying on every function of the addon object: on 'js' no addon function may run, on
// 'native' at least one must; both backends must then agree on the result.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { native as addon } from '../../lib/native.js';
import * as K from '../../lib/kernels/index.js';

const root = resolve(import.meta.dirname, '../..');
const initialBackend = K.getBackend();
afterEach(() => {
  vi.restoreAllMocks();
  K.setBackend(initialBackend);
});

/** Names of the function exports of a module namespace. */
const functionNames = (ns: object) =>
  Object.entries(ns).filter(([, v]) => typeof v === 'function').map(([k]) => k).sort();

/** The functions and types docs/kernels-ts.md declares (plus the native-only ones named in its comment). */
function documented(): { functions: string[]; types: string[] } {
  const md = readFileSync(join(root, 'docs/kernels-ts.md'), 'utf8');
  const functions = [...md.matchAll(/export function (\w+)/g)].map((m) => m[1]);
  const nativeOnly = /native only[^\n]*?: ((?:\w+\([^)]*\)(?:,| and)?\s*)+)/.exec(md);
  if (nativeOnly) functions.push(...[...nativeOnly[1].matchAll(/(\w+)\(/g)].map((m) => m[1]));
  const types = [...md.matchAll(/export (?:type|interface) (\w+)/g)].map((m) => m[1]);
  if (/InitSpec/.test(md)) types.push('InitSpec');
  return { functions: [...new Set(functions)].sort(), types: [...new Set(types)].sort() };
}

const RUNTIME = ['getBackend', 'setBackend', 'runtimeInfo', 'setThreads'];
const ERROR_CLASSES = ['SimdnetError', 'SimdnetRangeError', 'SimdnetTypeError'];
const INTERNAL = ['checkU53', 'INIT_KINDS', 'resolveInit', 'split64', 'philoxBlock'];
const NATIVE_ONLY = ['fmaPeak', 'gemmThreads'];

// Fresh inputs for each call, so both backends start from the same state.
const f = (n: number, v = 0.5) => new Float32Array(n).map((_, i) => v + 0.125 * ((i * 7) % 5) - 0.25);
const poolGeo = { batch: 2, inHeight: 5, inWidth: 5, channels: 3, outHeight: 3, outWidth: 3, filterHeight: 3,
  filterWidth: 3, strideHeight: 2, strideWidth: 2, padTop: 1, padLeft: 1 };
const adamArgs = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, bc1: 0.1, bc2: 0.001, amsgrad: false, decoupled: false };

/** One valid call per kernel; each returns what it computed (the returned value or the arrays it wrote). */
const calls: Record<string, () => unknown> = {
  gemm: () => K.gemm({ m: 2, n: 3, k: 4, a: f(8), b: f(12), c: f(6), bias: f(3), activation: 'tanh' }),
  gemmThreads: () => K.gemmThreads({ transA: true, m: 2, n: 3, k: 4, a: f(8), b: f(12), c: f(6), beta: 1 }, 1),
  activationForward: () => K.activationForward('leakyRelu', 0.1, 4, f(4, -0.2), new Float32Array(4)),
  activationBackward: () => { const x = f(4); return K.activationBackward('sigmoid', 0, 4, x, K.reference.activationForward('sigmoid', 0, 4, x, new Float32Array(4)), f(4), new Float32Array(4)); },
  softmaxForward: () => K.softmaxForward(2, 3, 1, f(6), new Float32Array(6)),
  softmaxBackward: () => K.softmaxBackward(2, 3, 1, new Float32Array([0.2, 0.3, 0.5, 0.1, 0.1, 0.8]), f(6), new Float32Array(6)),
  mse: () => { const g = new Float32Array(6); return [K.mse(2, 3, f(6), f(6, 0.1), g), g]; },
  bceProb: () => { const g = new Float32Array(6); return [K.bceProb(2, 3, 1e-7, new Float32Array([0, 1, 0, 1, 1, 0]), f(6), g), g]; },
  bceLogits: () => { const g = new Float32Array(6); return [K.bceLogits(2, 3, new Float32Array([0, 1, 0, 1, 1, 0]), f(6), g), g]; },
  cceProb: () => { const g = new Float32Array(6); return [K.cceProb(2, 3, 1e-7, new Float32Array([0, 1, 0, 0, 0, 1]), new Float32Array([0.2, 0.3, 0.5, 0.1, 0.1, 0.8]), g), g]; },
  softmaxCce: () => { const g = new Float32Array(6); return [K.softmaxCce(2, 3, 1, new Float32Array([0, 1, 0, 0, 0, 1]), f(6), g), g]; },
  sparseSoftmaxCce: () => { const g = new Float32Array(6); return [K.sparseSoftmaxCce(2, 3, 1, Int32Array.of(1, 2), f(6), g), g]; },
  elementwise: () => { const g = new Float32Array(6); return [K.elementwise('huber', 2, 3, 0.3, f(6), f(6, 0.1), f(2, 1), g), g]; },
  colSum: () => K.colSum(2, 3, f(8), 4, false, new Float32Array(3)),
  rowArgmax: () => K.rowArgmax(2, 3, f(8), 4, new Int32Array(2)),
  sum: () => K.sum(5, f(5)),
  sumSquares: () => K.sumSquares(5, f(5)),
  mean: () => K.mean(5, f(5)),
  firstNonFinite: () => { const c = new Float32Array(5); return [K.firstNonFinite(5, f(5), c), c]; },
  sgd: () => { const w = f(5); K.sgd(5, 0.1, 0.01, w, f(5, 1)); return w; },
  momentum: () => { const w = f(5), b = f(5); K.momentum(5, 0.1, 0.9, 0, 0, true, false, w, f(5, 1), b); return [w, b]; },
  adagrad: () => { const w = f(5), s = f(5, 1); K.adagrad(5, 0.1, 1e-10, 0, w, f(5), s); return [w, s]; },
  rmsprop: () => { const w = f(5), v = f(5, 1), a = f(5, 0), b = f(5, 0); K.rmsprop(5, 0.01, 0.9, 1e-8, 0, 0.5, true, w, f(5), v, a, b); return [w, v, a, b]; },
  adam: () => { const w = f(5), m = f(5, 0), v = f(5, 1); K.adam(5, adamArgs, w, f(5), m, v, null); return [w, m, v]; },
  addPenaltyGrad: () => { const g = f(5); K.addPenaltyGrad(5, 0.01, 0.02, f(5, -0.3), g); return g; },
  penaltyValue: () => K.penaltyValue(5, 0.01, 0.02, f(5, -0.3)),
  clipValue: () => { const g = f(5, 2); K.clipValue(5, 1, g); return g; },
  scaleInplace: () => { const x = f(5); K.scaleInplace(5, 3, x); return x; },
  dropoutForward: () => { const mask = new Uint8Array(64); return [K.dropoutForward(64, 0.5, 42, 1, 3, f(64), new Float32Array(64), mask), mask]; },
  dropoutBackward: () => K.dropoutBackward(4, 0.5, Uint8Array.of(1, 0, 1, 1), f(4), new Float32Array(4)),
  batchNormForwardTrain: () => {
    const rm = f(3, 0), rv = f(3, 1), sm = new Float32Array(3), si = new Float32Array(3);
    return [K.batchNormForwardTrain(2, 3, 0.99, 1e-3, f(6), f(3, 1), f(3, 0), rm, rv, sm, si, new Float32Array(6)), rm, rv, sm, si];
  },
  batchNormForwardInfer: () => K.batchNormForwardInfer(2, 3, 1e-3, f(6), f(3, 1), null, f(3, 0), f(3, 1), new Float32Array(6)),
  batchNormBackward: () => {
    const dg = new Float32Array(3), db = new Float32Array(3);
    return [K.batchNormBackward(2, 3, f(6), f(6, 0.1), f(3, 1), f(3, 0.5), f(3, 2), new Float32Array(6), dg, db), dg, db];
  },
  maxPool: () => K.maxPool(poolGeo, f(2 * 5 * 5 * 3), new Float32Array(2 * 3 * 3 * 3)),
  maxPoolGrad: () => K.maxPoolGrad(poolGeo, f(2 * 5 * 5 * 3), f(2 * 3 * 3 * 3, 1), new Float32Array(2 * 5 * 5 * 3)),
  avgPool: () => K.avgPool(poolGeo, f(2 * 5 * 5 * 3), new Float32Array(2 * 3 * 3 * 3)),
  avgPoolGrad: () => K.avgPoolGrad(poolGeo, f(2 * 3 * 3 * 3, 1), new Float32Array(2 * 5 * 5 * 3)),
  initFill: () => K.initFill({ kind: 'glorotUniform' }, 3, 4, 7, 2, 12, new Float32Array(12)),
  philox4x32: () => K.philox4x32(7, 2, 1),
  philoxWord: () => K.philoxWord(7, 2, 5),
  uniform01: () => K.uniform01(7, 2, 5),
};

/** Spies on every function of the addon; returns a function giving the total number of addon calls so far. */
function spyAddon(): () => number {
  const spies = Object.keys(addon!).filter((k) => typeof addon![k] === 'function').map((k) => vi.spyOn(addon!, k));
  return () => spies.reduce((t, s) => t + s.mock.calls.length, 0);
}

/** Flattens a result into numbers for comparison. */
const numbers = (r: unknown): number[] =>
  Array.isArray(r) ? r.flatMap(numbers) : ArrayBuffer.isView(r) ? Array.from(r as Float32Array) : [r as number];

function expectClose(got: number[], want: number[], ctx: string) {
  expect(got.length, ctx).toBe(want.length);
  for (let i = 0; i < got.length; i++) {
    const tol = 1e-5 + 1e-5 * Math.abs(want[i]);
    expect(Math.abs(got[i] - want[i]) <= tol || (Number.isNaN(got[i]) && Number.isNaN(want[i])),
      `${ctx}: index ${i} got ${got[i]} expected ${want[i]} (isa ${addon?.isa() ?? 'none'})`).toBe(true);
  }
}

/** Calls fn and returns the error it throws (fails the test if it does not throw). */
function thrown(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected a throw');
}

describe('simdnet/kernels: exports', () => {
  it('exports every function docs/kernels-ts.md lists, the runtime helpers and the two namespaces', () => {
    const docs = documented();
    expect(docs.functions.length).toBeGreaterThanOrEqual(36); // the parser found the list (34 + 2 native-only)
    const exported = functionNames(K);
    for (const name of [...docs.functions, ...RUNTIME, ...ERROR_CLASSES]) expect(exported, name).toContain(name);
    expect(typeof K.reference).toBe('object');
    expect(typeof K.native).toBe('object');
  });

  it('exports nothing else: no internal helpers', () => {
    const docs = documented();
    const allowed = new Set([...docs.functions, ...RUNTIME, ...ERROR_CLASSES, 'reference', 'native']);
    expect(Object.keys(K).filter((k) => !allowed.has(k))).toEqual([]);
    for (const ns of [K, K.reference, K.native] as object[])
      for (const name of INTERNAL) expect(Object.keys(ns), name).not.toContain(name);
  });

  it('every public kernel has a call in this suite (so the routing test covers it)', () => {
    const kernels = functionNames(K).filter((k) => !RUNTIME.includes(k) && !ERROR_CLASSES.includes(k) && k !== 'fmaPeak');
    expect(Object.keys(calls).sort()).toEqual(kernels);
  });

  it('native and reference namespaces have the same function names (native adds only gemmThreads, fmaPeak)', () => {
    const ref = functionNames(K.reference);
    const nat = functionNames(K.native);
    expect(nat.filter((k) => !NATIVE_ONLY.includes(k))).toEqual(ref);
    for (const k of NATIVE_ONLY) expect(nat).toContain(k);
    // and they are the public kernels, minus the native-only ones
    expect(ref).toEqual(functionNames(K).filter((k) => !RUNTIME.includes(k) && !ERROR_CLASSES.includes(k) && !NATIVE_ONLY.includes(k)));
  });

  it('the documented types are exported, Activation is one type shared by gemm and activations, helpers are not', () => {
    // Types vanish at run time, so type-check a small consumer with the project's tsc.
    const docs = documented();
    const dir = mkdtempSync(join(tmpdir(), 'simdnet-kernels-types-'));
    const entry = join(root, 'lib/kernels/index.js');
    try {
      writeFileSync(join(dir, 'consumer.ts'), [
        `import type { ${docs.types.join(', ')}, InitKind, BackendName, ErrorCode } from '${entry}';`,
        `import * as K from '${entry}';`,
        `const act: Activation = 'leakyRelu';`,
        `const args: GemmArgs = { m: 1, n: 1, k: 1, a: new Float32Array(1), b: new Float32Array(1), c: new Float32Array(1), activation: act };`,
        `K.activationForward(args.activation!, 0.1, 1, args.a, args.c);`, // the gemm Activation is the activation one
        `const adam: AdamArgs = { lr: 1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, bc1: 1, bc2: 1, amsgrad: false, decoupled: false };`,
        `const spec: InitSpec = { kind: 'heNormal' satisfies InitKind };`,
        `const be: BackendName = K.getBackend();`,
        `const code: ErrorCode = 'SIMDNET_INVALID_ARGUMENT';`,
        `// @ts-expect-error softmax is a row operation, not an Activation`,
        `const bad: Activation = 'softmax';`,
        `// @ts-expect-error internal helper, not exported`,
        `K.checkU53(1, 'x');`,
        `// @ts-expect-error internal helper, not exported`,
        `K.reference.philoxBlock;`,
        `export { adam, spec, be, code, bad };`,
      ].join('\n'));
      const tsc = join(root, 'node_modules/typescript/bin/tsc');
      const out = (() => {
        try {
          return execFileSync(process.execPath, [tsc, '--ignoreConfig', '--noEmit', '--strict', '--skipLibCheck', '--target', 'es2022',
            '--module', 'nodenext', '--moduleResolution', 'nodenext', '--types', 'node', join(dir, 'consumer.ts')],
          { cwd: root, encoding: 'utf8' });
        } catch (err) {
          return `tsc failed:\n${(err as { stdout?: string }).stdout ?? ''}${(err as { stderr?: string }).stderr ?? ''}`;
        }
      })();
      expect(out).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('simdnet/kernels: backend routing', () => {
  it('setBackend rejects unknown names with a coded error', () => {
    const err = thrown(() => K.setBackend('gpu' as K.BackendName));
    expect(err.code).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(K.getBackend()).toBe(initialBackend);
  });

  it.runIf(!addon)('without the addon, native is refused and the native namespace throws SIMDNET_NATIVE_UNAVAILABLE', () => {
    expect(thrown(() => K.setBackend('native')).code).toBe('SIMDNET_NATIVE_UNAVAILABLE');
    expect(thrown(() => K.native.sum(1, new Float32Array(1))).code).toBe('SIMDNET_NATIVE_UNAVAILABLE');
  });

  it.runIf(addon)("'js' never touches the addon, 'native' always does, and both agree", () => {
    const count = spyAddon();
    for (const [name, call] of Object.entries(calls)) {
      K.setBackend('js');
      expect(K.getBackend()).toBe('js');
      expect(K.runtimeInfo().backend).toBe('js');
      const before = count();
      const js = numbers(call());
      expect(count() - before, `${name} on 'js' called the addon`).toBe(0);

      K.setBackend('native');
      expect(K.runtimeInfo().backend).toBe('native');
      const mid = count();
      const nat = numbers(call());
      expect(count() - mid, `${name} on 'native' did not call the addon`).toBeGreaterThan(0);
      expectClose(nat, js, name);
    }
  });

  it.runIf(addon)('fmaPeak is native-only and measures something', () => {
    const count = spyAddon();
    expect(K.fmaPeak(5, 1)).toBeGreaterThan(0);
    expect(count()).toBe(1);
  });

  it.runIf(addon)('runtimeInfo reports the addon ISA; setThreads validates', () => {
    const info = K.runtimeInfo();
    expect(info.availableIsas).toContain(info.isa);
    expect(info.availableIsas).toContain('scalar');
    expect(info.threads).toBeGreaterThanOrEqual(1);
    const threads = info.threads;
    try {
      K.setThreads(1);
      expect(K.runtimeInfo().threads).toBe(1);
    } finally {
      K.setThreads(threads);
    }
    expect(thrown(() => K.setThreads(0)).code).toBe('SIMDNET_INVALID_ARGUMENT');
    expect(thrown(() => K.setThreads(1.5)).code).toBe('SIMDNET_INVALID_ARGUMENT');
  });
});

describe('simdnet/kernels: bad input throws a coded error on both backends', () => {
  const backends: K.BackendName[] = addon ? ['js', 'native'] : ['js'];
  // [call, expected class, expected code]
  const bad: [string, () => unknown, typeof TypeError | typeof RangeError, string][] = [
    ['sum with negative n', () => K.sum(-1, new Float32Array(1)), RangeError, 'SIMDNET_INVALID_ARGUMENT'],
    ['sum with fractional n', () => K.sum(1.5, new Float32Array(2)), RangeError, 'SIMDNET_INVALID_ARGUMENT'],
    ['activationForward with a Float64Array', () => K.activationForward('relu', 0, 2, new Float64Array(2) as unknown as Float32Array, new Float32Array(2)), TypeError, 'SIMDNET_INVALID_ARGUMENT'],
    ['activationForward with an unknown kind', () => K.activationForward('gelu' as K.Activation, 0, 2, new Float32Array(2), new Float32Array(2)), TypeError, 'SIMDNET_INVALID_ARGUMENT'],
    ['gemm with a short c', () => K.gemm({ m: 2, n: 2, k: 2, a: new Float32Array(4), b: new Float32Array(4), c: new Float32Array(3) }), RangeError, 'SIMDNET_BUFFER_TOO_SMALL'],
    ['softmaxForward with a short view', () => K.softmaxForward(2, 2, 1, new Float32Array(5).subarray(1, 4), new Float32Array(4)), RangeError, 'SIMDNET_BUFFER_TOO_SMALL'],
    ['adam without args', () => K.adam(1, null as unknown as K.AdamArgs, new Float32Array(1), new Float32Array(1), new Float32Array(1), new Float32Array(1), null), TypeError, 'SIMDNET_INVALID_ARGUMENT'],
    ['dropoutForward with rate 1', () => K.dropoutForward(1, 1, 0, 0, 0, new Float32Array(1), new Float32Array(1), new Uint8Array(1)), RangeError, 'SIMDNET_INVALID_ARGUMENT'],
    ['philoxWord with seed 2^53 + 2', () => K.philoxWord(2 ** 53 + 2, 0, 0), RangeError, 'SIMDNET_INVALID_ARGUMENT'],
    ['initFill with an unknown kind', () => K.initFill({ kind: 'xavier' } as unknown as K.InitSpec, 1, 1, 0, 0, 1, new Float32Array(1)), TypeError, 'SIMDNET_INVALID_ARGUMENT'],
    // finite, but an infinity once it is a float32
    ['gemm with alpha 1e39', () => K.gemm({ m: 1, n: 1, k: 1, a: new Float32Array(1), b: new Float32Array(1), c: new Float32Array(1), alpha: 1e39 }), RangeError, 'SIMDNET_INVALID_ARGUMENT'],
    ['gemm with leakyAlpha -1e39', () => K.gemm({ m: 1, n: 1, k: 1, a: new Float32Array(1), b: new Float32Array(1), c: new Float32Array(1), activation: 'leakyRelu', leakyAlpha: -1e39 }), RangeError, 'SIMDNET_INVALID_ARGUMENT'],
  ];
  for (const backend of backends)
    for (const [what, call, cls, code] of bad)
      it(`${backend}: ${what}`, () => {
        K.setBackend(backend);
        const count = addon ? spyAddon() : () => 0;
        const err = thrown(call);
        expect(err, err.message).toBeInstanceOf(cls);
        expect(err.code, err.message).toBe(code);
        expect(count(), 'the TS layer validates before the addon is reached').toBe(0);
      });

  it('a detached buffer is refused', () => {
    const x = new Float32Array(4);
    structuredClone(x.buffer, { transfer: [x.buffer] });
    for (const backend of backends) {
      K.setBackend(backend);
      expect(thrown(() => K.sum(4, x)).code, backend).toBe('SIMDNET_DETACHED_BUFFER');
    }
  });

  it('empty rows or an empty C return at once, however many (no loop over 2^40 rows, no 2^40-float buffer)', () => {
    const e = new Float32Array(0);
    for (const backend of backends) {
      K.setBackend(backend);
      expect(K.softmaxForward(2 ** 40, 0, 1, e, e), backend).toBe(e);
      expect(K.softmaxBackward(2 ** 40, 0, 1, e, e, e), backend).toBe(e);
      expect(K.gemm({ m: 2 ** 40, n: 0, k: 0, a: e, b: e, c: e, lda: 0, ldb: 0, ldc: 0 }), backend).toBe(e);
      expect(K.gemm({ m: 0, n: 2 ** 40, k: 5, a: e, b: e, c: e }), backend).toBe(e);
    }
    if (addon) expect(K.native.softmaxForward(2 ** 40, 0, 1, e, e)).toBe(e);
  });

  it.runIf(addon)('the native namespace skips TS validation but the addon throws coded errors itself', () => {
    const count = spyAddon();
    const err = thrown(() => K.native.sum(8, new Float32Array(4)));
    expect(err).toBeInstanceOf(RangeError);
    expect(err.code).toBe('SIMDNET_BUFFER_TOO_SMALL');
    expect(count()).toBe(1);
    const err2 = thrown(() => K.native.philoxWord(-1, 0, 0));
    expect(err2).toBeInstanceOf(RangeError);
    expect(err2.code).toBe('SIMDNET_INVALID_ARGUMENT');
    // what a wrapper reads itself, it checks: the index it splits, the args bag, the spec it resolves
    const f1 = () => new Float32Array(1);
    const cases: [() => unknown, typeof TypeError | typeof RangeError][] = [
      [() => K.native.philoxWord(0, 0, 1.5), RangeError],
      [() => K.native.uniform01(0, 0, '3' as unknown as number), TypeError],
      [() => K.native.adam(1, null as unknown as K.AdamArgs, f1(), f1(), f1(), f1(), null), TypeError],
      [() => K.native.initFill(null as unknown as K.InitSpec, 1, 1, 0, 0, 1, f1()), TypeError],
      [() => K.native.initFill({ kind: 'randomUniform', minval: '0.1' } as unknown as K.InitSpec, 1, 1, 0, 0, 1, f1()), TypeError],
      [() => K.native.gemm({ m: 1, n: 1, k: 1, a: f1(), b: f1(), c: f1(), alpha: 1e39 }), RangeError],
      [() => K.native.activationForward('leakyRelu', 1e39, 1, f1(), f1()), RangeError],
      [() => K.native.softmaxForward(1, 1, 1e39, f1(), f1()), RangeError],
      [() => K.native.dropoutForward(9, 0.5, 0, 0, 2 ** 53, new Float32Array(9), new Float32Array(9), new Uint8Array(9)), RangeError],
    ];
    for (const [call, cls] of cases) {
      const e = thrown(call);
      expect(e, String(call)).toBeInstanceOf(cls);
      expect(e.code, String(call)).toBe('SIMDNET_INVALID_ARGUMENT');
    }
  });
});
