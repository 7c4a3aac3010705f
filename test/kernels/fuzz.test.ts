/**
 * Bad input to every function of simdnet/kernels, one argument (or one field of an argument object) at a time, on
 * the 'js' and 'native' backends and through the `native` namespace (the addon's own checks): wrong types, detached
 * and out-of-bounds buffers, short and empty buffers, negative, fractional, NaN, infinite and huge sizes, values
 * beyond float32, and some size combinations (empty rows of 2^40, products that overflow). Every call must either
 * return or throw an Error with a string `code` (SIMDNET_*), and return within a second: no uncoded error, no crash
 * (that would take the worker down), no loop over 2^40 empty rows. CI runs this file against an ASan+UBSan build of
 * the addon too (.ci/run, stage addon-sanitize). Which bad values are accepted (an optional field left undefined,
 * a seed of 2^40) is not this file's business: the per-kernel suites pin the semantics.
 */
import { describe, expect, it } from 'vitest';
import * as K from '../../lib/kernels/index.js';
import { native } from '../../lib/native.js';

type Kind = 's' | 'n' | 'o' | 'k' | 'b' | 'bn' | 'i' | 'u' | Record<string, 's' | 'n' | 'o' | 'k' | 'b' | 'bn'>;
type Spec = [() => unknown[], Kind[]];

const F = (n: number, v = 0.5) => new Float32Array(n).map((_, i) => v + 0.125 * ((i * 7) % 5) - 0.25);
const P = (n: number) => new Float32Array(n).map((_, i) => 0.1 + (0.8 * ((i * 3) % 7)) / 7);
const gemmArgs = () => ({ m: 3, n: 4, k: 5, a: F(15), b: F(20), c: F(12), lda: 5, ldb: 4, ldc: 4, alpha: 1, beta: 0, bias: F(4),
  activation: 'relu', leakyAlpha: 0.01, transA: false, transB: false });
const GEMM: Kind = { m: 's', n: 's', k: 's', a: 'b', b: 'b', c: 'b', lda: 's', ldb: 's', ldc: 's', alpha: 'n', beta: 'n', bias: 'bn',
  activation: 'k', leakyAlpha: 'n', transA: 'o', transB: 'o' };
const adamArgs = () => ({ lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, bc1: 0.1, bc2: 0.001, amsgrad: true, decoupled: false });
const ADAM: Kind = { lr: 'n', beta1: 'n', beta2: 'n', eps: 'n', weightDecay: 'n', bc1: 'n', bc2: 'n', amsgrad: 'o', decoupled: 'o' };
const poolGeo = () => ({ batch: 2, inHeight: 5, inWidth: 4, channels: 3, outHeight: 3, outWidth: 2, filterHeight: 2,
  filterWidth: 3, strideHeight: 2, strideWidth: 2, padTop: 1, padLeft: 1 });
const POOL: Kind = { batch: 's', inHeight: 's', inWidth: 's', channels: 's', outHeight: 's', outWidth: 's', filterHeight: 's',
  filterWidth: 's', strideHeight: 's', strideWidth: 's', padTop: 's', padLeft: 's' };
const INIT: Kind = { kind: 'k', value: 'n', minval: 'n', maxval: 'n', mean: 'n', stddev: 'n' };
const f = (n: number) => new Float32Array(n);

// A valid call per function and the kind of each argument.
const SPECS: Record<string, Spec> = {
  gemm: [() => [gemmArgs()], [GEMM]],
  gemmThreads: [() => [gemmArgs(), 2], [GEMM, 's']],
  activationForward: [() => ['tanh', 0.1, 9, F(9), f(9)], ['k', 'n', 's', 'b', 'b']],
  activationBackward: [() => ['sigmoid', 0.1, 9, F(9), F(9), F(9), f(9)], ['k', 'n', 's', 'b', 'b', 'b', 'b']],
  softmaxForward: [() => [2, 9, 1, F(18), f(18)], ['s', 's', 'n', 'b', 'b']],
  softmaxBackward: [() => [2, 9, 1, P(18), F(18), f(18)], ['s', 's', 'n', 'b', 'b', 'b']],
  mse: [() => [2, 9, F(18), F(18), f(18)], ['s', 's', 'b', 'b', 'bn']],
  bceProb: [() => [2, 9, 1e-7, P(18), P(18), f(18)], ['s', 's', 'n', 'b', 'b', 'bn']],
  bceLogits: [() => [2, 9, P(18), F(18), f(18)], ['s', 's', 'b', 'b', 'bn']],
  cceProb: [() => [2, 9, 1e-7, P(18), P(18), f(18)], ['s', 's', 'n', 'b', 'b', 'bn']],
  softmaxCce: [() => [2, 9, 1, P(18), F(18), f(18)], ['s', 's', 'n', 'b', 'b', 'bn']],
  elementwise: [() => ['huber', 2, 9, 1, F(18), F(18), F(2, 1), f(18)], ['k', 's', 's', 'n', 'b', 'b', 'bn', 'bn']],
  sparseSoftmaxCce: [() => [2, 9, 1, Int32Array.of(1, 8), F(18), f(18)], ['s', 's', 'n', 'i', 'b', 'bn']],
  colSum: [() => [2, 9, F(20), 10, false, f(9)], ['s', 's', 'b', 's', 'o', 'b']],
  rowArgmax: [() => [2, 9, F(20), 10, new Int32Array(2)], ['s', 's', 'b', 's', 'i']],
  sum: [() => [9, F(9)], ['s', 'b']],
  sumSquares: [() => [9, F(9)], ['s', 'b']],
  mean: [() => [9, F(9)], ['s', 'b']],
  firstNonFinite: [() => [9, F(9), f(9)], ['s', 'b', 'bn']],
  sgd: [() => [9, 0.1, 0.01, F(9), F(9)], ['s', 'n', 'n', 'b', 'b']],
  momentum: [() => [9, 0.1, 0.9, 0, 0, true, false, F(9), F(9), F(9)], ['s', 'n', 'n', 'n', 'n', 'o', 'o', 'b', 'b', 'b']],
  adagrad: [() => [9, 0.1, 1e-10, 0, F(9), F(9), F(9, 1)], ['s', 'n', 'n', 'n', 'b', 'b', 'b']],
  rmsprop: [() => [9, 0.01, 0.9, 1e-8, 0, 0.5, true, F(9), F(9), F(9, 1), F(9), F(9)], ['s', 'n', 'n', 'n', 'n', 'n', 'o', 'b', 'b', 'b', 'bn', 'bn']],
  adam: [() => [9, adamArgs(), F(9), F(9), F(9), F(9, 1), F(9, 1)], ['s', ADAM, 'b', 'b', 'b', 'b', 'bn']],
  addPenaltyGrad: [() => [9, 0.01, 0.02, F(9), F(9)], ['s', 'n', 'n', 'b', 'b']],
  penaltyValue: [() => [9, 0.01, 0.02, F(9)], ['s', 'n', 'n', 'b']],
  clipValue: [() => [9, 1, F(9)], ['s', 'n', 'b']],
  scaleInplace: [() => [9, 3, F(9)], ['s', 'n', 'b']],
  dropoutForward: [() => [9, 0.5, 42, 1, 3, F(9), f(9), new Uint8Array(9)], ['s', 'n', 's', 's', 's', 'b', 'b', 'u']],
  dropoutBackward: [() => [9, 0.5, new Uint8Array(9).fill(1), F(9), f(9)], ['s', 'n', 'u', 'b', 'b']],
  batchNormForwardTrain: [() => [2, 9, 0.99, 1e-3, F(18), F(9, 1), F(9, 0), F(9, 0), F(9, 1), f(9), f(9), f(18)],
    ['s', 's', 'n', 'n', 'b', 'bn', 'bn', 'bn', 'bn', 'b', 'b', 'b']],
  batchNormForwardInfer: [() => [2, 9, 1e-3, F(18), F(9, 1), F(9, 0), F(9, 0), F(9, 1), f(18)], ['s', 's', 'n', 'b', 'bn', 'bn', 'b', 'b', 'b']],
  batchNormBackward: [() => [2, 9, F(18), F(18), F(9, 1), F(9, 0.5), F(9, 2), f(18), f(9), f(9)], ['s', 's', 'b', 'b', 'bn', 'b', 'b', 'b', 'bn', 'bn']],
  maxPool: [() => [poolGeo(), F(120), f(36)], [POOL, 'b', 'b']],
  maxPoolGrad: [() => [poolGeo(), F(120), F(36), f(120)], [POOL, 'b', 'b', 'b']],
  avgPool: [() => [poolGeo(), F(120), f(36)], [POOL, 'b', 'b']],
  avgPoolGrad: [() => [poolGeo(), F(36), f(120)], [POOL, 'b', 'b']],
  initFill: [() => [{ kind: 'randomUniform', minval: -1, maxval: 1 }, 3, 4, 7, 2, 12, f(12)], [INIT, 's', 's', 's', 's', 's', 'b']],
  philox4x32: [() => [7, 2, 1], ['s', 's', 's']],
  philoxWord: [() => [7, 2, 5], ['s', 's', 's']],
  uniform01: [() => [7, 2, 5], ['s', 's', 's']],
};

const valueOf3 = { valueOf: () => 3 };
const BAD: Record<'s' | 'n' | 'o' | 'k', unknown[]> = {
  s: [-1, 1.5, NaN, undefined, null, 2 ** 40, 2 ** 40 + 1, 2 ** 53, 2 ** 64, Infinity, {}, '3', valueOf3, 3n, 2 ** 32 + 9],
  n: [NaN, undefined, null, Infinity, -Infinity, {}, '0.1', 1e39, -1e39, -1, valueOf3, 3n],
  o: [undefined, null, 1, 'yes', {}],
  k: ['gelu', undefined, null, 1, {}, '__proto__', 'toString'],
};

type Typed = Float32Array | Int32Array | Uint8Array;
function badBuffers(t: Typed, nullable: boolean): unknown[] {
  const C = t.constructor as new (n: number | ArrayBufferLike, o?: number, l?: number) => Typed;
  const detached = new C(t.length);
  structuredClone(detached.buffer, { transfer: [detached.buffer as ArrayBuffer] });
  const shrinkable = () => new ArrayBuffer(t.byteLength, { maxByteLength: t.byteLength * 2 });
  const outOfBounds = new C(shrinkable(), 0, t.length); // a fixed-length view whose buffer then shrinks to 0
  (outOfBounds.buffer as ArrayBuffer).resize(0);
  const tracking = new C(shrinkable()); // a length-tracking view, one element short after the resize
  (tracking.buffer as ArrayBuffer).resize(Math.max(0, t.byteLength - t.BYTES_PER_ELEMENT));
  const others = [new Float64Array(t.length), new Int32Array(t.length), new Uint8ClampedArray(t.length), new Float32Array(t.length)]
    .filter((o) => o.constructor !== t.constructor);
  return [detached, outOfBounds, tracking, ...others, t.slice(0, Math.max(0, t.length - 1)), t.slice().subarray(1), new C(0),
    Array.from(t), {}, 9, new DataView(new ArrayBuffer(t.length * 4)), new ArrayBuffer(t.length * 4),
    ...(nullable ? [undefined] : [undefined, null])];
}

/** Bad variants of argument `pos` (or of field `field` of it) of a fresh valid call. */
function variants(make: () => unknown[], pos: number, kind: Exclude<Kind, object>, field?: string): (() => unknown[])[] {
  const sample = make()[pos] as Record<string, unknown>;
  const current = field === undefined ? sample : sample[field];
  const bads = ['b', 'bn', 'i', 'u'].includes(kind) ? badBuffers(current as Typed, kind === 'bn') : BAD[kind as 's' | 'n' | 'o' | 'k'];
  return bads.map((_, bi) => () => {
    const args = make();
    const fresh = (['b', 'bn', 'i', 'u'].includes(kind)
      ? badBuffers((field === undefined ? args[pos] : (args[pos] as Record<string, unknown>)[field]) as Typed, kind === 'bn')
      : BAD[kind as 's' | 'n' | 'o' | 'k'])[bi];
    if (field === undefined) args[pos] = fresh;
    else args[pos] = { ...(args[pos] as object), [field]: fresh };
    return args;
  });
}

// Combinations that single-argument changes cannot reach.
const COMBOS: Record<string, ((a: unknown[]) => void)[]> = {
  gemm: [
    (a) => Object.assign(a[0] as object, { m: 2 ** 40, n: 0, k: 0, lda: 0, ldb: 0, ldc: 0 }),
    (a) => Object.assign(a[0] as object, { m: 0, n: 2 ** 40, ldb: 2 ** 40, ldc: 2 ** 40, bias: null }),
    (a) => Object.assign(a[0] as object, { m: 2 ** 20, n: 2 ** 20, ldb: 2 ** 20, ldc: 2 ** 20 }),
    (a) => Object.assign(a[0] as object, { m: 2 ** 32, n: 2 ** 32, ldb: 2 ** 32, ldc: 2 ** 32 }),
    (a) => Object.assign(a[0] as object, { bias: F(3) }),
    (a) => { a[0] = null; },
    (a) => { a[0] = 5; },
  ],
  softmaxForward: [(a) => { a[0] = 2 ** 40; a[1] = 0; }, (a) => { a[0] = 0; a[1] = 2 ** 40; }, (a) => { a[0] = 2 ** 32; a[1] = 2 ** 32; }],
  softmaxBackward: [(a) => { a[0] = 2 ** 40; a[1] = 0; }],
  colSum: [(a) => { a[0] = 2 ** 40; a[1] = 0; a[3] = 0; }, (a) => { a[1] = 2 ** 40; a[3] = 2 ** 40; }],
  rowArgmax: [(a) => { a[1] = 0; }, (a) => { a[0] = 2 ** 40; a[1] = 0; a[3] = 0; }],
  mse: [(a) => { a[0] = 2 ** 40; a[1] = 0; }],
  cceProb: [(a) => { a[0] = 2 ** 40; a[1] = 0; }],
  softmaxCce: [(a) => { a[0] = 2 ** 40; a[1] = 0; }],
  sparseSoftmaxCce: [(a) => { a[3] = Int32Array.of(1, 9); }, (a) => { a[3] = Int32Array.of(-1, 0); }, (a) => { a[3] = Uint32Array.of(1, 8); },
    (a) => { a[0] = 2 ** 40; a[1] = 0; }],
  batchNormForwardTrain: [(a) => { a[0] = 2 ** 40; a[1] = 0; }, (a) => { a[0] = 0; a[1] = 2 ** 40; }],
  batchNormBackward: [(a) => { a[0] = 2 ** 40; a[1] = 0; }],
  dropoutForward: [(a) => { a[4] = 2 ** 53; }, (a) => { a[4] = 2 ** 53 - 9; }],
  dropoutBackward: [(a) => { a[2] = new Int8Array(9); }],
  initFill: [(a) => { a[1] = 2 ** 40; a[2] = 2 ** 40; }, (a) => { a[0] = { kind: 'randomUniform', minval: 2, maxval: 1 }; },
    (a) => { a[0] = { kind: 'randomUniform', minval: -3e38, maxval: 3e38 }; }, (a) => { a[4] = 2 ** 53 - 1; }],
  maxPool: [(a) => { Object.assign(a[0] as object, { batch: 2 ** 40, channels: 0 }); },
    (a) => { Object.assign(a[0] as object, { outHeight: 2 ** 40, outWidth: 0 }); },
    (a) => { Object.assign(a[0] as object, { filterHeight: 2 ** 20, filterWidth: 2 ** 20 }); },
    (a) => { Object.assign(a[0] as object, { outHeight: 2 ** 40, strideHeight: 2 ** 40, outWidth: 0 }); },
    (a) => { a[2] = (a[1] as Float32Array).subarray(0, 36); }],
  maxPoolGrad: [(a) => { Object.assign(a[0] as object, { batch: 2 ** 40, channels: 0 }); },
    (a) => { Object.assign(a[0] as object, { outHeight: 2 ** 40, outWidth: 0 }); },
    (a) => { Object.assign(a[0] as object, { padTop: 2 ** 40, padLeft: 2 ** 40 }); },
    (a) => { a[3] = a[2]; }],
  avgPool: [(a) => { Object.assign(a[0] as object, { inHeight: 0, inWidth: 0 }); }],
  avgPoolGrad: [(a) => { Object.assign(a[0] as object, { batch: 2 ** 40, channels: 0 }); },
    (a) => { Object.assign(a[0] as object, { outHeight: 0, outWidth: 2 ** 40 }); }],
  gemmThreads: [(a) => { a[1] = 0; }, (a) => { a[1] = 1025; }],
};

function cases(): [string, () => unknown[]][] {
  const out: [string, () => unknown[]][] = [];
  for (const [name, [make, kinds]] of Object.entries(SPECS)) {
    kinds.forEach((kind, pos) => {
      if (typeof kind === 'object') {
        for (const [field, fk] of Object.entries(kind)) for (const v of variants(make, pos, fk, field)) out.push([name, v]);
      } else {
        for (const v of variants(make, pos, kind)) out.push([name, v]);
      }
    });
    out.push([name, () => make().slice(0, -1)], [name, () => []]);
    for (const combo of COMBOS[name] ?? []) out.push([name, () => { const a = make(); combo(a); return a; }]);
  }
  return out;
}

type Fn = (...a: unknown[]) => unknown;
const api = K as unknown as Record<string, Fn>;
const targets: [string, () => Record<string, Fn>][] = [
  ['js', () => { K.setBackend('js'); return api; }],
  ...(native ? [['native', () => { K.setBackend('native'); return api; }] as [string, () => Record<string, Fn>]] : []),
  ...(native ? [['native namespace', () => K.native as unknown as Record<string, Fn>] as [string, () => Record<string, Fn>]] : []),
];

describe('simdnet/kernels: every bad argument returns or throws a coded error, promptly', () => {
  const all = cases();
  it('covers every exported kernel', () => {
    const exported = Object.keys(K.reference).filter((k) => typeof (K.reference as Record<string, unknown>)[k] === 'function' &&
      !['resolveInit', 'philoxBlock', 'split64'].includes(k));
    for (const name of exported) expect(SPECS[name], `no fuzz spec for ${name}`).toBeDefined();
    expect(all.length).toBeGreaterThan(2000);
  });
  for (const [target, pick] of targets) {
    it(target, () => {
      const before = K.getBackend();
      const fns = pick();
      const problems: string[] = [];
      try {
        all.forEach(([name, make], i) => {
          if (!(name in fns)) return; // gemmThreads and fmaPeak are native-only names
          const args = make();
          const t0 = performance.now();
          try {
            fns[name](...args);
          } catch (e) {
            const code = (e as { code?: unknown }).code;
            if (!(e instanceof Error) || typeof code !== 'string' || !code.startsWith('SIMDNET_'))
              problems.push(`#${i} ${name}: ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)}`);
          }
          const ms = performance.now() - t0;
          if (ms > 1000) problems.push(`#${i} ${name}: took ${ms.toFixed(0)} ms`);
        });
      } finally {
        K.setBackend(before);
      }
      expect(problems).toEqual([]);
    });
  }
});
